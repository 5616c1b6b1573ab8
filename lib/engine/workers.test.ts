import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { overridePhaseDefinitionForTests } from "@/lib/plan/plan";
import { runProgress } from "./progress";
import { stopQueue } from "./queue";
import { pauseRun, requestRun, resumeRun } from "./runs";
import { approve } from "./testing/phases";
import { waitUntilReady } from "./testing/workers";
import { UNIT_LOCK_NAMESPACE } from "./unit-claims";
import { SYNTH_FIXTURE, SYNTH_UNITS, syntheticPhase } from "./testing/synthetic-phase";

const db = withTestDatabase();
const workers = new Map<string, ChildProcess>();

beforeAll(async () => {
  overridePhaseDefinitionForTests(1, syntheticPhase);
  await pool().query(SYNTH_FIXTURE);
});
afterAll(async () => {
  overridePhaseDefinitionForTests(1, null);
  await stopQueue();
});
beforeEach(async () => {
  await pool().query(`UPDATE console.phase_runs SET status = 'rolled_back' WHERE status IN ('queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled')`);
  await pool().query(`UPDATE synth.knobs SET sleep_ms = 0, fail_unit = NULL, fail_at = NULL`);
  for (const u of SYNTH_UNITS) await pool().query(`TRUNCATE synth.dst_${u}`);
});
afterEach(async () => {
  for (const name of [...workers.keys()]) await kill(name);
});

/** A real worker process that knows the synthetic phase, with one unit session (UNIFY_PARALLEL=1); resolves once it waits for runs. */
function startWorker(name: string): Promise<void> {
  const worker = spawn(join(process.cwd(), "node_modules", ".bin", "tsx"), ["lib/engine/testing/synthetic-worker.ts"], {
    env: { ...process.env, DATABASE_URL: db.url(), UNIFY_PARALLEL: "1", UNIFY_WORKER_NAME: name },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  workers.set(name, worker);
  return waitUntilReady(worker);
}

async function kill(name: string): Promise<void> {
  const worker = workers.get(name)!;
  workers.delete(name);
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = new Promise((r) => worker.once("exit", r));
  process.kill(-worker.pid!, "SIGKILL");
  await exited;
}

interface Unit {
  unit_id: string;
  status: string;
  worker: string | null;
  after: number | null;
  rows: number;
  held: boolean;
}

async function units(runId: number): Promise<Unit[]> {
  const { rows } = await pool().query<Unit>(
    `SELECT u.unit_id, u.status::text, u.worker, (u.checkpoint->>'after')::int AS after, u.rows_done::int AS rows,
            EXISTS (SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database AND d.datname = current_database()
                     WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.classid = $2::oid AND l.objid = u.claim_key::oid) AS held
       FROM console.unit_runs u WHERE u.run_id = $1 ORDER BY u.position`,
    [runId, UNIT_LOCK_NAMESPACE],
  );
  return rows;
}

/** The worker that took the run (its coordinator), by the run's own log. */
async function coordinator(runId: number): Promise<string> {
  const { rows } = await pool().query<{ name: string }>(
    `SELECT substring(message FROM 'started on worker (.*)$') AS name FROM console.run_log WHERE run_id = $1 AND message LIKE 'run started on worker %'`,
    [runId],
  );
  return rows[0]!.name;
}

async function copied(unit: string): Promise<{ n: number; sum: number }> {
  const { rows } = await pool().query(`SELECT count(*)::int AS n, coalesce(sum(v), 0)::int AS sum FROM synth.dst_${unit}`);
  return rows[0];
}
const SOURCE = { n: 1000, sum: 7 * 500 * 1001 };

async function waitFor<T>(what: string, probe: () => Promise<T | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Two workers started, a run requested; returns once each worker is in the middle of a unit (at
 * least two batches done, at least four to go), whatever the second worker's start-up cost.
 */
async function runOnTwoWorkers(): Promise<{ runId: number; byWorker: Map<string, Unit> }> {
  await approve(1);
  await Promise.all([startWorker("w1"), startWorker("w2")]);
  const run = await requestRun(1, SYSTEM_ACTOR);
  const byWorker = await waitFor("both workers inside a unit", async () => {
    const working = (await units(run.id)).filter((u) => u.status === "running" && u.held && (u.after ?? 0) >= 200 && (u.after ?? 0) <= 600);
    const map = new Map(working.map((u) => [u.worker!, u]));
    return map.size === 2 ? map : null;
  });
  return { runId: run.id, byWorker };
}

async function finished(runId: number) {
  return waitFor("the run to finish", async () => {
    const progress = await runProgress(runId);
    return progress && ["succeeded", "failed", "paused", "cancelled"].includes(progress.status) ? progress : null;
  });
}

describe("two worker processes on one run", () => {
  it("share its units, and a killed helper's unit is taken over within seconds with no duplicate and no gap", { timeout: 180_000 }, async () => {
    await pool().query(`UPDATE synth.knobs SET sleep_ms = 150`);
    const { runId, byWorker } = await runOnTwoWorkers();
    const lead = await coordinator(runId);
    const helper = lead === "w1" ? "w2" : "w1";
    const orphan = byWorker.get(helper)!;
    await kill(helper);

    // The coordinator takes the unit over from its checkpoint as soon as the dead sessions are gone.
    const takenOver = await waitFor("the coordinator to claim the dead worker's unit", async () => {
      const u = (await units(runId)).find((x) => x.unit_id === orphan.unit_id)!;
      return u.worker === lead && u.held ? u : null;
    }, 10_000);
    expect(takenOver.after ?? 0).toBeGreaterThanOrEqual(orphan.after!);

    const progress = await finished(runId);
    expect(progress.status).toBe("succeeded");
    expect(progress.log.some((l) => l.message === `[dst_${orphan.unit_id}] claimed by worker ${lead} (last worked on by ${helper})`)).toBe(true);
    const done = await units(runId);
    expect(done.map((u) => [u.unit_id, u.status, u.rows, u.after])).toEqual(SYNTH_UNITS.map((u) => [u, "succeeded", 1000, 1000]));
    for (const u of SYNTH_UNITS) expect(await copied(u)).toEqual(SOURCE);
  });

  it("a killed coordinator's run and units are taken over by the other worker", { timeout: 180_000 }, async () => {
    await pool().query(`UPDATE synth.knobs SET sleep_ms = 150`);
    const { runId, byWorker } = await runOnTwoWorkers();
    const lead = await coordinator(runId);
    const survivor = lead === "w1" ? "w2" : "w1";
    const orphan = byWorker.get(lead)!;
    await kill(lead);

    await waitFor("the survivor to coordinate the run and claim the unit", async () => {
      const resumed = (await runProgress(runId))!.log.some((l) => l.message === `resumed by worker ${survivor} after the previous one stopped`);
      const u = (await units(runId)).find((x) => x.unit_id === orphan.unit_id)!;
      return resumed && u.worker === survivor && u.held;
    }, 15_000);
    const progress = await finished(runId);
    expect(progress.status).toBe("succeeded");
    const done = await units(runId);
    expect(done.map((u) => [u.unit_id, u.status, u.rows, u.after])).toEqual(SYNTH_UNITS.map((u) => [u, "succeeded", 1000, 1000]));
    for (const u of SYNTH_UNITS) expect(await copied(u)).toEqual(SOURCE);
  });

  it("a helper stopped with SIGTERM hands its unit over at a batch boundary, exits, and the coordinator finishes it", { timeout: 180_000 }, async () => {
    await pool().query(`UPDATE synth.knobs SET sleep_ms = 200`);
    const { runId, byWorker } = await runOnTwoWorkers();
    const lead = await coordinator(runId);
    const helper = lead === "w1" ? "w2" : "w1";
    const unit = byWorker.get(helper)!;
    const worker = workers.get(helper)!;
    const exited = new Promise<number | null>((r) => worker.once("exit", (code) => r(code)));
    process.kill(worker.pid!, "SIGTERM");
    expect(await exited).toBe(0);
    workers.delete(helper);

    // Let go part-way, at the checkpoint of its last committed batch, not run to its end.
    const handed = (await units(runId)).find((u) => u.unit_id === unit.unit_id)!;
    expect(handed.status).not.toBe("succeeded");
    expect(handed.after).toBeLessThan(1000);
    expect((await copied(unit.unit_id)).n).toBe(handed.after ?? 0);
    const progress = await finished(runId);
    expect(progress.status).toBe("succeeded");
    expect(progress.log.some((l) => l.message === `[dst_${unit.unit_id}] claimed by worker ${lead} (last worked on by ${helper})`)).toBe(true);
    for (const u of SYNTH_UNITS) expect(await copied(u)).toEqual(SOURCE);
  });

  it("a unit failing on one worker stops the other worker's unit at a batch boundary and starts no more", { timeout: 180_000 }, async () => {
    await pool().query(`UPDATE synth.knobs SET sleep_ms = 100`);
    const { runId, byWorker } = await runOnTwoWorkers();
    // The unit further behind fails a few batches on, so it surely has not passed the bad row yet.
    const [first, second] = [...byWorker.values()].sort((x, y) => x.after! - y.after!);
    const failAt = first!.after! + 350;
    await pool().query(`UPDATE synth.knobs SET fail_unit = $1, fail_at = $2`, [first!.unit_id, failAt]);
    const progress = await finished(runId);
    expect(progress.status).toBe("failed");
    expect(progress.error).toBe(`copy: unit dst_${first!.unit_id}: division by zero`);
    const after = await units(runId);
    const failed = after.find((u) => u.unit_id === first!.unit_id)!;
    expect([failed.status, failed.after, (await copied(failed.unit_id)).n]).toEqual(["failed", failAt - 50, failAt - 50]);
    // The other worker's unit stopped at a boundary: what it committed is exactly its checkpoint.
    const other = after.find((u) => u.unit_id === second!.unit_id)!;
    expect(other.worker).not.toBe(failed.worker);
    expect(other.status).toBe("running");
    expect((await copied(other.unit_id)).n).toBe(other.rows);
    expect(other.rows).toBe(other.after);
    expect(after.filter((u) => u.status === "pending")).toHaveLength(1);
    expect(after.every((u) => !u.held)).toBe(true);
  });

  it("pause stops the units on both workers at a batch boundary, and resume finishes them on both", { timeout: 180_000 }, async () => {
    // Slow batches, so each worker's unit is still part-way when the pause request lands.
    await pool().query(`UPDATE synth.knobs SET sleep_ms = 300`);
    const { runId, byWorker } = await runOnTwoWorkers();
    await pauseRun(1, SYSTEM_ACTOR);
    expect((await finished(runId)).status).toBe("paused");
    const paused = await units(runId);
    expect(paused.every((u) => !u.held)).toBe(true);
    for (const u of paused) expect((await copied(u.unit_id)).n).toBe(u.after ?? 0);
    // The unit of each worker stopped part-way, at the checkpoint of its last committed batch.
    for (const unit of byWorker.values()) {
      const now = paused.find((u) => u.unit_id === unit.unit_id)!;
      expect([now.status, now.worker]).toEqual(["running", unit.worker]);
      expect(now.after).toBeLessThan(1000);
    }

    await resumeRun(1, SYSTEM_ACTOR);
    const progress = await finished(runId);
    expect(progress.status).toBe("succeeded");
    for (const u of SYNTH_UNITS) expect(await copied(u)).toEqual(SOURCE);
    // After the resume both workers claimed units again.
    expect(new Set((await units(runId)).map((u) => u.worker))).toEqual(new Set(["w1", "w2"]));
  });
});
