import pg from "pg";
import { extendedSession } from "@/lib/db/extended";
import { requireDatabaseUrl } from "@/lib/db/url";
import type { PlanContext, Step } from "@/lib/plan/types";
import type { FrozenPlan } from "./frozen-plan";
import { unitParallelism } from "./parallelism";
import { transitionStep } from "./state-machine";
import { lockTimeout, runInterrupted, runLog, stepContext } from "./step-context";

type FrozenStep = FrozenPlan["steps"][number];
type FrozenUnit = NonNullable<FrozenStep["units"]>[number];

interface UnitRow {
  unit_id: string;
  status: string;
  checkpoint: unknown;
}

export type UnitsOutcome = "done" | "interrupted";

/** One session per unit worker, outside the pool, so a long unit never starves the web app's pool. */
async function unitSession(): Promise<pg.Client> {
  const client = extendedSession(new pg.Client({ connectionString: requireDatabaseUrl(), application_name: "unify-unit" }));
  client.on("error", () => undefined);
  await client.connect();
  await client.query(`SET lock_timeout = '${lockTimeout()}'`);
  return client;
}

/**
 * Runs a step's units, up to UNIFY_PARALLEL at once, each on its own session with its own
 * checkpoint, progress and error. A unit that fails stops the step once the others reach a batch
 * boundary (their committed batches stay); pause and cancel stop every unit the same way, and a
 * resume — after a pause or a kill — continues each unfinished unit from its own checkpoint.
 */
export async function runUnits(input: {
  main: pg.ClientBase;
  runId: number;
  step: Step;
  frozenStep: FrozenStep;
  frozen: FrozenPlan;
  base: PlanContext;
}): Promise<UnitsOutcome> {
  const { main, runId, step, frozenStep, frozen } = input;
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
  const { rows } = await main.query<UnitRow>(
    `SELECT unit_id, status::text, checkpoint FROM console.unit_runs WHERE run_id = $1 AND step_id = $2 ORDER BY position`,
    [runId, step.id],
  );
  const state = new Map(rows.map((r) => [r.unit_id, r]));
  const queue: FrozenUnit[] = units.filter((u) => state.get(u.id)?.status !== "succeeded");
  if (!queue.length) return "done";

  const parallel = Math.min(await unitParallelism(main), queue.length);
  await runLog(main, runId, `${queue.length} of ${units.length} units to run, ${parallel} at a time`, "info", step.id);
  let failure: { unit: FrozenUnit; error: Error } | null = null;
  let interrupted = false;

  const worker = async () => {
    const session = await unitSession();
    try {
      while (!failure && !interrupted) {
        const unit = queue.shift();
        if (!unit) return;
        if (await runInterrupted(session, runId)) {
          queue.unshift(unit);
          interrupted = true;
          return;
        }
        const row = state.get(unit.id);
        await transitionStep(session, { runId, stepId: step.id, unitId: unit.id }, "start");
        await session.query(`UPDATE console.unit_runs SET backend_pid = pg_backend_pid() WHERE run_id = $1 AND step_id = $2 AND unit_id = $3`, [
          runId,
          step.id,
          unit.id,
        ]);
        await runLog(session, runId, row?.checkpoint ? `[${unit.title}] resuming from checkpoint ${JSON.stringify(row.checkpoint)}` : `[${unit.title}] started`, "info", step.id);
        const ctx = stepContext({
          db: session as unknown as pg.PoolClient,
          base: { ...input.base, db: session as unknown as pg.PoolClient },
          target: { runId, stepId: step.id, unit: { id: unit.id, title: unit.title } },
          statements: unit.statements,
          checkpoint: row?.checkpoint ?? null,
          frozen,
          stopRequested: () => failure !== null,
        });
        try {
          await step.run(ctx);
        } catch (error) {
          await session.query("ROLLBACK").catch(() => undefined);
          const message = (error as Error).message;
          failure ??= { unit, error: error as Error };
          await transitionStep(session, { runId, stepId: step.id, unitId: unit.id }, "fail", message);
          await runLog(session, runId, `[${unit.title}] failed: ${message}`, "error", step.id);
          return;
        }
        // The unit returned: finished, or stopped at a boundary because of a request or a failure.
        if (failure || (await runInterrupted(session, runId))) {
          interrupted = !failure;
          return;
        }
        await transitionStep(session, { runId, stepId: step.id, unitId: unit.id }, "succeed");
        await runLog(session, runId, `[${unit.title}] done`, "info", step.id);
      }
    } finally {
      await session.end().catch(() => undefined);
    }
  };

  const results = await Promise.allSettled(Array.from({ length: parallel }, worker));
  const crashed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) {
    const { unit, error } = failure as { unit: FrozenUnit; error: Error };
    error.message = `unit ${unit.title}: ${error.message}`;
    throw error;
  }
  if (crashed) throw crashed.reason;
  return interrupted || queue.length ? "interrupted" : "done";
}
