import type pg from "pg";
import type { BatchResult, PlanContext, StepContext } from "@/lib/plan/types";
import { assertPlanCurrent, type FrozenPlan } from "./frozen-plan";

/** How long a statement waits for a lock before giving up and retrying later (never queueing behind traffic). */
export function lockTimeout(): string {
  const value = process.env.UNIFY_LOCK_TIMEOUT ?? "5s";
  if (!/^\d+(ms|s|min)?$/.test(value)) throw new Error(`UNIFY_LOCK_TIMEOUT must look like 5s or 500ms (got "${value}")`);
  return value;
}
const LOCK_RETRIES = 6;

// Test hook: a pause after each committed batch, so a test can kill a worker between batches.
const BATCH_DELAY_MS = Number(process.env.UNIFY_BATCH_DELAY_MS ?? 0);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLog(db: pg.ClientBase, runId: number, message: string, level = "info", stepId: string | null = null) {
  await db.query(`INSERT INTO console.run_log (run_id, level, step_id, message) VALUES ($1, $2, $3, $4)`, [runId, level, stepId, message]);
}

/**
 * Errors after which the whole batch may simply run again: a lock not granted in time, or the
 * batch chosen as a deadlock's or a serialization conflict's victim (live-sync writers update the
 * same rows). The batch rolled back entirely, so running it again is what PostgreSQL advises.
 */
const RETRYABLE: Record<string, string> = {
  "55P03": "lock not granted within the lock timeout",
  "40P01": "chosen as the victim of a deadlock",
  "40001": "serialization conflict",
};

function retryReason(error: unknown): string | null {
  return RETRYABLE[(error as { code?: string })?.code ?? ""] ?? null;
}

/** Where a batch's checkpoint and rows are written: a step, or one unit of a step. */
export interface ProgressTarget {
  runId: number;
  stepId: string;
  unit: { id: string; title: string } | null;
}

async function saveBatch(db: pg.ClientBase, target: ProgressTarget, checkpoint: unknown, rows: number): Promise<void> {
  const { runId, stepId, unit } = target;
  if (unit) {
    await db.query(
      `UPDATE console.unit_runs SET checkpoint = $4, rows_done = rows_done + $5 WHERE run_id = $1 AND step_id = $2 AND unit_id = $3`,
      [runId, stepId, unit.id, JSON.stringify(checkpoint), rows],
    );
    // Last, so the row lock shared by the step's units is held for the shortest time.
    await db.query(`UPDATE console.step_runs SET rows_done = rows_done + $3 WHERE run_id = $1 AND step_id = $2`, [runId, stepId, rows]);
  } else {
    await db.query(
      `UPDATE console.step_runs SET checkpoint = $3, rows_done = rows_done + $4 WHERE run_id = $1 AND step_id = $2`,
      [runId, stepId, JSON.stringify(checkpoint), rows],
    );
  }
  await db.query(`UPDATE console.phase_runs SET heartbeat_at = now() WHERE id = $1`, [runId]);
}

async function saveTotal(db: pg.ClientBase, target: ProgressTarget, rows: number): Promise<void> {
  const { runId, stepId, unit } = target;
  if (!unit) {
    await db.query(`UPDATE console.step_runs SET rows_total = $3 WHERE run_id = $1 AND step_id = $2`, [runId, stepId, rows]);
    return;
  }
  await db.query(`UPDATE console.unit_runs SET rows_total = $4 WHERE run_id = $1 AND step_id = $2 AND unit_id = $3`, [runId, stepId, unit.id, rows]);
  await db.query(
    `UPDATE console.step_runs SET rows_total = (SELECT sum(coalesce(rows_total, 0)) FROM console.unit_runs WHERE run_id = $1 AND step_id = $2)
      WHERE run_id = $1 AND step_id = $2`,
    [runId, stepId],
  );
}

/** True once an admin asked the run to pause or cancel. */
export async function runInterrupted(db: pg.ClientBase, runId: number): Promise<boolean> {
  const { rows } = await db.query<{ stop: boolean }>(
    `SELECT status <> 'running' OR pause_requested OR cancel_requested AS stop FROM console.phase_runs WHERE id = $1`,
    [runId],
  );
  return rows[0]?.stop ?? true;
}

/**
 * True once a unit must stop at its batch boundary: the run was asked to pause or cancel (or is no
 * longer running), or another unit of the step failed — on this worker or any other.
 */
export async function unitInterrupted(db: pg.ClientBase, runId: number, stepId: string): Promise<boolean> {
  const { rows } = await db.query<{ stop: boolean }>(
    `SELECT r.status <> 'running' OR r.pause_requested OR r.cancel_requested
            OR EXISTS (SELECT 1 FROM console.unit_runs f WHERE f.run_id = r.id AND f.step_id = $2 AND f.status = 'failed') AS stop
       FROM console.phase_runs r WHERE r.id = $1`,
    [runId, stepId],
  );
  return rows[0]?.stop ?? true;
}

/**
 * The context a step (or one of its units) runs with, on one session: batches that commit with
 * their checkpoint and progress, the frozen statements, and — for a run, not a rollback — a check
 * before every batch that the legacy database still matches the approved plan.
 */
export function stepContext(input: {
  db: pg.PoolClient;
  base: PlanContext;
  target: ProgressTarget;
  statements: string[];
  checkpoint: unknown;
  frozen: FrozenPlan | null;
  /** Extra reason to stop at the next batch boundary (a stopping worker hands its unit over). */
  stopRequested?: () => boolean;
}): StepContext {
  const { db, target, frozen } = input;
  return {
    ...input.base,
    db,
    statements: input.statements,
    unit: target.unit,
    checkpoint: input.checkpoint ?? null,
    async batch(work: (db: pg.PoolClient) => Promise<BatchResult<unknown>>) {
      if (frozen) await assertPlanCurrent(db, frozen);
      for (let attempt = 1; ; attempt++) {
        try {
          await db.query("BEGIN");
          const result = await work(db);
          await saveBatch(db, target, result.checkpoint, result.rows);
          await db.query("COMMIT");
          if (BATCH_DELAY_MS > 0) await sleep(BATCH_DELAY_MS);
          return;
        } catch (error) {
          await db.query("ROLLBACK").catch(() => undefined);
          const reason = retryReason(error);
          if (!reason || attempt >= LOCK_RETRIES) throw error;
          const wait = Math.min(30_000, 500 * 2 ** attempt);
          const why = reason.startsWith("lock not granted") ? `lock not granted within ${lockTimeout()}` : reason;
          await runLog(db, target.runId, `${why} (attempt ${attempt} of ${LOCK_RETRIES}); retrying in ${wait / 1000}s`, "warn", target.stepId);
          await sleep(wait);
        }
      }
    },
    setTotal: (rows: number) => saveTotal(db, target, rows),
    async interrupted() {
      if (input.stopRequested?.()) return true;
      return target.unit ? unitInterrupted(db, target.runId, target.stepId) : runInterrupted(db, target.runId);
    },
    async log(message: string, level: "info" | "warn" | "error" = "info") {
      const prefix = target.unit ? `[${target.unit.title}] ` : "";
      await runLog(db, target.runId, `${prefix}${message}`, level, target.stepId);
    },
  };
}
