import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { overridePhaseDefinitionForTests } from "@/lib/plan/plan";
import { runProgress } from "./progress";
import { stopQueue } from "./queue";
import { executeRun, resumeOrphanedRuns } from "./runner";
import { pauseRun, requestRollback, requestRun, resumeRun } from "./runs";
import { approve } from "./testing/phases";
import { SYNTH_BATCH, SYNTH_FIXTURE, SYNTH_UNITS, syntheticPhase } from "./testing/synthetic-phase";

const db = withTestDatabase();
const previousParallel = process.env.UNIFY_PARALLEL;

beforeAll(async () => {
  overridePhaseDefinitionForTests(1, syntheticPhase);
  process.env.UNIFY_PARALLEL = "2";
  await pool().query(SYNTH_FIXTURE);
});
afterAll(async () => {
  overridePhaseDefinitionForTests(1, null);
  if (previousParallel === undefined) delete process.env.UNIFY_PARALLEL;
  else process.env.UNIFY_PARALLEL = previousParallel;
  await stopQueue();
});

/** Each test starts from empty targets and no active run. */
beforeEach(async () => {
  await pool().query(`UPDATE console.phase_runs SET status = 'rolled_back' WHERE status IN ('queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled')`);
  await pool().query(`UPDATE synth.knobs SET sleep_ms = 0, fail_unit = NULL, fail_at = NULL`);
  for (const u of SYNTH_UNITS) await pool().query(`TRUNCATE synth.dst_${u}`);
});

async function units(runId: number) {
  const { rows } = await pool().query<{
    unit_id: string; status: string; rows_done: string; checkpoint: { after: string } | null; backend_pid: number | null;
    started_at: Date | null; finished_at: Date | null; error: string | null;
  }>(`SELECT unit_id, status::text, rows_done, checkpoint, backend_pid, started_at, finished_at, error
        FROM console.unit_runs WHERE run_id = $1 ORDER BY position`, [runId]);
  return rows;
}

async function copied(unit: string): Promise<{ n: number; sum: number; pids: number }> {
  const { rows } = await pool().query(`SELECT count(*)::int AS n, coalesce(sum(v), 0)::int AS sum, count(DISTINCT pid)::int AS pids FROM synth.dst_${unit}`);
  return rows[0];
}

const SOURCE = { n: 1000, sum: 7 * 500 * 1001 };

describe("a step with units", () => {
  it("runs two units at once on two sessions, each with its own checkpoint and progress", async () => {
    await pool().query(`UPDATE synth.knobs SET sleep_ms = 20`);
    await approve(1);
    const run = await requestRun(1, SYSTEM_ACTOR);
    expect(await executeRun(run.id)).toBe("finished");
    expect((await runProgress(run.id))?.status).toBe("succeeded");

    const done = await units(run.id);
    expect(done.map((u) => [u.unit_id, u.status, Number(u.rows_done), u.checkpoint?.after])).toEqual(
      SYNTH_UNITS.map((u) => [u, "succeeded", 1000, "1000"]),
    );
    for (const u of SYNTH_UNITS) expect(await copied(u)).toMatchObject(SOURCE);
    // Overlap, proven by the rows' own commit-side timestamps: unit a and unit b were writing at
    // the same time, from two different PostgreSQL sessions.
    const { rows } = await pool().query(
      `SELECT (SELECT min(at) FROM synth.dst_a) AS a_start, (SELECT max(at) FROM synth.dst_a) AS a_end,
              (SELECT min(at) FROM synth.dst_b) AS b_start, (SELECT max(at) FROM synth.dst_b) AS b_end,
              (SELECT min(pid) FROM synth.dst_a) AS a_pid, (SELECT min(pid) FROM synth.dst_b) AS b_pid`,
    );
    const o = rows[0];
    expect(o.a_start < o.b_end && o.b_start < o.a_end).toBe(true);
    expect(o.a_pid).not.toBe(o.b_pid);
    expect(done[0]!.backend_pid).not.toBe(done[1]!.backend_pid);
    const progress = await prisma().stepRun.findFirst({ where: { runId: run.id } });
    expect(Number(progress?.rowsDone)).toBe(3000);
  });

  it("one unit failing stops the step; the other units' committed batches stay", async () => {
    await pool().query(`UPDATE synth.knobs SET sleep_ms = 20, fail_unit = 'b', fail_at = 550`);
    await approve(1);
    const run = await requestRun(1, SYSTEM_ACTOR);
    await executeRun(run.id);
    const progress = await runProgress(run.id);
    expect(progress?.status).toBe("failed");
    expect(progress?.error).toMatch(/copy: unit dst_b: division by zero/);
    const after = await units(run.id);
    const b = after.find((u) => u.unit_id === "b")!;
    expect(b.status).toBe("failed");
    expect(b.error).toBe("division by zero");
    expect(b.checkpoint?.after).toBe("500");
    expect(await copied("b")).toMatchObject({ n: 500 });
    // Unit a stopped at a batch boundary: whatever it committed is there, exactly as its checkpoint says.
    const a = after.find((u) => u.unit_id === "a")!;
    expect(a.status).not.toBe("failed");
    const committed = await copied("a");
    expect(committed.n).toBe(Number(a.rows_done));
    expect(committed.n % SYNTH_BATCH === 0 || committed.n === 1000).toBe(true);
    expect(committed.n).toBe(Number(a.checkpoint?.after ?? 0));
    // Unit c never started: the step stopped instead of starting more work.
    expect(after.find((u) => u.unit_id === "c")?.status).toBe("pending");
  });

  it("pause stops every unit at a batch boundary and resume continues each from its checkpoint", async () => {
    await pool().query(`UPDATE synth.knobs SET sleep_ms = 30`);
    await approve(1);
    const run = await requestRun(1, SYSTEM_ACTOR);
    const executing = executeRun(run.id);
    await waitFor(async () => (await units(run.id)).filter((u) => u.checkpoint).length >= 2);
    await pauseRun(1, SYSTEM_ACTOR);
    await executing;
    expect((await runProgress(run.id))?.status).toBe("paused");
    const paused = await units(run.id);
    for (const u of paused.filter((x) => x.checkpoint)) {
      expect((await copied(u.unit_id)).n).toBe(Number(u.checkpoint!.after));
    }
    expect(paused.some((u) => u.status !== "succeeded")).toBe(true);

    await pool().query(`UPDATE synth.knobs SET sleep_ms = 0`);
    await resumeRun(1, SYSTEM_ACTOR);
    await executeRun(run.id);
    const progress = await runProgress(run.id);
    expect(progress?.status).toBe("succeeded");
    for (const u of paused.filter((x) => x.checkpoint && x.status !== "succeeded")) {
      expect(progress?.log.some((l) => l.message === `[dst_${u.unit_id}] resuming from checkpoint {"after":"${u.checkpoint!.after}"}`)).toBe(true);
    }
    for (const u of SYNTH_UNITS) expect(await copied(u)).toMatchObject(SOURCE);
  });

  it("a worker killed mid-units is resumed and every unit continues from its own checkpoint", { timeout: 120_000 }, async () => {
    await pool().query(`UPDATE synth.knobs SET sleep_ms = 150`);
    await approve(1);
    const run = await requestRun(1, SYSTEM_ACTOR);
    const worker = spawn(join(process.cwd(), "node_modules", ".bin", "tsx"), ["lib/engine/testing/synthetic-worker.ts"], {
      env: { ...process.env, DATABASE_URL: db.url(), UNIFY_PARALLEL: "2" },
      detached: true,
      stdio: "ignore",
    });
    await waitFor(async () => (await units(run.id)).filter((u) => Number(u.checkpoint?.after ?? 0) >= 200).length >= 2, 60_000);
    process.kill(-worker.pid!, "SIGKILL");
    await new Promise((r) => worker.once("exit", r));
    const killed = await units(run.id);
    expect((await runProgress(run.id))?.status).toBe("running");
    const midway = killed.filter((u) => u.checkpoint && u.status !== "succeeded");
    expect(midway.length).toBeGreaterThanOrEqual(2);

    await pool().query(`UPDATE synth.knobs SET sleep_ms = 0`);
    let resumed: number[] = [];
    for (let tries = 0; tries < 50 && !resumed.length; tries++) {
      resumed = await resumeOrphanedRuns();
      if (!resumed.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(resumed).toEqual([run.id]);
    const progress = await runProgress(run.id);
    expect(progress?.status).toBe("succeeded");
    for (const u of midway) {
      expect(progress?.log.some((l) => l.message === `[dst_${u.unit_id}] resuming from checkpoint {"after":"${u.checkpoint!.after}"}`)).toBe(true);
    }
    for (const u of SYNTH_UNITS) expect(await copied(u)).toMatchObject(SOURCE);
  });

  it("a rollback undoes the units' work", async () => {
    await approve(1);
    const run = await requestRun(1, SYSTEM_ACTOR);
    await executeRun(run.id);
    const rollback = await requestRollback(1, SYSTEM_ACTOR);
    await executeRun(rollback.id);
    expect((await runProgress(rollback.id))?.status).toBe("succeeded");
    for (const u of SYNTH_UNITS) expect((await copied(u)).n).toBe(0);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the run");
    await new Promise((r) => setTimeout(r, 25));
  }
}
