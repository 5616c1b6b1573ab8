import { pool } from "@/lib/db/pool";
import { quoteIdent } from "@/lib/db/sql";
import { UNIFIED_SCHEMA } from "@/lib/plan/plan";
import {
  allAuditorMonths,
  performanceSelect,
  PERFORMANCE_COLUMNS,
  registeredScorecards,
  statisticsSelect,
  STATISTICS_COLUMNS,
} from "@/lib/plan/phase-4/aggregates";
import { ANALYTICS_INDEXES } from "@/lib/plan/phase-4/summary-indexes";
import { indexBuildSeconds } from "./phase-2";

/**
 * Phase 4's limits, measured after it ran on the same data (../shared/PERFORMANCE.md measured the
 * same thing as `CREATE MATERIALIZED VIEW`): the audits index its analytics-indexes step builds,
 * built once more; and the two summaries' defining aggregates — the very SELECTs its load runs —
 * each created as a materialized view, the two at once on two sessions (the load runs its units on
 * two). What Unify does beyond them (the unique group keys, the rollups, the change log) is its own cost.
 */
export async function analyticsLimits(): Promise<{ index: number; views: number }> {
  const auditsIndexes = ANALYTICS_INDEXES.filter((i) => i.table === "audits").map((i) => i.columns);
  const index = await indexBuildSeconds("audits", auditsIndexes);
  const u = quoteIdent(UNIFIED_SCHEMA);
  const cards = await registeredScorecards(pool(), u);
  const views = [
    `CREATE MATERIALIZED VIEW bench_limits.audit_statistics (${STATISTICS_COLUMNS.join(", ")}) AS
${cards.map((card) => statisticsSelect(u, card, null)).join("\nUNION ALL\n")}`,
    `CREATE MATERIALIZED VIEW bench_limits.auditor_performance (${PERFORMANCE_COLUMNS.join(", ")}) AS
${performanceSelect(u, allAuditorMonths(u), "every auditor-month")}`,
  ];
  await pool().query(`CREATE SCHEMA IF NOT EXISTS bench_limits`);
  const started = performance.now();
  await Promise.all(
    views.map(async (sql) => {
      const session = await pool().connect();
      try {
        // The memory the load's sessions get for the same aggregation (lib/plan/phase-4/load-summaries.ts).
        await session.query("SET work_mem = '256MB'");
        await session.query(sql);
      } finally {
        // The session goes back to the pool: with the server's setting.
        await session.query("RESET work_mem").catch(() => undefined);
        session.release();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool().query(`DROP SCHEMA bench_limits CASCADE`);
  return { index, views: seconds };
}
