import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { seedLegacy } from "@/lib/legacy/generator";
import { runProgress } from "./progress";
import { stopQueue } from "./queue";
import { resumeOrphanedRuns } from "./runner";
import { requestRun } from "./runs";
import { approve, approveAndRun, mergedBuckets, mergeUnits, phase1Outcome, rollBack } from "./testing/phases";

const db = withTestDatabase();
afterAll(() => stopQueue());

describe("a worker killed mid-merge", () => {
  it("is resumed from its checkpoint and ends exactly like an uninterrupted run", { timeout: 180_000 }, async () => {
    await seedLegacy(pool(), { audits: 4000, scorecards: 4, seed: "resume-test" });
    const uninterrupted = await approveAndRun(1);
    expect(uninterrupted.status).toBe("succeeded");
    const expected = await phase1Outcome(pool());
    expect(expected.employees.length).toBeGreaterThan(100);
    expect((await rollBack(1)).status).toBe("succeeded");

    // A real worker process, slowed down between batches so the kill lands mid-merge.
    await approve(1);
    const run = await requestRun(1, SYSTEM_ACTOR);
    const worker = spawn(join(process.cwd(), "node_modules", ".bin", "tsx"), ["lib/cli/main.ts", "worker"], {
      env: { ...process.env, DATABASE_URL: db.url(), UNIFY_BATCH_DELAY_MS: "200" },
      detached: true,
      stdio: "ignore",
    });
    const deadline = Date.now() + 90_000;
    while ((await mergedBuckets(run.id)) < 5) {
      if (Date.now() > deadline) throw new Error("the worker never reached the merge step");
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(-worker.pid!, "SIGKILL");
    await new Promise((r) => worker.once("exit", r));

    const orphaned = await runProgress(run.id);
    expect(orphaned?.status).toBe("running");
    const killedAt = await mergeUnits(run.id);
    const merged = killedAt.reduce((n, u) => n + u.merged, 0);
    expect(merged).toBeGreaterThanOrEqual(5);
    expect(merged).toBeLessThan(33);
    const midway = killedAt.filter((u) => u.bucket !== null && u.status !== "succeeded");
    expect(midway.length).toBeGreaterThan(0);

    // The dead worker's advisory lock goes with its session (the server notices the closed socket
    // within moments), and the next sweep resumes the run.
    let resumedIds: number[] = [];
    for (let tries = 0; tries < 50 && resumedIds.length === 0; tries++) {
      resumedIds = await resumeOrphanedRuns();
      if (!resumedIds.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(resumedIds).toEqual([run.id]);
    const resumed = await runProgress(run.id);
    expect(resumed?.status).toBe("succeeded");
    // Every unit the kill caught midway went on from its own checkpoint.
    for (const unit of midway) {
      expect([unit.title, resumed?.log.some((l) => l.message === `[${unit.title}] resuming from checkpoint {"bucket":${unit.bucket}}`)]).toEqual([unit.title, true]);
    }
    expect(await phase1Outcome(pool())).toEqual(expected);
  });
});
