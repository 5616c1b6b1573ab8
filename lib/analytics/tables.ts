import { formatCount, formatDays, formatDeviation, formatMonth, formatRate, formatScore } from "./format";
import type { AuditorData, AuditorsData, EmployeeData, OverviewData } from "./types";

/**
 * Each page's tables as columns of text: the page renders these cells and the CSV export writes
 * the same cells, so an export holds exactly what is shown.
 */
export interface TableColumn<R> {
  key: string;
  header: string;
  cell(row: R): string;
  numeric?: boolean;
}

export interface TableSpec<R> {
  title: string;
  columns: TableColumn<R>[];
  rows: R[];
}

type Summary = { audits: number; avgScore: number | null; passRate: number | null };
const summaryColumns = <R extends Summary>(): TableColumn<R>[] => [
  { key: "audits", header: "Audits", cell: (r) => formatCount(r.audits), numeric: true },
  { key: "avgScore", header: "Average score", cell: (r) => formatScore(r.avgScore), numeric: true },
  { key: "passRate", header: "Pass rate", cell: (r) => formatRate(r.passRate), numeric: true },
];

export function overviewTables(data: OverviewData): TableSpec<Summary & { label: string }>[] {
  return [
    { title: "By scorecard", columns: [{ key: "label", header: "Scorecard", cell: (r) => r.label }, ...summaryColumns()], rows: data.scorecards.map((r) => ({ ...r, label: r.name })) },
    { title: "By channel", columns: [{ key: "label", header: "Channel", cell: (r) => r.label }, ...summaryColumns()], rows: data.channels.map((r) => ({ ...r, label: r.name })) },
    { title: "By month", columns: [{ key: "label", header: "Month", cell: (r) => r.label }, ...summaryColumns()], rows: data.months.map((r) => ({ ...r, label: formatMonth(r.month) })) },
  ];
}

type AuditorRowOf = AuditorsData["rows"][number];
export const AUDITOR_COLUMNS: (TableColumn<AuditorRowOf> & { sort: AuditorsData["sort"] })[] = [
  { key: "name", sort: "name", header: "Auditor", cell: (r) => r.name },
  { key: "audits", sort: "audits", header: "Audits", cell: (r) => formatCount(r.audits), numeric: true },
  { key: "avgScore", sort: "avgScore", header: "Average score given", cell: (r) => formatScore(r.avgScore), numeric: true },
  { key: "deviation", sort: "deviation", header: "Calibration (vs all auditors)", cell: (r) => formatDeviation(r.deviation), numeric: true },
  { key: "spread", sort: "spread", header: "Spread (sd)", cell: (r) => formatScore(r.spread), numeric: true },
  { key: "turnaround", sort: "turnaround", header: "Median turnaround", cell: (r) => formatDays(r.turnaround), numeric: true },
];

export function auditorsTable(data: AuditorsData): TableSpec<AuditorRowOf> {
  return { title: "Auditors", columns: AUDITOR_COLUMNS, rows: data.rows };
}

type MonthRow = AuditorData["months"][number];
export function auditorTable(data: AuditorData): TableSpec<MonthRow> {
  return {
    title: "Month by month",
    rows: data.months,
    columns: [
      { key: "month", header: "Month", cell: (r) => formatMonth(r.month) },
      { key: "audits", header: "Audits", cell: (r) => formatCount(r.audits), numeric: true },
      { key: "avgScore", header: "Average score given", cell: (r) => formatScore(r.avgScore), numeric: true },
      { key: "deviation", header: "Calibration", cell: (r) => formatDeviation(r.deviation), numeric: true },
      { key: "spread", header: "Spread (sd)", cell: (r) => formatScore(r.spread), numeric: true },
      { key: "turnaround", header: "Median turnaround", cell: (r) => formatDays(r.turnaround), numeric: true },
    ],
  };
}

type FieldRow = { scorecard: string; label: string; average: number | null; maxScore: number | null; scored: number };
/** The scorecard whose fields are shown: the one asked for (`card`), else the one with most audits. */
export function shownScorecard(data: EmployeeData, card: string | null): EmployeeData["scorecards"][number] | null {
  return data.scorecards.find((c) => String(c.id) === card) ?? [...data.scorecards].sort((a, b) => b.audits - a.audits || a.name.localeCompare(b.name))[0] ?? null;
}

export function employeeTable(data: EmployeeData, card: string | null): TableSpec<FieldRow> {
  const shown = shownScorecard(data, card);
  return {
    title: "Per field",
    rows: (shown ? [shown] : []).flatMap((c) => c.fields.map((f) => ({ scorecard: c.name, label: f.label, average: f.average, maxScore: f.maxScore, scored: f.scored }))),
    columns: [
      { key: "scorecard", header: "Scorecard", cell: (r) => r.scorecard },
      { key: "field", header: "Field", cell: (r) => r.label },
      { key: "average", header: "Average", cell: (r) => formatScore(r.average), numeric: true },
      { key: "max", header: "Out of", cell: (r) => formatCount(r.maxScore), numeric: true },
      { key: "scored", header: "Times scored", cell: (r) => formatCount(r.scored), numeric: true },
    ],
  };
}

export function employeeScorecardTable(data: EmployeeData): TableSpec<EmployeeData["scorecards"][number]> {
  return {
    title: "Across scorecards",
    rows: data.scorecards,
    columns: [
      { key: "scorecard", header: "Scorecard", cell: (r) => r.name },
      ...summaryColumns<EmployeeData["scorecards"][number]>(),
      { key: "range", header: "Lowest – highest", cell: (r) => (r.minScore === null ? "–" : `${formatScore(r.minScore)} – ${formatScore(r.maxScore)}`), numeric: true },
    ],
  };
}
