import { parseFilters } from "./filters";
import { auditor, auditors, employee, overview, parsePage, parseSort } from "./queries";
import { auditorsTable, auditorTable, employeeScorecardTable, employeeTable, overviewTables, type TableSpec } from "./tables";

/** The four analytics views by name: what a page prefetches, the API serves and the export writes. */
export const VIEWS = ["overview", "auditors", "auditor", "employee"] as const;
export type AnalyticsView = (typeof VIEWS)[number];

export function isView(name: string): name is AnalyticsView {
  return (VIEWS as readonly string[]).includes(name);
}

const id = (raw: string | null) => (raw && /^\d{1,15}$/.test(raw) ? Number(raw) : null);

export async function loadView(view: AnalyticsView, params: URLSearchParams) {
  const filters = parseFilters(params);
  switch (view) {
    case "overview":
      return overview(filters);
    case "auditors":
      return auditors(filters, parseSort(params), parsePage(params));
    case "auditor": {
      const which = id(params.get("id"));
      return which === null ? auditors(filters, parseSort(params), parsePage(params)) : auditor(filters, which);
    }
    case "employee":
      return employee(filters, id(params.get("id")), params.get("q")?.slice(0, 100) ?? null);
  }
}

/**
 * One CSV cell: quoted when it must be, quotes doubled, and a leading =, +, - or @ defused so a
 * spreadsheet never runs a value as a formula (as the conflicts export does); negative numbers stay numbers.
 */
export function csvCell(value: string): string {
  // A negative number ("-0.4", "-1,234.5") is no formula: it stays a number for the spreadsheet.
  const formula = /^[=+\-@\t\r]/.test(value) && !/^-\d[\d,]*(\.\d+)?( d)?$/.test(value);
  const safe = formula ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function tableCsv<R>(spec: TableSpec<R>, section: boolean): string[] {
  const header = [...(section ? ["Table"] : []), ...spec.columns.map((c) => c.header)];
  return [header, ...spec.rows.map((r) => [...(section ? [spec.title] : []), ...spec.columns.map((c) => c.cell(r))])].map((cells) => cells.map(csvCell).join(","));
}

/** The tables the view shows, as CSV text (null before Phase 4 has run). */
export async function viewCsv(view: AnalyticsView, params: URLSearchParams): Promise<string | null> {
  const data = await loadView(view, params);
  if (!data.ready) return null;
  let lines: string[];
  if ("comparison" in data) {
    const [first, ...rest] = overviewTables(data);
    lines = [...tableCsv(first!, true), ...rest.flatMap((t) => tableCsv(t, true).slice(1))];
  } else if ("rows" in data) lines = tableCsv(auditorsTable(data), false);
  else if ("months" in data && "total" in data) lines = tableCsv(auditorTable(data), false);
  else lines = [...tableCsv(employeeScorecardTable(data), true), ...tableCsv(employeeTable(data, params.get("card")), true)];
  return `${lines.join("\n")}\n`;
}
