import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { refreshAnalytics, RefreshRunningError } from "@/lib/analytics/refresh";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { seedLegacy } from "@/lib/legacy/generator";
import { PERFORMANCE_COLUMNS, ROLLUP_COLUMNS, STATISTICS_COLUMNS, TOTALS_COLUMNS } from "./aggregates";
import { runSuite } from "./testing";

const database = withTestDatabase();
afterAll(() => stopQueue());

/** Both summaries as rows of text, for an exact comparison of two states. */
async function snapshot(): Promise<{ statistics: string[]; rollup: string[]; totals: string[]; performance: string[] }> {
  const s = await pool().query<{ r: string }>(`SELECT row(${STATISTICS_COLUMNS.join(", ")})::text AS r FROM unified.audit_statistics ORDER BY 1`);
  const p = await pool().query<{ r: string }>(`SELECT row(${PERFORMANCE_COLUMNS.join(", ")})::text AS r FROM unified.auditor_performance ORDER BY 1`);
  const r = await pool().query<{ r: string }>(`SELECT row(${ROLLUP_COLUMNS.join(", ")})::text AS r FROM unified.scorecard_month_statistics ORDER BY 1`);
  const t = await pool().query<{ r: string }>(`SELECT row(${TOTALS_COLUMNS.join(", ")})::text AS r FROM unified.scorecard_month_totals ORDER BY 1`);
  return { statistics: s.rows.map((x) => x.r), rollup: r.rows.map((x) => x.r), totals: t.rows.map((x) => x.r), performance: p.rows.map((x) => x.r) };
}

describe("Phase 4 on generated data", () => {
  let run: Awaited<ReturnType<typeof approveAndRun>>;
  beforeAll(async () => {
    await seedLegacy(pool(), { audits: 20_000, scorecards: 8, seed: "phase-4-generated" });
    for (const phase of [1, 2, 3]) expect((await approveAndRun(phase)).status).toBe("succeeded");
    run = await approveAndRun(4);
  });

  it("the analytics filters span exactly the months of audit_statistics (read from the totals)", async () => {
    const { filterOptions } = await import("@/lib/analytics/queries");
    const { rows } = await pool().query(`SELECT to_char(min(month), 'YYYY-MM') AS first, to_char(max(month), 'YYYY-MM') AS last FROM unified.audit_statistics`);
    expect(rows[0].first).not.toBeNull();
    expect((await filterOptions()).months).toEqual(rows[0]);
  });

  it("succeeds, and every figure of both summaries equals the aggregate computed directly from audits", async () => {
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.verification?.filter((c) => c.status === "fail")).toEqual([]);
    expect(await runSuite()).toEqual([]);
    const { rows } = await pool().query(`SELECT (SELECT count(*) FROM unified.audit_statistics)::int AS s, (SELECT count(*) FROM unified.auditor_performance)::int AS p,
      (SELECT count(*) FROM unified.auditor_performance WHERE turnaround_count > 0)::int AS t`);
    expect(rows[0].s).toBeGreaterThan(1000);
    expect(rows[0].p).toBeGreaterThan(10);
    expect(rows[0].t).toBeGreaterThan(0); // the generator's assignments meet audits
  });

  it("after inserts, updates and deletes of audits and assignments, the incremental refresh equals a full recomputation", async () => {
    const db = pool();
    // 1% new audits in a new month, copied from existing ones; scores changed; dates moved across months; soft and hard deletes.
    await db.query(`INSERT INTO unified.audits (scorecard_id, channel_id, employee_id, auditor_id, audit_date, status, total_score, passed, parameter_scores, source_table, source_id)
      SELECT scorecard_id, channel_id, employee_id, auditor_id, (SELECT max(audit_date) FROM unified.audits) + 31, status, total_score, passed, parameter_scores, source_table, source_id + 10000000
        FROM unified.audits WHERE id % 100 = 7`);
    await db.query(`UPDATE unified.audits SET total_score = total_score - 3, parameter_scores = parameter_scores || '{}'::jsonb WHERE id % 97 = 1 AND total_score IS NOT NULL`);
    await db.query(`UPDATE unified.audits SET audit_date = audit_date + 40 WHERE id % 89 = 2`);
    await db.query(`UPDATE unified.audits SET employee_id = (SELECT min(id) FROM unified.employees) WHERE id % 83 = 3`);
    await db.query(`UPDATE unified.audits SET deleted_at = now() WHERE id % 79 = 4`);
    await db.query(`DELETE FROM unified.notifications WHERE audit_id IN (SELECT id FROM unified.audits WHERE id % 73 = 5)`);
    await db.query(`DELETE FROM unified.audits WHERE id % 73 = 5`);
    await db.query(`UPDATE unified.audit_assignments SET created_at = created_at - interval '20 days' WHERE id % 5 = 0`);
    await db.query(`DELETE FROM unified.audit_assignments WHERE id % 7 = 0`);
    const pending = await db.query(`SELECT count(*)::int AS n FROM unified.analytics_changes`);
    expect(pending.rows[0].n).toBeGreaterThan(100);
    const outcome = await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli", batchChanges: 500 });
    expect(outcome.batches).toBeGreaterThan(1);
    expect(outcome.changes).toBe(pending.rows[0].n);
    const incremental = await snapshot();
    expect((await db.query(`SELECT count(*)::int AS n FROM unified.analytics_changes`)).rows[0].n).toBe(0);
    await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli", mode: "full" });
    const full = await snapshot();
    expect(incremental.statistics.length).toBe(full.statistics.length);
    expect(incremental.statistics).toEqual(full.statistics);
    expect(incremental.rollup).toEqual(full.rollup);
    expect(incremental.totals).toEqual(full.totals);
    expect(incremental.performance).toEqual(full.performance);
    expect(await runSuite()).toEqual([]);
  });

  it("refuses a second refresh while one runs", async () => {
    const holder = new pg.Client({ connectionString: database.url() });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock($1, $2)`, [0x756e6961, 4]);
      await expect(refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli" })).rejects.toBeInstanceOf(RefreshRunningError);
    } finally {
      await holder.end();
    }
  });

  it("a reader's query completes while a refresh runs, and sees either the old or the new figures, never half", async () => {
    const db = pool();
    await db.query(`INSERT INTO unified.audits (scorecard_id, channel_id, employee_id, auditor_id, audit_date, status, total_score, passed, parameter_scores, source_table, source_id)
      SELECT scorecard_id, channel_id, employee_id, auditor_id, audit_date, status, total_score, passed, parameter_scores, source_table, source_id + 20000000
        FROM unified.audits WHERE id % 10 = 3`);
    const before = Number((await db.query(`SELECT sum(audit_count) AS n FROM unified.audit_statistics`)).rows[0].n);
    const reader = new pg.Client({ connectionString: database.url() });
    await reader.connect();
    await reader.query(`SET statement_timeout = '5s'`);
    const reads: { ms: number; total: number; duringRefresh: boolean }[] = [];
    let done = false;
    const refreshing = refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli", mode: "full" }).finally(() => {
      done = true;
    });
    try {
      while (!done) {
        const started = performance.now();
        const { rows } = await reader.query(
          `SELECT (SELECT sum(audit_count) FROM unified.audit_statistics) AS total,
                  EXISTS (SELECT 1 FROM console.analytics_refreshes WHERE status = 'running') AS running`,
        );
        reads.push({ ms: performance.now() - started, total: Number(rows[0].total), duringRefresh: rows[0].running });
      }
      const outcome = await refreshing;
      const after = Number((await db.query(`SELECT sum(audit_count) AS n FROM unified.audit_statistics`)).rows[0].n);
      const during = reads.filter((r) => r.duringRefresh);
      console.log(`reader during a full refresh of ${outcome.durationMs} ms: ${during.length} reads, slowest ${Math.max(...during.map((r) => r.ms)).toFixed(1)} ms`);
      expect(during.length).toBeGreaterThan(0);
      expect(after).toBeGreaterThan(before);
      for (const r of reads) expect([before, after]).toContain(r.total);
      // Never waited for the refresh: every read shorter than the refresh that ran beside it.
      expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(outcome.durationMs);
    } finally {
      await reader.end();
    }
  });
});
