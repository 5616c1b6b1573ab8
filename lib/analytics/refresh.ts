import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import type { PoolClient } from "pg";
import { pool } from "@/lib/db/pool";
import { quoteIdent } from "@/lib/db/sql";
import { relationExists, relationsExist } from "@/lib/plan/catalog";
import { UNIFIED_SCHEMA } from "@/lib/plan/plan";
import { registeredScorecards, VECTOR_BYTES, vectorStatements } from "@/lib/plan/phase-4/aggregates";
import { auditorMonthVectorsTable } from "@/lib/plan/phase-4/summary-tables";
import { schedulePause } from "./schedule-pause";
import { AUDITOR_KEYS, auditorBatch, fullRefresh, STATISTICS_KEYS, statisticsBatch } from "./refresh-sql";

/** Notified once a refresh has committed its last batch: a process serving the auditors page decodes its ranges again (./prewarm.ts). */
export const REFRESHED_CHANNEL = "unify_analytics_refreshed";

/** Session advisory lock namespace of the refresh: one refresh at a time, across every process. */
export const REFRESH_LOCK = [0x756e6961, 4] as const; // "unia", phase 4
/**
 * Change-log rows per batch transaction. A batch's cost follows the groups it names (index reads of
 * their audits), so at 10M audits 1% new audits (≈ 100k log rows) take two batches; a writer that
 * touches a claimed group waits at most for one batch.
 */
export const DEFAULT_BATCH_CHANGES = 50_000;

export class RefreshRunningError extends Error {
  override name = "RefreshRunningError";
  readonly expected = true;
  readonly status = 409;
}

export class AnalyticsNotReadyError extends Error {
  override name = "AnalyticsNotReadyError";
  readonly expected = true;
  readonly status = 409;
}

export type RefreshMode = "incremental" | "full";
export type RefreshReason = "schedule" | "admin" | "cli";

export interface RefreshOutcome {
  id: number;
  mode: RefreshMode;
  durationMs: number;
  batches: number;
  changes: number;
  statisticsGroups: number;
  auditorMonths: number;
  statisticsRows: number;
  performanceRows: number;
}

/** True once Phase 4 has created the summaries (the refresh and the pages need them). */
export async function summariesExist(): Promise<boolean> {
  // One catalog read: every page asks this first.
  return relationsExist(pool(), UNIFIED_SCHEMA, ["analytics_changes", "audit_statistics", "auditor_running_totals"]);
}

/**
 * Brings audit_statistics and auditor_performance up to date. Incremental: the groups the change
 * log names, batch by batch, each batch one transaction (readers never wait: they read the last
 * committed rows). Full: every group, one transaction. Refused while another refresh runs.
 */
export async function refreshAnalytics(input: { actor: Principal; mode?: RefreshMode; reason: RefreshReason; batchChanges?: number }): Promise<RefreshOutcome> {
  await authorize(input.actor, "analytics.refresh", input.mode ?? "incremental");
  const mode = input.mode ?? "incremental";
  if (!(await summariesExist())) throw new AnalyticsNotReadyError("There is nothing to refresh before Phase 4 has run: an admin runs Phase 4 on the Phases page");
  const u = quoteIdent(UNIFIED_SCHEMA);
  const db = await pool().connect();
  let locked = false;
  try {
    const { rows: lock } = await db.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1, $2) AS ok`, [...REFRESH_LOCK]);
    locked = lock[0]?.ok === true;
    if (!locked) throw new RefreshRunningError("A refresh is already running: this one would change nothing, wait for it to finish");
    // Holding the lock, any refresh still marked running belongs to a process that ended.
    await db.query(`UPDATE console.analytics_refreshes SET status = 'failed', finished_at = now(), error = 'its process ended before it finished' WHERE status = 'running'`);
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO console.analytics_refreshes (mode, reason, requested_by) VALUES ($1, $2, $3) RETURNING id`,
      [mode, input.reason, input.actor.email],
    );
    const id = rows[0]!.id;
    const started = performance.now();
    const totals = { batches: 0, changes: 0, statisticsGroups: 0, auditorMonths: 0 };
    let statisticsRows: number | null = null;
    try {
      const { rows: end } = await db.query<{ high: string | null }>(`SELECT max(id)::text AS high FROM ${u}.analytics_changes`);
      const high = end[0]?.high ?? "0";
      const scorecards = await registeredScorecards(db, u);
      // A Phase 4 that ran before the auditors page's packed months existed, or packed them in an older format: made and filled
      // here, before any batch (the ALTER locks the new table; the running totals they pack change only under this refresh's lock).
      if (!(await relationExists(db, UNIFIED_SCHEMA, "auditor_month_vectors")) || (await olderVectors(db, u))) {
        await db.query("BEGIN");
        for (const sql of [...auditorMonthVectorsTable(u), ...vectorStatements(u)]) await db.query(sql);
        await db.query("COMMIT");
      }
      if (mode === "full") {
        await db.query("BEGIN");
        await db.query(`SET LOCAL work_mem = '256MB'`);
        const statements = fullRefresh(u, scorecards);
        await db.query(statements[0]!, [high]);
        for (const sql of statements.slice(1)) await db.query(sql);
        const counts = await db.query<{ s: number; p: number }>(`SELECT (SELECT count(*) FROM ${u}.audit_statistics)::int AS s, (SELECT count(*) FROM ${u}.auditor_performance)::int AS p`);
        totals.batches = 1;
        totals.statisticsGroups = counts.rows[0]!.s;
        totals.auditorMonths = counts.rows[0]!.p;
        statisticsRows = counts.rows[0]!.s;
        // Recorded with the rebuild it counts: the next incremental refresh carries it on.
        await db.query(`UPDATE console.analytics_refreshes SET statistics_rows = $2 WHERE id = $1`, [id, statisticsRows]);
        await db.query("COMMIT");
      } else {
        const batch = input.batchChanges ?? DEFAULT_BATCH_CHANGES;
        // audit_statistics' row count, carried from the last refresh by each batch's own deletes and inserts (a count of 7M groups
        // takes seconds at 10M audits); counted once at the end when nothing trustworthy precedes this refresh.
        statisticsRows = await carriedStatisticsRows(db, id);
        const save = (statisticsDelta: number) => {
          if (statisticsRows !== null) statisticsRows += statisticsDelta;
          return db.query(
            `UPDATE console.analytics_refreshes SET batches = $2, changes = $3, statistics_groups = $4, auditor_months = $5, statistics_rows = $6 WHERE id = $1`,
            [id, totals.batches, totals.changes, totals.statisticsGroups, totals.auditorMonths, statisticsRows],
          );
        };
        // The statistics first; their auditor side joins the log's auditor rows, which are then all recomputed at once.
        await runBatches(db, statisticsBatch(u, scorecards), high, batch, STATISTICS_KEYS, u, async (claimed, groups, delta) => {
          totals.changes += claimed.filter((x) => BigInt(x) <= BigInt(high)).length;
          totals.statisticsGroups += groups;
          totals.batches += 1;
          await save(delta);
        });
        const { rows: handed } = await db.query<{ high: string | null }>(`SELECT max(id)::text AS high FROM ${u}.analytics_changes`);
        await runBatches(db, auditorBatch(u), handed[0]?.high ?? "0", batch, AUDITOR_KEYS, u, async (claimed, months, delta) => {
          totals.changes += claimed.filter((x) => BigInt(x) <= BigInt(high)).length;
          totals.auditorMonths += months;
          totals.batches += 1;
          await save(delta);
        });
      }
      const durationMs = Math.round(performance.now() - started);
      const { rows: sizes } = await db.query<{ s: number; p: number }>(
        `UPDATE console.analytics_refreshes SET status = 'succeeded', finished_at = now(), duration_ms = $2, batches = $3, changes = $4,
                statistics_groups = $5, auditor_months = $6,
                statistics_rows = COALESCE($7::bigint, (SELECT count(*) FROM ${u}.audit_statistics)), performance_rows = (SELECT count(*) FROM ${u}.auditor_performance)
          WHERE id = $1 RETURNING statistics_rows::int AS s, performance_rows::int AS p`,
        [id, durationMs, totals.batches, totals.changes, totals.statisticsGroups, totals.auditorMonths, statisticsRows],
      );
      await db.query(`SELECT pg_notify($1, $2)`, [REFRESHED_CHANNEL, String(id)]);
      return { id, mode, durationMs, ...totals, statisticsRows: sizes[0]!.s, performanceRows: sizes[0]!.p };
    } catch (error) {
      await db.query("ROLLBACK").catch(() => undefined);
      await db.query(`UPDATE console.analytics_refreshes SET status = 'failed', finished_at = now(), duration_ms = $2, error = $3 WHERE id = $1`, [
        id,
        Math.round(performance.now() - started),
        error instanceof Error ? error.message : String(error),
      ]);
      throw error;
    }
  } finally {
    if (locked) await db.query(`SELECT pg_advisory_unlock($1, $2)`, [...REFRESH_LOCK]).catch(() => undefined);
    db.release();
  }
}

/**
 * audit_statistics' row count as the newest refresh before `id` left it, or null when there is none to carry on: no refresh
 * recorded one, or a Phase 4 run or rollback had not finished when that refresh started (it may have made the summaries again,
 * dropped them, or be writing them still).
 * Every batch records the count with its own commit (and a full refresh with its rebuild), so a refresh that failed or whose
 * process ended left the count of what it committed. Only refreshes write audit_statistics once Phase 4 has made it, one at a
 * time under REFRESH_LOCK; a hand-made change to the table is not seen until a full refresh counts it again.
 */
async function carriedStatisticsRows(db: PoolClient, id: number): Promise<number | null> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT r.statistics_rows::text AS n FROM console.analytics_refreshes r
      WHERE r.id < $1 AND r.statistics_rows IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM console.phase_runs p WHERE p.phase = 4 AND COALESCE(p.finished_at, 'infinity') >= r.started_at)
      ORDER BY r.id DESC LIMIT 1`,
    [id],
  );
  return rows[0] ? Number(rows[0].n) : null;
}

/**
 * Runs batches of `statements` (0: the temp table, 1: the claim with $1 = the log's end, $2 = the
 * batch size) until a claim finds nothing, each in its own transaction; `done` gets the claimed ids,
 * the row count of the statement that creates `counted` and the rows the batch added to
 * audit_statistics (its inserts less its deletes), before the commit.
 */
async function runBatches(
  db: PoolClient,
  statements: string[],
  high: string,
  size: number,
  counted: string,
  u: string,
  done: (claimed: string[], counted: number, statisticsDelta: number) => Promise<unknown>,
): Promise<void> {
  for (;;) {
    await db.query("BEGIN");
    await db.query(`SET LOCAL work_mem = '256MB'`);
    await db.query(statements[0]!);
    const claimed = await db.query<{ id: string }>(statements[1]!, [high, size]);
    if (!claimed.rowCount) {
      await db.query("ROLLBACK");
      return;
    }
    let n = 0;
    let delta = 0;
    for (const sql of statements.slice(2)) {
      const result = await db.query(sql);
      if (sql.includes(counted)) n = result.rowCount ?? 0;
      if (sql.startsWith(`INSERT INTO ${u}.audit_statistics `)) delta += result.rowCount ?? 0;
      else if (sql.startsWith(`DELETE FROM ${u}.audit_statistics `)) delta -= result.rowCount ?? 0;
    }
    await done(claimed.rows.map((r) => String(r.id)), n, delta);
    await db.query("COMMIT");
  }
}

/** The scheduled refresh, as the worker runs it: quietly nothing before Phase 4, while paused or while another runs. */
export async function scheduledRefresh(reason: RefreshReason = "schedule", requestedBy = SYSTEM_ACTOR.email): Promise<RefreshOutcome | null> {
  if (!(await summariesExist())) return null;
  // "Roll back to legacy" paused the schedule: skip it until an admin resumes it (an admin's refresh still runs).
  if (reason === "schedule" && (await schedulePause())) return null;
  try {
    return await refreshAnalytics({ actor: { ...SYSTEM_ACTOR, email: requestedBy }, reason });
  } catch (error) {
    if (error instanceof RefreshRunningError) return null;
    throw error;
  }
}

/** Whether a packed month is of another length than its auditors' count in this format (packed by older code). */
async function olderVectors(db: PoolClient, u: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM ${u}.auditor_month_vectors WHERE octet_length(data) <> auditors * ${VECTOR_BYTES} LIMIT 1`);
  return rows.length > 0;
}
