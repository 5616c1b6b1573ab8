import { hostname } from "node:os";
import pg from "pg";
import { extendedSession } from "@/lib/db/extended";
import { requireDatabaseUrl } from "@/lib/db/url";
import type { PlanContext, Step } from "@/lib/plan/types";
import type { FrozenPlan } from "./frozen-plan";
import { noticeDeadWorker } from "./liveness";
import { unitParallelism } from "./parallelism";
import { transitionStep } from "./state-machine";
import { lockTimeout, runLog, stepContext, unitInterrupted } from "./step-context";

/**
 * Claiming the units of a step, by any worker. A unit is claimed with a session advisory lock on
 * (UNIT_LOCK_NAMESPACE, its claim_key) taken by the session that runs it: exactly one session in
 * the whole cluster of workers holds it, and when a worker dies its sessions end and their claims
 * free themselves, so another worker claims the unit and continues from its checkpoint. Every
 * worker process opens at most UNIFY_PARALLEL unit sessions in all.
 */
export const UNIT_LOCK_NAMESPACE = 0x756e6974; // "unit"

type FrozenStep = FrozenPlan["steps"][number];
type FrozenUnit = NonNullable<FrozenStep["units"]>[number];

/** What a worker needs to run units of one step of one run: the frozen plan and the step's code. */
export interface UnitStep {
  runId: number;
  step: Step;
  frozenStep: FrozenStep;
  frozen: FrozenPlan;
  base: PlanContext;
}

/** This worker as console.unit_runs.worker records it: UNIFY_WORKER_NAME, else host:pid. */
export function workerName(): string {
  return process.env.UNIFY_WORKER_NAME?.trim() || `${hostname()}:${process.pid}`;
}

/** SQL over `console.unit_runs u`: some session, of any worker, holds the unit's claim. */
export const CLAIM_HELD = `EXISTS (SELECT 1 FROM pg_locks l
   WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND l.classid = ${UNIT_LOCK_NAMESPACE}::oid AND l.objid = u.claim_key::oid)`;

/** This process's unit sessions: how many are open, and per step the slots running its units. */
const local = {
  sessions: 0,
  slots: new Map<string, Set<Promise<void>>>(),
  /** The error of a unit that failed on this worker, kept whole (its type) for the coordinator. */
  failures: new Map<string, Error>(),
  /** A slot that broke outside its unit's work (e.g. it could not connect). */
  crashes: new Map<string, Error>(),
  /** Slots opened to help another executor's run (by the sweep), which a stopping worker hands over. */
  helping: new Set<Promise<void>>(),
  handingOver: false,
};
const stepKey = (work: UnitStep) => `${work.runId}/${work.frozenStep.id}`;

async function unitSession(): Promise<pg.Client> {
  const client = extendedSession(new pg.Client({ connectionString: requireDatabaseUrl(), application_name: "unify-unit", keepAlive: true }));
  client.on("error", () => undefined);
  await client.connect();
  await client.query(`SET lock_timeout = '${lockTimeout()}'`);
  await noticeDeadWorker(client);
  return client;
}

/**
 * Opens as many unit sessions for the step as this worker still may and the step has unclaimed
 * units; each claims units one after another until none is left. Returns at once with how many
 * it opened. `helping`: for a run another executor coordinates (or none yet), so a stopping worker
 * hands these units over instead of finishing them.
 */
export async function claimUnits(work: UnitStep, db: pg.ClientBase | pg.Pool, options: { helping: boolean }): Promise<number> {
  if (options.helping && local.handingOver) return 0;
  const capacity = await unitParallelism(db);
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM console.unit_runs u
      WHERE u.run_id = $1 AND u.step_id = $2 AND u.status NOT IN ('succeeded', 'failed') AND NOT ${CLAIM_HELD}`,
    [work.runId, work.frozenStep.id],
  );
  // Read after the await: two callers in this process never both spend the same free session.
  const opened = Math.max(0, Math.min(capacity - local.sessions, rows[0]?.n ?? 0));
  for (let i = 0; i < opened; i++) openSlot(work, options.helping);
  return opened;
}

/**
 * A stopping worker (SIGTERM, SIGINT) claims no more units of others' runs and lets go of those it
 * runs at their next batch boundary, so the other workers continue them from their checkpoints;
 * resolves once those sessions have ended. Units of a run this worker coordinates are finished here.
 */
export async function handOverUnits(): Promise<void> {
  local.handingOver = true;
  while (local.helping.size) await Promise.all([...local.helping]);
}

/** A (re)started worker claims units again. */
export function resumeClaiming(): void {
  local.handingOver = false;
}

function openSlot(work: UnitStep, helping: boolean): void {
  const key = stepKey(work);
  const slots = local.slots.get(key) ?? new Set<Promise<void>>();
  local.slots.set(key, slots);
  local.sessions++;
  const running: Promise<void> = runSlot(work, helping)
    .catch((error: Error) => {
      if (!local.crashes.has(key)) local.crashes.set(key, error);
    })
    .finally(() => {
      local.sessions--;
      local.helping.delete(running);
      slots.delete(running);
      if (!slots.size) local.slots.delete(key);
    });
  slots.add(running);
  if (helping) local.helping.add(running);
}

/** Waits until this worker's sessions on the step have ended. */
export async function localSlotsDone(work: UnitStep): Promise<void> {
  for (let slots = local.slots.get(stepKey(work)); slots?.size; slots = local.slots.get(stepKey(work))) await Promise.all([...slots]);
}

/** The error a unit of the step met on this worker (taken: asked once), if any. */
export function takeLocalFailure(work: UnitStep): Error | undefined {
  const error = local.failures.get(stepKey(work));
  local.failures.delete(stepKey(work));
  return error;
}

/** A unit session of the step that broke on this worker (taken: asked once), if any. */
export function takeLocalCrash(work: UnitStep): Error | undefined {
  const error = local.crashes.get(stepKey(work));
  local.crashes.delete(stepKey(work));
  return error;
}

async function runSlot(work: UnitStep, helping: boolean): Promise<void> {
  const handOver = () => helping && local.handingOver;
  const session = await unitSession();
  try {
    for (;;) {
      const claim = handOver() ? null : await claimNext(session, work);
      if (!claim) return;
      let stop: boolean;
      try {
        stop = await runClaimed(session, work, claim, handOver);
      } finally {
        await session.query(`SELECT pg_advisory_unlock($1, $2)`, [UNIT_LOCK_NAMESPACE, claim.key]);
      }
      if (stop) return;
    }
  } finally {
    await session.end().catch(() => undefined);
  }
}

interface Claim {
  unit: FrozenUnit;
  key: number;
  checkpoint: unknown;
  previousWorker: string | null;
}

/**
 * Claims the unfinished unit nobody holds with the most rows left (plan order among equals): the
 * largest first, so the step does not end with one big unit running alone while the other
 * sessions idle. Null when there is none to take.
 */
async function claimNext(session: pg.Client, work: UnitStep): Promise<Claim | null> {
  const { runId, frozenStep } = work;
  const { rows } = await session.query<{ unit_id: string; claim_key: number }>(
    `SELECT u.unit_id, u.claim_key FROM console.unit_runs u
      WHERE u.run_id = $1 AND u.step_id = $2 AND u.status NOT IN ('succeeded', 'failed') AND NOT ${CLAIM_HELD}
      ORDER BY coalesce(u.rows_total, 0) - coalesce(u.rows_done, 0) DESC, u.position`,
    [runId, frozenStep.id],
  );
  for (const candidate of rows) {
    const { rows: lock } = await session.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock($1, $2) AS locked`, [
      UNIT_LOCK_NAMESPACE,
      candidate.claim_key,
    ]);
    if (!lock[0]?.locked) continue;
    // Read again under the claim: another worker may have finished the unit just before, a sibling
    // may have failed or the run been asked to stop since the list was read.
    const { rows: now } = await session.query<{ status: string; checkpoint: unknown; worker: string | null }>(
      `SELECT status::text, checkpoint, worker FROM console.unit_runs WHERE run_id = $1 AND step_id = $2 AND unit_id = $3`,
      [runId, frozenStep.id, candidate.unit_id],
    );
    const stop = await unitInterrupted(session, runId, frozenStep.id);
    const unit = frozenStep.units?.find((u) => u.id === candidate.unit_id);
    const row = now[0];
    if (!stop && unit && row && row.status !== "succeeded" && row.status !== "failed") {
      return { unit, key: candidate.claim_key, checkpoint: row.checkpoint, previousWorker: row.worker };
    }
    await session.query(`SELECT pg_advisory_unlock($1, $2)`, [UNIT_LOCK_NAMESPACE, candidate.claim_key]);
    if (stop) return null;
  }
  return null;
}

/**
 * Runs one claimed unit from its checkpoint. True when the slot must stop claiming: the unit
 * failed, or it stopped at a batch boundary (pause, cancel, a sibling's failure, a hand-over).
 */
async function runClaimed(session: pg.Client, work: UnitStep, claim: Claim, handOver: () => boolean): Promise<boolean> {
  const { runId, frozenStep } = work;
  const { unit, checkpoint } = claim;
  const target = { runId, stepId: frozenStep.id, unitId: unit.id };
  const worker = workerName();
  try {
    await transitionStep(session, target, "start");
    await session.query(`UPDATE console.unit_runs SET backend_pid = pg_backend_pid(), worker = $4 WHERE run_id = $1 AND step_id = $2 AND unit_id = $3`, [
      runId,
      frozenStep.id,
      unit.id,
      worker,
    ]);
    if (claim.previousWorker && claim.previousWorker !== worker) {
      await runLog(session, runId, `[${unit.title}] claimed by worker ${worker} (last worked on by ${claim.previousWorker})`, "info", frozenStep.id);
    }
    await runLog(session, runId, checkpoint ? `[${unit.title}] resuming from checkpoint ${JSON.stringify(checkpoint)}` : `[${unit.title}] started`, "info", frozenStep.id);
    const db = session as unknown as pg.PoolClient;
    await work.step.run(
      stepContext({
        db,
        base: { ...work.base, db },
        target: { runId, stepId: frozenStep.id, unit: { id: unit.id, title: unit.title } },
        statements: unit.statements,
        checkpoint: checkpoint ?? null,
        frozen: work.frozen,
        stopRequested: handOver,
      }),
    );
  } catch (error) {
    await session.query("ROLLBACK").catch(() => undefined);
    const message = (error as Error).message;
    if (!local.failures.has(stepKey(work))) local.failures.set(stepKey(work), error as Error);
    await transitionStep(session, target, "fail", message);
    await runLog(session, runId, `[${unit.title}] failed: ${message}`, "error", frozenStep.id);
    return true;
  }
  // The unit returned: finished, or stopped at a boundary because of a request, a failure or a hand-over.
  if (handOver() || (await unitInterrupted(session, runId, frozenStep.id))) return true;
  await transitionStep(session, target, "succeed");
  await runLog(session, runId, `[${unit.title}] done`, "info", frozenStep.id);
  return false;
}
