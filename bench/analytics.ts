import { cpus } from "node:os";
import { Command } from "commander";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import type { AnalyticsFilters } from "@/lib/analytics/filters";
import { refreshAnalytics } from "@/lib/analytics/refresh";
import {
  auditorMonthsQuery,
  auditorsQuery,
  byChannelQuery,
  byScorecardQuery,
  employeeQuery,
  scorecardByMonthQuery,
  turnaroundQuery,
  volumeByMonthQuery,
  type AnalyticsQuery,
} from "@/lib/analytics/sql";
import { printTable } from "@/lib/cli/output";
import { pool } from "@/lib/db/pool";
import { qualified, quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { legacySchema, normalisedEmailSql } from "@/lib/legacy/contract";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { positive, SETTINGS, withSeededCluster, writeReport } from "./cluster";

/**
 * Phase 4's analytics: the refresh (full, and incremental after 1% new audits, with a reader's
 * latency measured while it runs) and every page query's p50/p95 against audit_statistics and
 * auditor_performance, beside the same report computed from the legacy tables — a UNION ALL over
 * every audit table joined to people and users by normalised email — in the same run on the same data.
 */
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

async function timed(query: AnalyticsQuery, runs: number): Promise<number[]> {
  const session = await pool().connect();
  try {
    await session.query(query.sql, query.params); // warm
    const out: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await session.query(query.sql, query.params);
      out.push(performance.now() - started);
    }
    return out;
  } finally {
    session.release();
  }
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

export async function analyticsBench(args: string[]): Promise<void> {
  const options = new Command("analytics")
    .option("--audits <n>", "legacy audits to generate (100k–1M on a shared machine)", "100000")
    .option("--runs <n>", "runs of each unified page query", "200")
    .option("--legacy-runs <n>", "runs of each legacy query (each scans every audit table)", "20")
    .exitOverride()
    .parse(args, { from: "user" })
    .opts<{ audits: string; runs: string; legacyRuns: string }>();
  const audits = positive("--audits", options.audits);
  const runs = positive("--runs", options.runs);
  const legacyRuns = positive("--legacy-runs", options.legacyRuns);
  const report = await withSeededCluster(audits, async () => {
    for (const phase of [1, 2, 3]) {
      const done = await approveAndRun(phase);
      if (done.status !== "succeeded") throw new Error(`phase ${phase} ${done.status}: ${done.error}`);
    }
    const phase4 = await approveAndRun(4);
    if (phase4.status !== "succeeded") throw new Error(`phase 4 ${phase4.status}: ${phase4.error}`);
    const steps = Object.fromEntries(phase4.steps.map((s) => [s.stepId, (s.durationMs ?? 0) / 1000]));
    console.log(`phase 4: ${((phase4.durationMs ?? 0) / 1000).toFixed(1)} s`);

    const full = await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli", mode: "full" });
    // 1% new audits, in a new month after the last, through the triggers as live sync would write them.
    const inserted = await pool().query(`INSERT INTO unified.audits (scorecard_id, channel_id, employee_id, auditor_id, audit_date, status, total_score, passed, parameter_scores, source_table, source_id)
      SELECT scorecard_id, channel_id, employee_id, auditor_id, (SELECT max(audit_date) FROM unified.audits) + 1 + (id % 28)::int, status, total_score, passed, parameter_scores, source_table, source_id + 1000000000
        FROM unified.audits WHERE id % 100 = 0`);
    const reader = await pool().connect();
    const during: number[] = [];
    let refreshing = true;
    const incrementalPromise = refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli" }).finally(() => (refreshing = false));
    while (refreshing) {
      const started = performance.now();
      await reader.query(volumeByMonthQuery({ from: null, to: null, scorecard: null, channel: null, department: null, team: null }).sql);
      during.push(performance.now() - started);
    }
    reader.release();
    const incremental = await incrementalPromise;
    console.log(`refresh: full ${(full.durationMs / 1000).toFixed(2)} s, incremental after ${inserted.rowCount} new audits ${(incremental.durationMs / 1000).toFixed(2)} s`);

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
    const unified: Record<string, AnalyticsQuery[]> = {
      "overview: by month": [volumeByMonthQuery(f)],
      "overview: by scorecard": [byScorecardQuery(f), byChannelQuery(f)],
      "overview: scorecard × month": [scorecardByMonthQuery(f)],
      "auditors: every auditor": [auditorsQuery(f), turnaroundQuery(f)],
      "auditor: one auditor's months": [auditorMonthsQuery(f, Number(s.auditor)), turnaroundQuery(f, Number(s.auditor))],
      "employee: one employee": [employeeQuery(f, Number(s.employee))],
    };
    const discovery = await discoverLegacy(pool(), legacySchema());
    const tables = discovery.scorecards.map((c) => ({ table: c.tableName, passing: c.passingScore, columns: c.fields.map((x) => x.columnName) }));
    const legacy = legacyQueries(tables, range, emailOf(s.employee), emailOf(s.auditor));
    const pages: { page: string; unified: { p50: number; p95: number }; legacy: { p50: number; p95: number } }[] = [];
    for (const [page, queries] of Object.entries(unified)) {
      // A page's figures: its queries one after another, as the page's loader runs them.
      const perRun: number[] = new Array(runs).fill(0);
      for (const q of queries) (await timed(q, runs)).forEach((ms, i) => (perRun[i]! += ms));
      const old = await timed(legacy[page]!, legacyRuns);
      pages.push({ page, unified: { p50: quantile(perRun, 0.5), p95: quantile(perRun, 0.95) }, legacy: { p50: quantile(old, 0.5), p95: quantile(old, 0.95) } });
      console.log(`${page}: unified p95 ${quantile(perRun, 0.95).toFixed(2)} ms, legacy p95 ${quantile(old, 0.95).toFixed(0)} ms`);
    }
    const sizes = await pool().query<{ s: number; p: number }>(`SELECT (SELECT count(*) FROM unified.audit_statistics)::int AS s, (SELECT count(*) FROM unified.auditor_performance)::int AS p`);
    return {
      benchmark: "analytics",
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      postgresSettings: SETTINGS,
      audits,
      runs,
      legacyRuns,
      phase4Seconds: (phase4.durationMs ?? 0) / 1000,
      phase4Steps: steps,
      rows: { statistics: sizes.rows[0]!.s, performance: sizes.rows[0]!.p },
      refresh: {
        fullSeconds: full.durationMs / 1000,
        incrementalSeconds: incremental.durationMs / 1000,
        newAudits: inserted.rowCount,
        incrementalChanges: incremental.changes,
        incrementalStatisticsGroups: incremental.statisticsGroups,
        incrementalAuditorMonths: incremental.auditorMonths,
        incrementalBatches: incremental.batches,
        readerDuringRefresh: { reads: during.length, p50: quantile(during, 0.5), p95: quantile(during, 0.95), max: Math.max(...during) },
      },
      range,
      pages,
    };
  });
  printTable([
    { what: "phase 4 (whole run)", value: `${report.phase4Seconds.toFixed(2)} s` },
    { what: "rows", value: `${report.rows.statistics.toLocaleString("en-US")} statistics, ${report.rows.performance.toLocaleString("en-US")} auditor months` },
    { what: "full refresh", value: `${report.refresh.fullSeconds.toFixed(2)} s` },
    {
      what: `incremental refresh after ${report.refresh.newAudits?.toLocaleString("en-US")} new audits (1%)`,
      value: `${report.refresh.incrementalSeconds.toFixed(2)} s, ${report.refresh.incrementalStatisticsGroups} groups + ${report.refresh.incrementalAuditorMonths} auditor months in ${report.refresh.incrementalBatches} batches`,
    },
    {
      what: "a reader during the incremental refresh",
      value: `${report.refresh.readerDuringRefresh.reads} reads, p50 ${report.refresh.readerDuringRefresh.p50.toFixed(2)} ms, p95 ${report.refresh.readerDuringRefresh.p95.toFixed(2)} ms, max ${report.refresh.readerDuringRefresh.max.toFixed(2)} ms`,
    },
  ]);
  printTable(
    report.pages.map((p) => ({
      page: p.page,
      "unified p50 ms": p.unified.p50.toFixed(2),
      "unified p95 ms": p.unified.p95.toFixed(2),
      "legacy p50 ms": p.legacy.p50.toFixed(0),
      "legacy p95 ms": p.legacy.p95.toFixed(0),
      "× faster (p95)": (p.legacy.p95 / p.unified.p95).toFixed(0),
    })),
  );
  writeReport("analytics", report);
  console.log("written to bench-results/analytics.json");
}
