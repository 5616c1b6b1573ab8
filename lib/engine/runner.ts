import type pg from "pg";
import { pool } from "@/lib/db/pool";
import { phaseDefinition, planContext } from "@/lib/plan/plan";
import type { BatchResult, Check, PlanContext, Step, StepContext } from "@/lib/plan/types";

/**
 * Executes one run on one dedicated PostgreSQL session. The session holds an advisory lock on the
 * run for as long as it works: a second executor gets `busy`, and when a worker dies the lock is
 * freed at once, which is how the sweep recognises an orphaned run and resumes it from the last
 * committed checkpoint.
 */
export const RUN_LOCK_NAMESPACE = 0x756e6979; // "uniy"

/** How long a statement waits for a lock before giving up and retrying later (never queueing behind traffic). */
function lockTimeout(): string {
  const value = process.env.UNIFY_LOCK_TIMEOUT ?? "5s";
  if (!/^\d+(ms|s|min)?$/.test(value)) throw new Error(`UNIFY_LOCK_TIMEOUT must look like 5s or 500ms (got "${value}")`);
  return value;
}
const LOCK_RETRIES = 6;

// Test hook: a pause after each committed batch, so a test can kill a worker between batches.
const BATCH_DELAY_MS = Number(process.env.UNIFY_BATCH_DELAY_MS ?? 0);

export type ExecuteOutcome = "busy" | "finished" | "not runnable";

interface RunRow {
  id: number;
  phase: number;
  kind: "run" | "rollback";
  status: string;
  only_step: string | null;
  pause_requested: boolean;
  cancel_requested: boolean;
}

interface StepRow {
  step_id: string;
  status: string;
  checkpoint: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function log(db: pg.PoolClient, runId: number, message: string, level = "info", stepId: string | null = null) {
  await db.query(`INSERT INTO console.run_log (run_id, level, step_id, message) VALUES ($1, $2, $3, $4)`, [runId, level, stepId, message]);
}

async function readRun(db: pg.PoolClient, runId: number): Promise<RunRow | undefined> {
  const { rows } = await db.query<RunRow>(
    `SELECT id, phase, kind::text, status::text, only_step, pause_requested, cancel_requested FROM console.phase_runs WHERE id = $1`,
    [runId],
  );
  return rows[0];
}

/** Pause or cancel when asked; returns true when the run must stop now. */
async function settleInterruption(db: pg.PoolClient, runId: number): Promise<boolean> {
  const run = await readRun(db, runId);
  if (!run) return true;
  if (run.cancel_requested) {
    await db.query(`UPDATE console.phase_runs SET status = 'cancelled', finished_at = now(), cancel_requested = false, pause_requested = false WHERE id = $1`, [runId]);
    await log(db, runId, "cancelled at a batch boundary; committed batches stay, roll back to undo them", "warn");
    return true;
  }
  if (run.pause_requested) {
    await db.query(`UPDATE console.phase_runs SET status = 'paused', pause_requested = false WHERE id = $1`, [runId]);
    await log(db, runId, "paused at a batch boundary; resume continues from the last checkpoint");
    return true;
  }
  return false;
}

function isLockTimeout(error: unknown): boolean {
  return (error as { code?: string })?.code === "55P03";
}

function stepContext(db: pg.PoolClient, base: PlanContext, runId: number, step: Step, checkpoint: unknown): StepContext {
  return {
    ...base,
    db,
    checkpoint: checkpoint ?? null,
    async batch(work: (db: pg.PoolClient) => Promise<BatchResult<unknown>>) {
      for (let attempt = 1; ; attempt++) {
        try {
          await db.query("BEGIN");
          const result = await work(db);
          await db.query(
            `UPDATE console.step_runs SET checkpoint = $3, rows_done = rows_done + $4 WHERE run_id = $1 AND step_id = $2`,
            [runId, step.id, JSON.stringify(result.checkpoint), result.rows],
          );
          await db.query(`UPDATE console.phase_runs SET heartbeat_at = now() WHERE id = $1`, [runId]);
          await db.query("COMMIT");
          if (BATCH_DELAY_MS > 0) await sleep(BATCH_DELAY_MS);
          return;
        } catch (error) {
          await db.query("ROLLBACK").catch(() => undefined);
          if (!isLockTimeout(error) || attempt >= LOCK_RETRIES) throw error;
          const wait = Math.min(30_000, 500 * 2 ** attempt);
          await log(db, runId, `lock not granted within ${lockTimeout()} (attempt ${attempt} of ${LOCK_RETRIES}); retrying in ${wait / 1000}s`, "warn", step.id);
          await sleep(wait);
        }
      }
    },
    async setTotal(rows: number) {
      await db.query(`UPDATE console.step_runs SET rows_total = $3 WHERE run_id = $1 AND step_id = $2`, [runId, step.id, rows]);
    },
    async interrupted() {
      const run = await readRun(db, runId);
      return !run || run.pause_requested || run.cancel_requested;
    },
    async log(message: string, level: "info" | "warn" | "error" = "info") {
      await log(db, runId, message, level, step.id);
    },
  };
}

async function verifyAll(ctx: PlanContext, steps: Step[]): Promise<Check[]> {
  const checks: Check[] = [];
  for (const step of steps) for (const c of await step.verify(ctx)) checks.push({ ...c, name: `${step.id}: ${c.name}` });
  return checks;
}

async function execute(db: pg.PoolClient, run: RunRow): Promise<void> {
  const definition = phaseDefinition(run.phase);
  if (!definition) throw new Error(`phase ${run.phase} has no steps in this version`);
  await db.query(`SET lock_timeout = '${lockTimeout()}'`);
  const base = await planContext(db);
  const steps = definition.steps(base);
  const { rows: stepRows } = await db.query<StepRow>(
    `SELECT step_id, status::text, checkpoint FROM console.step_runs WHERE run_id = $1 ORDER BY position`,
    [run.id],
  );

  for (const row of stepRows) {
    if (row.status === "succeeded" || row.status === "skipped") continue;
    if (await settleInterruption(db, run.id)) return;
    const step = steps.find((s) => s.id === row.step_id);
    if (!step) throw new Error(`step ${row.step_id} is no longer part of phase ${run.phase}'s plan`);
    await db.query(
      `UPDATE console.step_runs SET status = 'running', started_at = coalesce(started_at, now()), error = NULL WHERE run_id = $1 AND step_id = $2`,
      [run.id, step.id],
    );
    await log(db, run.id, row.checkpoint ? `${step.title}: resuming from checkpoint ${JSON.stringify(row.checkpoint)}` : `${step.title}: started`, "info", step.id);
    const ctx = stepContext(db, base, run.id, step, row.checkpoint);
    try {
      if (run.kind === "run") {
        await step.run(ctx);
      } else {
        await db.query("BEGIN");
        await step.rollback(ctx);
        await db.query("COMMIT");
      }
    } catch (error) {
      await db.query("ROLLBACK").catch(() => undefined);
      const message = (error as Error).message;
      await db.query(`UPDATE console.step_runs SET status = 'failed', error = $3 WHERE run_id = $1 AND step_id = $2`, [run.id, step.id, message]);
      await db.query(`UPDATE console.phase_runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [run.id, `${step.id}: ${message}`]);
      await log(db, run.id, `${step.title}: failed: ${message}`, "error", step.id);
      return;
    }
    if (await settleInterruption(db, run.id)) return;
    await db.query(
      `UPDATE console.step_runs SET status = 'succeeded', finished_at = now(), rows_done = greatest(rows_done, coalesce(rows_total, 0)) WHERE run_id = $1 AND step_id = $2`,
      [run.id, step.id],
    );
    await log(db, run.id, `${step.title}: done`, "info", step.id);
  }

  if (run.kind === "rollback") {
    await db.query(`UPDATE console.phase_runs SET status = 'succeeded', finished_at = now() WHERE id = $1`, [run.id]);
    await db.query(
      `UPDATE console.phase_runs SET status = 'rolled_back' WHERE phase = $1 AND kind = 'run' AND status IN ('succeeded', 'failed', 'cancelled') AND id < $2`,
      [run.phase, run.id],
    );
    await log(db, run.id, `phase ${run.phase} rolled back`);
    return;
  }
  const verified = run.only_step ? steps.filter((s) => s.id === run.only_step) : steps;
  const checks = await verifyAll(base, verified);
  const failed = checks.filter((c) => c.status === "fail");
  await db.query(
    `UPDATE console.phase_runs SET status = $2, verification = $3, finished_at = now(), error = $4 WHERE id = $1`,
    [run.id, failed.length ? "failed" : "succeeded", JSON.stringify(checks), failed.length ? `post-validation failed: ${failed.map((c) => c.name).join("; ")}` : null],
  );
  await log(db, run.id, failed.length ? `post-validation failed (${failed.length} of ${checks.length} checks)` : `post-validation passed (${checks.length} checks)`, failed.length ? "error" : "info");
}

/** Runs (or resumes) a queued or orphaned run to its end, a pause or a cancel. */
export async function executeRun(runId: number): Promise<ExecuteOutcome> {
  const db = await pool().connect();
  try {
    const { rows } = await db.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock($1, $2) AS locked`, [RUN_LOCK_NAMESPACE, runId]);
    if (!rows[0]?.locked) return "busy";
    try {
      const run = await readRun(db, runId);
      if (!run || (run.status !== "queued" && run.status !== "running")) return "not runnable";
      const resumed = run.status === "running";
      await db.query(
        `UPDATE console.phase_runs SET status = 'running', started_at = coalesce(started_at, now()), heartbeat_at = now() WHERE id = $1`,
        [runId],
      );
      await log(db, runId, resumed ? "resumed by a worker after the previous one stopped" : `${run.kind === "run" ? "run" : "rollback"} started`);
      try {
        await execute(db, run);
      } catch (error) {
        await db.query("ROLLBACK").catch(() => undefined);
        const message = (error as Error).message;
        await db.query(`UPDATE console.phase_runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [runId, message]);
        await log(db, runId, `failed: ${message}`, "error");
      }
      return "finished";
    } finally {
      await db.query(`SELECT pg_advisory_unlock($1, $2)`, [RUN_LOCK_NAMESPACE, runId]).catch(() => undefined);
    }
  } finally {
    db.release();
  }
}

/** Runs whose executor is gone: queued or running, with their advisory lock free. */
export async function resumeOrphanedRuns(): Promise<number[]> {
  const { rows } = await pool().query<{ id: number }>(
    `SELECT id FROM console.phase_runs WHERE status IN ('queued', 'running') ORDER BY id`,
  );
  const resumed: number[] = [];
  for (const { id } of rows) {
    if ((await executeRun(id)) === "finished") resumed.push(id);
  }
  return resumed;
}
