import { Command } from "commander";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { refreshAnalytics, type RefreshOutcome } from "@/lib/analytics/refresh";
import { volumeByMonthQuery } from "@/lib/analytics/sql";
import { printTable } from "@/lib/cli/output";
import { pool } from "@/lib/db/pool";
import { qualified, quoteIdent } from "@/lib/db/sql";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { legacySchema } from "@/lib/legacy/contract";
import { PAGE_TARGET, pageLatencies, pageTargetMet } from "./analytics-pages";
import { positive, quantile, reportHeader, withSeededCluster, writeReport } from "./cluster";

/**
 * 1% new audits (a copy of every hundredth row of each audit table, dated in the month after the
 * last audit) written to the legacy tables as the legacy application would: live sync's triggers
 * carry them into `audits`, whose change log names the groups an incremental refresh recomputes.
 */
export async function newAuditsThroughLegacy(tables: string[]): Promise<{ rows: number; seconds: number }> {
  const schema = legacySchema();
  const { rows: last } = await pool().query<{ day: string }>(`SELECT max(audit_date)::text AS day FROM unified.audits`);
  let rows = 0;
  const started = performance.now();
  for (const table of tables) {
    const { rows: columns } = await pool().query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name <> 'id' ORDER BY ordinal_position`,
      [schema, table],
    );
    const names = columns.map((c) => quoteIdent(c.name));
    const values = columns.map((c) => (c.name === "audit_date" ? `$1::date + 1 + (id % 28)::int` : quoteIdent(c.name)));
    const inserted = await pool().query(
      `INSERT INTO ${qualified(schema, table)} (${names.join(", ")}) SELECT ${values.join(", ")} FROM ${qualified(schema, table)} WHERE id % 100 = 0`,
      [last[0]!.day],
    );
    rows += inserted.rowCount ?? 0;
  }
  return { rows, seconds: (performance.now() - started) / 1000 };
}

/**
 * An incremental refresh of what the change log holds, with a second session reading the
 * overview's volume query back to back meanwhile: the refresh, and how long that reader waited.
 */
export async function refreshWhileReading(): Promise<{ refresh: RefreshOutcome; during: number[] }> {
  const reader = await pool().connect();
  const during: number[] = [];
  let refreshing = true;
  const refresh = refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli" }).finally(() => (refreshing = false));
  try {
    while (refreshing) {
      const started = performance.now();
      await reader.query(volumeByMonthQuery({ from: null, to: null, scorecard: null, channel: null, department: null, team: null }).sql);
      during.push(performance.now() - started);
    }
  } finally {
    reader.release();
  }
  return { refresh: await refresh, during };
}

/**
 * Phase 4's analytics: the refresh (full, and incremental after 1% new audits, with a reader's
 * latency measured while it runs) and every page query's p50/p95 against audit_statistics and
 * auditor_performance, beside the same report computed from the legacy tables
 * (./analytics-pages.ts), in the same run on the same data.
 */
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
    const { refresh: incremental, during } = await refreshWhileReading();
    console.log(`refresh: full ${(full.durationMs / 1000).toFixed(2)} s, incremental after ${inserted.rowCount} new audits ${(incremental.durationMs / 1000).toFixed(2)} s`);
    const { range, pages } = await pageLatencies(runs, legacyRuns);
    const sizes = await pool().query<{ s: number; p: number }>(`SELECT (SELECT count(*) FROM unified.audit_statistics)::int AS s, (SELECT count(*) FROM unified.auditor_performance)::int AS p`);
    return {
      ...reportHeader("analytics"),
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
      [`target (${PAGE_TARGET})`]: p.worstCase ? "worst case, not a target" : pageTargetMet(p) ? "met" : "not met",
    })),
  );
  writeReport("analytics", report);
  console.log("written to bench-results/analytics.json");
}
