import type { AnalyticsFilters } from "@/lib/analytics/filters";
import {
  AUDITORS_PAGE,
  auditorMonthsQuery,
  auditorsPageQuery,
  SETTLED_AUDITS,
  byChannelQuery,
  byScorecardQuery,
  employeeQuery,
  scorecardByMonthQuery,
  turnaroundQuery,
  volumeByMonthQuery,
  type AnalyticsQuery,
} from "@/lib/analytics/sql";
import { auditorsFromVectors, forgetDecodedMonths } from "@/lib/analytics/auditor-vectors";
import type { AuditorSort } from "@/lib/analytics/types";
import { pool } from "@/lib/db/pool";
import { qualified, quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { legacySchema, normalisedEmailSql } from "@/lib/legacy/contract";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { quantile } from "./cluster";

/**
 * Every analytics page's queries against audit_statistics and auditor_performance, beside the same
 * report computed from the legacy tables — a UNION ALL over every audit table joined to people and
 * users by normalised email — on the same data: what Phase 4 buys the analysts.
 */

/** Runs before the timed ones (a legacy report, seconds long, is warmed once). */
const WARM_RUNS = 10;

async function timed(query: AnalyticsQuery | (() => Promise<unknown>), runs: number, warm = WARM_RUNS): Promise<number[]> {
  if (typeof query !== "function") {
    // A statement on one session of its own, as a page's loader holds one.
    const session = await pool().connect();
    try {
      return await timed(() => session.query(query.sql, query.params), runs, warm);
    } finally {
      session.release();
    }
  }
  // Warm: PostgreSQL's plan cache chooses between custom and generic plans of a kept-prepared statement after five executions.
  for (let i = 0; i < warm; i++) await query();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await query();
    out.push(performance.now() - started);
  }
  return out;
}

interface LegacyTable {
  table: string;
  passing: number | null;
  /** The registered score columns: the employee report averages each. */
  columns: string[];
}

const norm = normalisedEmailSql;

/**
 * The directory as a legacy report joins it: people (name, department, team) and users (the
 * auditor's name) by normalised email, one row per email (the first by id: the directory repeats
 * some emails, and a join on them would count an audit twice).
 */
function directory(): string {
  const s = legacySchema();
  return `LEFT JOIN (SELECT DISTINCT ON (${norm("email")}) ${norm("email")} AS email, name, department, team FROM ${qualified(s, "people")} ORDER BY 1, id) p
         ON p.email = x.employee_email
  LEFT JOIN (SELECT DISTINCT ON (${norm("email")}) ${norm("email")} AS email, full_name FROM ${qualified(s, "users")} ORDER BY 1, id) u
         ON u.email = x.auditor_email`;
}

/**
 * The legacy side, as its reports are written: every audit table as one UNION ALL (each row's
 * month, score, verdict from the registry's passing score, normalised emails), joined to the
 * directory by email.
 */
function legacyReport(tables: LegacyTable[], where: string): string {
  const union = tables
    .map(
      (t) => `SELECT ${quoteLiteral(t.table)} AS source_table, date_trunc('month', audit_date)::date AS month, total_score,
         ${t.passing === null ? "NULL::boolean" : `total_score >= ${t.passing}`} AS passed,
         ${norm("employee_email")} AS employee_email, ${norm("auditor_email")} AS auditor_email
    FROM ${qualified(legacySchema(), t.table)} WHERE ${where}`,
    )
    .join("\nUNION ALL\n");
  return `(SELECT x.*, p.name AS employee_name, p.department, p.team, u.full_name AS auditor_name FROM (${union}) x
  ${directory()})`;
}

/** One employee across every audit table, per scorecard and month, with each registered field's average (the unified page's per-field view). */
function legacyEmployeeReport(tables: LegacyTable[], range: string): string {
  return tables
    .map((t) => {
      const fields = t.columns.length ? `jsonb_build_object(${t.columns.map((c) => `${quoteLiteral(c)}, avg(${quoteIdent(c)})`).join(", ")})` : `'{}'::jsonb`;
      return `SELECT ${quoteLiteral(t.table)} AS source_table, date_trunc('month', a.audit_date)::date AS month, max(p.name) AS name, count(*) AS audits,
         avg(a.total_score) AS avg_score, ${fields} AS fields
    FROM ${qualified(legacySchema(), t.table)} a
    LEFT JOIN (SELECT DISTINCT ON (${norm("email")}) ${norm("email")} AS email, name FROM ${qualified(legacySchema(), "people")} ORDER BY 1, id) p ON p.email = ${norm("a.employee_email")}
   WHERE ${range} AND ${norm("a.employee_email")} = $3 GROUP BY 1, 2`;
    })
    .join("\nUNION ALL\n");
}

function legacyQueries(tables: LegacyTable[], f: { from: string; to: string }, employee: string, auditor: string): Record<string, AnalyticsQuery> {
  const range = `audit_date >= $1::date AND audit_date < ($2::date + interval '1 month')`;
  const summary = `count(*) AS audits, avg(total_score) AS avg_score, avg(CASE WHEN passed THEN 1.0 WHEN NOT passed THEN 0.0 END) AS pass_rate`;
  const p = [`${f.from}-01`, `${f.to}-01`];
  return {
    "overview: by month": { sql: `SELECT month, ${summary} FROM ${legacyReport(tables, range)} r GROUP BY 1 ORDER BY 1`, params: p },
    "overview: by scorecard": { sql: `SELECT source_table, ${summary} FROM ${legacyReport(tables, range)} r GROUP BY 1 ORDER BY 1`, params: p },
    "overview: scorecard × month": { sql: `SELECT month, source_table, avg(total_score) FROM ${legacyReport(tables, range)} r GROUP BY 1, 2 ORDER BY 1, 2`, params: p },
    "auditors: every auditor": {
      sql: `SELECT auditor_email, max(auditor_name), count(*), avg(total_score), stddev_pop(total_score) FROM ${legacyReport(tables, range)} r WHERE auditor_email <> '' GROUP BY 1`,
      params: p,
    },
    "auditor: one auditor's months": {
      sql: `SELECT month, count(*), avg(total_score) FROM ${legacyReport(tables, `${range} AND ${norm("auditor_email")} = $3`)} r GROUP BY 1 ORDER BY 1`,
      params: [...p, auditor],
    },
    "employee: one employee": { sql: `${legacyEmployeeReport(tables, range)}\n ORDER BY 2, 1`, params: [...p, employee] },
  };
}

export interface PageLatency {
  page: string;
  unified: { p50: number; p95: number };
  legacy: { p50: number; p95: number };
  /**
   * Set on a line that is not a page's steady state, so not held to the page target: every run made the first request after a
   * refresh (each process decodes a range's months once per refresh), or the statement a Phase 4 of older code reads until its
   * next refresh packs the months.
   */
  worstCase?: string;
}

/** The page target at 10M audits (issue #19): p95 ≤ 5 ms and ≥ 300× faster than the legacy report; a worst-case line has none. */
export const PAGE_TARGET = "≤ 5 ms, ≥ 300× faster";
export function pageTargetMet(p: PageLatency): boolean | undefined {
  return p.worstCase ? undefined : p.unified.p95 <= 5 && p.legacy.p95 >= 300 * p.unified.p95;
}

/** The lines above that are not a page as it is read (PageLatency.worstCase), by what each one forces. */
const WORST_CASES: [string, string][] = [
  ["months read cold", "every run the first after a refresh: the range's months read and decoded again"],
  ["(statement)", "the statement, read only before a Phase 4 of older code has been refreshed once"],
];

/**
 * Each page's p50/p95 in ms over the last 12 months of data: its unified queries `runs` times, the
 * legacy report `legacyRuns` times, for the busiest employee and auditor.
 */
export async function pageLatencies(runs: number, legacyRuns: number): Promise<{ range: { from: string; to: string }; pages: PageLatency[] }> {
  const { rows: span } = await pool().query<{ last: string; employee: string; email: string; auditor: string; auditor_email: string }>(
    `SELECT to_char(max(month), 'YYYY-MM') AS last,
            (SELECT employee_id::text FROM unified.audit_statistics GROUP BY 1 ORDER BY sum(audit_count) DESC LIMIT 1) AS employee,
            (SELECT auditor_id::text FROM unified.auditor_performance GROUP BY 1 ORDER BY sum(audit_count) DESC LIMIT 1) AS auditor,
            '' AS email, '' AS auditor_email
       FROM unified.audit_statistics`,
  );
  const s = span[0]!;
  const emails = await pool().query<{ id: string; email: string }>(`SELECT id::text, email_normalized AS email FROM unified.employees WHERE id = ANY ($1::bigint[])`, [[s.employee, s.auditor]]);
  const emailOf = (id: string) => emails.rows.find((r) => r.id === id)!.email;
  const [year, month] = s.last.split("-").map(Number) as [number, number];
  const first = new Date(Date.UTC(year, month - 12, 1));
  const range = { from: `${first.getUTCFullYear()}-${String(first.getUTCMonth() + 1).padStart(2, "0")}`, to: s.last };
  const f: AnalyticsFilters = { ...range, scorecard: null, channel: null, department: null, team: null };
  // The auditors page as its loader reads it: the packed months (decoded once per refresh, and cold: read every time), then the
  // rows that can be on the page named with their turnaround histograms, in every order and for the busiest department; and the
  // statement over every auditor with every auditor's histograms merged, as the page reads it without the packed months.
  const { rows: busiestDepartment } = await pool().query<{ id: number | null }>(
    `SELECT e.department_id AS id FROM unified.auditor_performance p JOIN unified.employees e ON e.id = p.auditor_id
      WHERE e.department_id IS NOT NULL GROUP BY 1 ORDER BY sum(p.audit_count) DESC LIMIT 1`,
  );
  const packedPage = (sort: AuditorSort, dir: "asc" | "desc", cold = false, filters = f) => async () => {
    if (cold) forgetDecodedMonths();
    const found = await auditorsFromVectors(filters, { sort, dir }, { limit: AUDITORS_PAGE, offset: 0 }, SETTLED_AUDITS);
    if (!found) throw new Error(`the auditors page's packed months did not answer (${sort} ${dir})`);
  };
  const byTurnaround = auditorsPageQuery(f, { sort: "audits", dir: "desc" }, null, SETTLED_AUDITS);
  const unified: Record<string, (AnalyticsQuery | (() => Promise<void>))[]> = {
    "overview: by month": [volumeByMonthQuery(f)],
    "overview: by scorecard": [byScorecardQuery(f), byChannelQuery(f)],
    "overview: scorecard × month": [scorecardByMonthQuery(f)],
    // The first page in the default order (most audits first), and the turnaround medians of the auditors it shows.
    "auditors: every auditor": [packedPage("audits", "desc")],
    "auditors: every auditor, months read cold": [packedPage("audits", "desc", true)],
    "auditors: every auditor, by name": [packedPage("name", "asc")],
    "auditors: every auditor, by average score": [packedPage("avgScore", "desc")],
    "auditors: every auditor, by spread": [packedPage("spread", "asc")],
    "auditors: every auditor, by deviation": [packedPage("deviation", "desc")],
    ...(busiestDepartment[0]?.id ? { "auditors: one department": [packedPage("audits", "desc", false, { ...f, department: busiestDepartment[0].id })] } : {}),
    "auditors: every auditor, by turnaround": [packedPage("turnaround", "asc")],
    "auditors: every auditor, by turnaround, months read cold": [packedPage("turnaround", "asc", true)],
    // What the page reads without the packed months (a Phase 4 of older code until its next refresh): the statement.
    "auditors: every auditor, by turnaround (statement)": [byTurnaround, turnaroundQuery(f)],
    "auditor: one auditor's months": [auditorMonthsQuery(f, Number(s.auditor)), turnaroundQuery(f, Number(s.auditor))],
    "employee: one employee": [employeeQuery(f, Number(s.employee))],
  };
  const discovery = await discoverLegacy(pool(), legacySchema());
  const tables = discovery.scorecards.map((c) => ({ table: c.tableName, passing: c.passingScore, columns: c.fields.map((x) => x.columnName) }));
  const legacy = legacyQueries(tables, range, emailOf(s.employee), emailOf(s.auditor));
  // The legacy report of every auditor (one scan of every audit table) stands beside each order and the department.
  for (const page of Object.keys(unified)) if (page.startsWith("auditors: ")) legacy[page] = legacy["auditors: every auditor"]!;
  const pages: PageLatency[] = [];
  const legacyTimes = new Map<AnalyticsQuery, number[]>();
  for (const [page, queries] of Object.entries(unified)) {
    // A page's figures: its queries one after another, as the page's loader runs them.
    const perRun: number[] = new Array(runs).fill(0);
    for (const q of queries) (await timed(q, runs)).forEach((ms, i) => (perRun[i]! += ms));
    // One legacy report may stand beside several unified lines: timed once.
    const old = legacyTimes.get(legacy[page]!) ?? (await timed(legacy[page]!, legacyRuns, 1));
    legacyTimes.set(legacy[page]!, old);
    const worstCase = WORST_CASES.find(([mark]) => page.includes(mark))?.[1];
    pages.push({
      page,
      unified: { p50: quantile(perRun, 0.5), p95: quantile(perRun, 0.95) },
      legacy: { p50: quantile(old, 0.5), p95: quantile(old, 0.95) },
      ...(worstCase ? { worstCase } : {}),
    });
    console.log(`${page}: unified p95 ${quantile(perRun, 0.95).toFixed(2)} ms, legacy p95 ${quantile(old, 0.95).toFixed(0)} ms`);
  }
  return { range, pages };
}
