import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { seedLegacy } from "@/lib/legacy/generator";
import { buildPlan } from "@/lib/plan/plan";
import { decidePlan } from "./approvals";
import { EngineError, PlanNotApprovedError } from "./errors";
import { runProgress } from "./progress";
import { stopQueue } from "./queue";
import { executeRun } from "./runner";
import { cancelRun, pauseRun, phaseStatus, requestRun, resumeRun } from "./runs";
import { approve, TEST_LEAD } from "./testing/phases";

withTestDatabase();
beforeAll(() => seedLegacy(pool(), { audits: 1500, scorecards: 3, seed: "runs" }));
afterAll(() => stopQueue());

describe("approvals", () => {
  it("only a lead can approve: an admin without the lead role is refused", async () => {
    const plan = await buildPlan(1, pool());
    await expect(
      decidePlan({ phase: 1, checksum: plan.checksum, decision: "approved", comment: "", actor: { id: null, email: "admin@x", roles: ["admin"] } }),
    ).rejects.toThrow("Only a team lead can do this (phase.approve)");
  });

  it("a decision on a plan that changed since it was read is refused", async () => {
    await expect(
      decidePlan({ phase: 1, checksum: "0".repeat(64), decision: "approved", comment: "", actor: TEST_LEAD }),
    ).rejects.toThrow("The plan changed while you were reading it");
  });

  it("a rejection needs a comment and blocks the run with it", async () => {
    const plan = await buildPlan(1, pool());
    await expect(decidePlan({ phase: 1, checksum: plan.checksum, decision: "rejected", comment: " ", actor: TEST_LEAD })).rejects.toBeInstanceOf(EngineError);
    await decidePlan({ phase: 1, checksum: plan.checksum, decision: "rejected", comment: "wait for the backup", actor: TEST_LEAD });
    await expect(requestRun(1, SYSTEM_ACTOR)).rejects.toThrow("A lead rejected the plan of phase 1: wait for the backup");
  });

  it("a changed plan voids the approval", async () => {
    await approve(1);
    // A new scorecard's audit table changes the SQL of the referenced-humans step.
    await pool().query(`CREATE TABLE late_audit (LIKE "${(await firstAuditTable())}" INCLUDING ALL)`);
    await pool().query(`INSERT INTO scorecards (name, table_name, channel, passing_score) VALUES ('Late', 'late_audit', 'Email', 80)`);
    await expect(requestRun(1, SYSTEM_ACTOR)).rejects.toBeInstanceOf(PlanNotApprovedError);
    await expect(requestRun(1, SYSTEM_ACTOR)).rejects.toThrow("The plan of phase 1 changed after it was approved: a lead must approve the new plan");
  });

  it("an unknown phase is named", async () => {
    await expect(requestRun(7, SYSTEM_ACTOR)).rejects.toThrow("There is no phase 7: phases are 1 to 5");
  });
});

async function firstAuditTable(): Promise<string> {
  const { rows } = await pool().query<{ table_name: string }>(`SELECT table_name FROM scorecards ORDER BY id LIMIT 1`);
  return rows[0]!.table_name;
}

describe("pause, resume and cancel", () => {
  it("a queued run pauses at once, resumes and finishes", async () => {
    await approve(1);
    const run = await requestRun(1, SYSTEM_ACTOR);
    await pauseRun(1, SYSTEM_ACTOR);
    expect((await runProgress(run.id))?.status).toBe("paused");
    expect(await executeRun(run.id)).toBe("not runnable");
    await resumeRun(1, SYSTEM_ACTOR);
    await executeRun(run.id);
    expect((await runProgress(run.id))?.status).toBe("succeeded");
    expect((await phaseStatus(1)).status).toBe("succeeded");
  });

  it("a running run stops at its next batch boundary when paused or cancelled", async () => {
    await prisma().phaseRun.updateMany({ where: { phase: 1 }, data: { status: "rolled_back" } });
    await approve(1);
    const run = await requestRun(1, SYSTEM_ACTOR);
    // As if a worker had started it: the pause is a request the executor honours between batches.
    await prisma().phaseRun.update({ where: { id: run.id }, data: { status: "running" } });
    await pauseRun(1, SYSTEM_ACTOR);
    await executeRun(run.id);
    const paused = await runProgress(run.id);
    expect(paused?.status).toBe("paused");
    expect(paused?.log.map((l) => l.message)).toContain("paused at a batch boundary; resume continues from the last checkpoint");

    await prisma().phaseRun.update({ where: { id: run.id }, data: { status: "running" } });
    await cancelRun(1, SYSTEM_ACTOR);
    await executeRun(run.id);
    expect((await runProgress(run.id))?.status).toBe("cancelled");
    const actions = (await prisma().activityEntry.findMany({ where: { target: "phase 1" } })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["phase.run", "phase.pause", "phase.resume", "phase.cancel", "phase.approve", "phase.reject"]));
  });
});
