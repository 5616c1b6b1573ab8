import type pg from "pg";
import { pool } from "@/lib/db/pool";
import { phaseDefinition } from "@/lib/plan/plan";
import type { PlanContext, Step } from "@/lib/plan/types";
import { assertPlanCurrent, frozenContext, type FrozenPlan } from "./frozen-plan";
import { unitParallelism } from "./parallelism";
import { runLog, sleep } from "./step-context";
import { CLAIM_HELD, claimUnits, localSlotsDone, takeLocalCrash, takeLocalFailure, type UnitStep } from "./unit-claims";

type FrozenStep = FrozenPlan["steps"][number];

export type UnitsOutcome = "done" | "interrupted";

/** How often the coordinator looks at its step's units (and takes over those a dead worker freed). */
const COORDINATOR_POLL_MS = 200;

interface UnitsState {
  unfinished: number;
  failed: number;
  /** Units some session of some worker holds a claim on right now. */
  held: number;
  /** The run was asked to pause or cancel, or is no longer running. */
  stop: boolean;
}

async function unitsState(db: pg.ClientBase, runId: number, stepId: string): Promise<UnitsState> {
  const { rows } = await db.query<UnitsState>(
    `SELECT count(*) FILTER (WHERE u.status NOT IN ('succeeded', 'failed'))::int AS unfinished,
            count(*) FILTER (WHERE u.status = 'failed')::int AS failed,
            count(*) FILTER (WHERE ${CLAIM_HELD})::int AS held,
            (SELECT r.status <> 'running' OR r.pause_requested OR r.cancel_requested FROM console.phase_runs r WHERE r.id = $1) AS stop
       FROM console.unit_runs u WHERE u.run_id = $1 AND u.step_id = $2`,
    [runId, stepId],
  );
  return rows[0]!;
}

/** The error that stops the step: the one met here, else the first failed unit's, unless the plan changed. */
async function unitFailure(main: pg.ClientBase, work: UnitStep): Promise<Error> {
  const { rows } = await main.query<{ unit_id: string; error: string | null }>(
    `SELECT unit_id, error FROM console.unit_runs WHERE run_id = $1 AND step_id = $2 AND status = 'failed' ORDER BY position LIMIT 1`,
    [work.runId, work.frozenStep.id],
  );
  const title = (id: string | undefined) => work.frozenStep.units?.find((u) => u.id === id)?.title ?? id;
  const here = takeLocalFailure(work);
  if (here) {
    here.message = `unit ${title(rows[0]?.unit_id)}: ${here.message}`;
    return here;
  }
  // Failed on another worker: a plan that changed under the run is named as such (it voids the approval).
  await assertPlanCurrent(main as pg.PoolClient, work.frozen);
  return new Error(`unit ${title(rows[0]?.unit_id)}: ${rows[0]?.error ?? "failed"}`);
}

/**
 * Runs a step's units as their coordinator (the executor holding the run's lock). Every worker —
 * this one, up to UNIFY_PARALLEL sessions, and any other that sees the step open — claims units
 * and runs each from its own checkpoint; the coordinator waits until every unit is done before the
 * step moves on, and takes over at once the units a dead worker's sessions let go. A unit that
 * fails stops the step once the others reach a batch boundary (their committed batches stay);
 * pause and cancel stop every unit the same way, and a resume continues each from its checkpoint.
 */
export async function runUnits(input: {
  main: pg.ClientBase;
  runId: number;
  step: Step;
  frozenStep: FrozenStep;
  frozen: FrozenPlan;
  base: PlanContext;
}): Promise<UnitsOutcome> {
  const { main, runId, step, frozenStep } = input;
  const units = frozenStep.units ?? [];
  await main.query(
    `INSERT INTO console.unit_runs (run_id, step_id, unit_id, position, rows_total)
     SELECT $1, $2, u.id, u.position - 1, u.estimate
       FROM unnest($3::text[], $4::bigint[]) WITH ORDINALITY AS u(id, estimate, position)
     ON CONFLICT DO NOTHING`,
    [runId, step.id, units.map((u) => u.id), units.map((u) => u.estimatedRows ?? null)],
  );
  await main.query(
    `UPDATE console.step_runs SET rows_total = (SELECT sum(coalesce(rows_total, 0)) FROM console.unit_runs WHERE run_id = $1 AND step_id = $2)
      WHERE run_id = $1 AND step_id = $2`,
    [runId, step.id],
  );
  const { rows } = await main.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM console.unit_runs WHERE run_id = $1 AND step_id = $2 AND status <> 'succeeded'`,
    [runId, step.id],
  );
  const remaining = rows[0]?.n ?? 0;
  if (!remaining) return "done";
  const parallel = Math.min(await unitParallelism(main), remaining);
  await runLog(main, runId, `${remaining} of ${units.length} units to run, ${parallel} at a time on each worker`, "info", step.id);

  const work: UnitStep = { runId, step, frozenStep, frozen: input.frozen, base: input.base };
  for (;;) {
    await claimUnits(work, main, { helping: false });
    const state = await unitsState(main, runId, step.id);
    const crash = takeLocalCrash(work);
    if (crash) {
      await localSlotsDone(work);
      throw crash;
    }
    if (state.unfinished === 0 && state.failed === 0) {
      await localSlotsDone(work);
      return "done";
    }
    // Nobody works on a unit any more: every claim was let go at a boundary (or with a dead session).
    if (state.held === 0 && (state.failed > 0 || state.stop)) {
      await localSlotsDone(work);
      if (state.failed > 0) throw await unitFailure(main, work);
      return "interrupted";
    }
    await sleep(COORDINATOR_POLL_MS);
  }
}

const helped = new Map<number, FrozenPlan & { phase: number }>();

/** The step of a run this worker may help with, built from the run's frozen plan. */
async function unitStepOf(runId: number, stepId: string): Promise<UnitStep | null> {
  let frozen = helped.get(runId);
  if (!frozen) {
    const { rows } = await pool().query<{ phase: number; plan: FrozenPlan | null }>(`SELECT phase, plan FROM console.phase_runs WHERE id = $1`, [runId]);
    if (!rows[0]?.plan) return null;
    if (helped.size > 16) helped.clear();
    helped.set(runId, (frozen = { ...rows[0].plan, phase: rows[0].phase }));
  }
  const frozenStep = frozen.steps.find((s) => s.id === stepId);
  const base = frozenContext(frozen, pool());
  const step = phaseDefinition(frozen.phase)?.steps(base).find((s) => s.id === stepId);
  if (!frozenStep?.units || !step) return null;
  return { runId, step, frozenStep, frozen, base };
}

/**
 * A worker's share of other executors' steps: for every running step with unclaimed units (of a
 * run no one asked to stop and whose units have not failed), claims what this worker's free
 * sessions allow. Returns at once, with how many unit sessions it opened.
 */
export async function helpWithUnits(log: (line: string) => void): Promise<number> {
  const { rows } = await pool().query<{ run_id: number; step_id: string }>(
    `SELECT r.id AS run_id, s.step_id FROM console.phase_runs r JOIN console.step_runs s ON s.run_id = r.id
      WHERE r.kind = 'run' AND r.status = 'running' AND NOT r.pause_requested AND NOT r.cancel_requested AND s.status = 'running'
        AND EXISTS (SELECT 1 FROM console.unit_runs u
                     WHERE u.run_id = r.id AND u.step_id = s.step_id AND u.status NOT IN ('succeeded', 'failed') AND NOT ${CLAIM_HELD})
        AND NOT EXISTS (SELECT 1 FROM console.unit_runs f WHERE f.run_id = r.id AND f.step_id = s.step_id AND f.status = 'failed')
      ORDER BY r.id, s.position`,
  );
  let opened = 0;
  for (const row of rows) {
    const work = await unitStepOf(row.run_id, row.step_id);
    if (!work) continue;
    const crash = takeLocalCrash(work);
    if (crash) log(`run #${row.run_id}, step ${row.step_id}: a unit session failed: ${crash.message}`);
    const n = await claimUnits(work, pool(), { helping: true });
    if (n) log(`run #${row.run_id}, step ${row.step_id}: claiming units on ${n} session${n === 1 ? "" : "s"}`);
    opened += n;
  }
  return opened;
}
