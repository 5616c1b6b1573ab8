import type pg from "pg";
import { extendedSession } from "@/lib/db/extended";
import { pool } from "@/lib/db/pool";
import { phaseDefinition, planContext } from "@/lib/plan/plan";
import type { Check, PlanContext, Step } from "@/lib/plan/types";
import { undoTitle } from "./undo-title";
import { voidApprovals } from "./approvals";
import { PlanChangedError } from "./errors";
import { frozenContext, type FrozenPlan } from "./frozen-plan";
import { noticeDeadWorker } from "./liveness";
import { transitionRun, transitionStep, tryTransitionRun } from "./state-machine";
import { lockTimeout, runLog as log, stepContext } from "./step-context";
import { workerName } from "./unit-claims";
import { runUnits } from "./units";
import { executeValidation, postRunValidation, validationReport } from "@/lib/validation/runs";

/**
 * Executes one run on one dedicated PostgreSQL session. The session holds an advisory lock on the
 * run for as long as it works: a second executor gets `busy`, and when a worker dies the lock is
 * freed at once, which is how the sweep recognises an orphaned run and resumes it from the last
 * committed checkpoint. A run executes the plan frozen with it when it was requested. The lock
 * holder is the run's coordinator: it drives the steps; the units of a step are claimed one by one
 * by every worker (lib/engine/unit-claims.ts), the coordinator among them.
 */
export const RUN_LOCK_NAMESPACE = 0x756e6979; // "uniy"

export type ExecuteOutcome = "busy" | "finished" | "not runnable";

interface RunRow {
  id: number;
  phase: number;
  kind: "run" | "rollback";
  status: string;
  only_step: string | null;
  plan: FrozenPlan | null;
}

interface StepRow {
  step_id: string;
  status: string;
  checkpoint: unknown;
}

async function readRun(db: pg.PoolClient, runId: number): Promise<RunRow | undefined> {
  const { rows } = await db.query<RunRow>(
    `SELECT id, phase, kind::text, status::text, only_step, plan FROM console.phase_runs WHERE id = $1`,
    [runId],
  );
  return rows[0];
}

/** Honours a pause or cancel request at a batch boundary; true when the run must stop now. */
async function settleInterruption(db: pg.PoolClient, runId: number): Promise<boolean> {
  if (await tryTransitionRun(db, runId, "settle_cancel")) {
    await log(db, runId, "cancelled at a batch boundary; committed batches stay, roll back to undo them", "warn");
    return true;
  }
  if (await tryTransitionRun(db, runId, "settle_pause")) {
    await log(db, runId, "paused at a batch boundary; resume continues from the last checkpoint");
    return true;
  }
  const { rows } = await db.query<{ status: string }>(`SELECT status::text FROM console.phase_runs WHERE id = $1`, [runId]);
  return rows[0]?.status !== "running";
}


async function failRun(db: pg.PoolClient, run: RunRow, message: string): Promise<void> {
  await transitionRun(db, run.id, "fail", { error: message });
  await log(db, run.id, `failed: ${message}`, "error");
}

/** Runs a step (or its units); "interrupted" when units stopped at a boundary before all finished. */
async function runStep(db: pg.PoolClient, run: RunRow, step: Step, row: StepRow, base: PlanContext): Promise<"done" | "interrupted"> {
  const frozen = run.plan!;
  const frozenStep = frozen.steps.find((s) => s.id === step.id);
  if (!frozenStep) throw new PlanChangedError(`step ${step.id} is not part of the approved plan of run #${run.id}`);
  if (frozenStep.units) return runUnits({ main: db, runId: run.id, step, frozenStep, frozen, base });
  await step.run(stepContext({ db, base, target: { runId: run.id, stepId: step.id, unit: null }, statements: frozenStep.statements, checkpoint: row.checkpoint, frozen }));
  return "done";
}

async function execute(db: pg.PoolClient, run: RunRow): Promise<void> {
  const definition = phaseDefinition(run.phase);
  if (!definition) throw new Error(`phase ${run.phase} has no steps in this version`);
  if (run.kind === "run" && !run.plan) throw new PlanChangedError(`run #${run.id} carries no approved plan: request it again`);
  await db.query(`SET lock_timeout = '${lockTimeout()}'`);
  const base = run.plan ? frozenContext(run.plan, db) : await planContext(db);
  const steps = definition.steps(base);
  const { rows: stepRows } = await db.query<StepRow>(
    `SELECT step_id, status::text, checkpoint FROM console.step_runs WHERE run_id = $1 ORDER BY position`,
    [run.id],
  );

  for (const row of stepRows) {
    if (row.status === "succeeded" || row.status === "skipped") continue;
    if (await settleInterruption(db, run.id)) return;
    const step = steps.find((s) => s.id === row.step_id);
    // A rollback's log says what it undoes, not what the step once did.
    const title = step?.title ?? row.step_id;
    const label = run.kind === "rollback" ? undoTitle(title) : title;
    let outcome: "done" | "interrupted" = "done";
    try {
      if (!step) throw new PlanChangedError(`step ${row.step_id} is no longer part of phase ${run.phase} in this version of Unify`);
      await transitionStep(db, { runId: run.id, stepId: step.id }, "start");
      await log(db, run.id, row.checkpoint ? `${label}: resuming from checkpoint ${JSON.stringify(row.checkpoint)}` : `${label}: started`, "info", step.id);
      if (run.kind === "run") {
        outcome = await runStep(db, run, step, row, base);
      } else {
        await db.query("BEGIN");
        await step.rollback(stepContext({ db, base, target: { runId: run.id, stepId: step.id, unit: null }, statements: [], checkpoint: row.checkpoint, frozen: null }));
        await db.query("COMMIT");
      }
    } catch (error) {
      await db.query("ROLLBACK").catch(() => undefined);
      const message = (error as Error).message;
      await transitionStep(db, { runId: run.id, stepId: row.step_id }, "fail", message).catch(() => undefined);
      await log(db, run.id, `${label}: failed: ${message}`, "error", row.step_id);
      if (error instanceof PlanChangedError) await voidApprovals(db, run.phase, `the plan changed during run #${run.id}: ${message}`);
      await failRun(db, run, `${row.step_id}: ${message}`);
      return;
    }
    if ((await settleInterruption(db, run.id)) || outcome === "interrupted") return;
    await transitionStep(db, { runId: run.id, stepId: step.id }, "succeed");
    await log(db, run.id, `${label}: done`, "info", step.id);
  }

  if (run.kind === "rollback") {
    if (!(await finish(db, run, `phase ${run.phase} rolled back`))) return;
    const { rows: undone } = await db.query<{ id: number }>(
      `SELECT id FROM console.phase_runs WHERE phase = $1 AND kind = 'run' AND status IN ('succeeded', 'failed', 'cancelled') AND id < $2`,
      [run.phase, run.id],
    );
    for (const { id } of undone) await tryTransitionRun(db, id, "roll_back");
    return;
  }
  // Post-validation is the phase's post-run suite (the steps' own checks and the independent ones),
  // stored as a validation report of this run; a resumed run continues the same report.
  const validationId = await postRunValidation(run.id, run.phase, run.only_step, run.plan?.checksum ?? "", base);
  if ((await executeValidation(validationId)) === "busy") throw new Error(`validation #${validationId} is held by another session`);
  const report = await validationReport(validationId);
  const checks: Check[] = (report?.checks ?? []).flatMap((c) => c.results.map((r) => ({ name: r.name, status: r.status, detail: r.detail })));
  const failed = checks.filter((c) => c.status === "fail");
  await db.query(`UPDATE console.phase_runs SET verification = $2 WHERE id = $1`, [run.id, JSON.stringify(checks)]);
  if (report?.status === "error") failed.push({ name: `validation #${validationId}`, status: "fail", detail: report.error ?? "" });
  if (failed.length) {
    await failRun(db, run, `post-validation failed: ${failed.map((c) => c.name).join("; ")}`);
    return;
  }
  await finish(db, run, `post-validation passed (${checks.length} checks)`);
}

/**
 * The last transition of a run. A pause or cancel that arrived after the last boundary wins over
 * success (it is honoured, never dropped): the run then stops as asked, its work committed.
 * Returns true when the run succeeded.
 */
async function finish(db: pg.PoolClient, run: RunRow, message: string): Promise<boolean> {
  for (;;) {
    if (await tryTransitionRun(db, run.id, "succeed")) {
      await log(db, run.id, message);
      return true;
    }
    if (await settleInterruption(db, run.id)) return false;
  }
}

/** Runs (or resumes) a queued or orphaned run to its end, a pause or a cancel. */
export async function executeRun(runId: number): Promise<ExecuteOutcome> {
  // Every statement of a run goes over the extended protocol: one statement per call, never two.
  const db = extendedSession(await pool().connect());
  try {
    const { rows } = await db.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock($1, $2) AS locked`, [RUN_LOCK_NAMESPACE, runId]);
    if (!rows[0]?.locked) return "busy";
    try {
      await noticeDeadWorker(db);
      const before = await readRun(db, runId);
      // Compare-and-set: a pause or cancel that lands between the read and here is never overwritten.
      const started = before ? await tryTransitionRun(db, runId, "start") : null;
      if (!before || !started) return "not runnable";
      const run = { ...before, status: started.status };
      await log(
        db,
        runId,
        before.status === "running"
          ? `resumed by worker ${workerName()} after the previous one stopped`
          : `${run.kind === "run" ? "run" : "rollback"} started on worker ${workerName()}`,
      );
      try {
        await execute(db, run);
      } catch (error) {
        await db.query("ROLLBACK").catch(() => undefined);
        const message = (error as Error).message;
        if (error instanceof PlanChangedError) await voidApprovals(db, run.phase, `the plan changed during run #${run.id}: ${message}`);
        await failRun(db, run, message).catch(() => undefined);
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
