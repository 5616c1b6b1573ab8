import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { seedLegacy } from "@/lib/legacy/generator";
import { buildPlan } from "@/lib/plan/plan";
import { approvalState, decidePlan } from "./approvals";
import { PlanNotApprovedError } from "./errors";
import type { FrozenPlan } from "./frozen-plan";
import { runProgress } from "./progress";
import { stopQueue } from "./queue";
import { executeRun } from "./runner";
import { requestRollback, requestRun } from "./runs";
import { approve, catalogSnapshot, TEST_LEAD } from "./testing/phases";

const db = withTestDatabase();
let baseline: string[] = [];
beforeAll(async () => {
  await seedLegacy(pool(), { audits: 600, scorecards: 2, seed: "frozen" });
  baseline = await catalogSnapshot(pool());
});
afterAll(() => stopQueue());

/** Each test starts with phase 1 not run, no late scorecard, nothing in `unified`. */
beforeEach(async () => {
  await pool().query(`DELETE FROM scorecards WHERE table_name = 'late_audit'`);
  await pool().query(`DROP TABLE IF EXISTS late_audit`);
  const { rows } = await pool().query(`SELECT 1 FROM pg_namespace WHERE nspname = 'unified'`);
  if (rows.length) {
    await approve(1);
    const rollback = await requestRollback(1, SYSTEM_ACTOR).catch(() => null);
    if (rollback) await executeRun(rollback.id);
  }
  await pool().query(`UPDATE console.phase_runs SET status = 'rolled_back' WHERE status IN ('queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled')`);
  expect(await catalogSnapshot(pool())).toEqual(baseline);
});

async function registerLateScorecard(): Promise<void> {
  const { rows } = await pool().query<{ table_name: string }>(`SELECT table_name FROM scorecards ORDER BY id LIMIT 1`);
  await pool().query(`CREATE TABLE late_audit (LIKE "${rows[0]!.table_name}" INCLUDING ALL)`);
  await pool().query(`INSERT INTO scorecards (name, table_name, channel, passing_score) VALUES ('Late', 'late_audit', 'Email', 80)`);
}

describe("a run executes exactly the plan the lead approved", () => {
  it("stores every approved statement with the run", async () => {
    const checksum = await approve(1);
    const plan = await buildPlan(1, pool());
    const run = await requestRun(1, SYSTEM_ACTOR);
    const stored = (await prisma().phaseRun.findUnique({ where: { id: run.id } }))!.plan as unknown as FrozenPlan;
    expect(stored.checksum).toBe(checksum);
    expect(stored.steps.map((s) => [s.id, s.statements])).toEqual(plan.steps.map((s) => [s.id, s.statements]));
    expect(stored.context.auditTables).toEqual(plan.steps.find((s) => s.id === "referenced-humans")!.units!.slice(0, -2).map((u) => u.id));
  });

  it("a scorecard registered after the request stops the run before its first statement and voids the approval", async () => {
    await approve(1);
    const run = await requestRun(1, SYSTEM_ACTOR);
    await registerLateScorecard();
    await executeRun(run.id);
    const progress = await runProgress(run.id);
    expect(progress?.status).toBe("failed");
    expect(progress?.error).toMatch(/The legacy database no longer matches the approved plan: scorecard \d+ \(table "late_audit"\) is new/);
    expect(progress?.error).toMatch(/a lead must approve the new plan/);
    // Nothing the lead did not approve ran: not even the unified schema exists.
    expect(await catalogSnapshot(pool())).toEqual([...baseline, "public.late_audit:r", "public.late_audit_pkey:i"].sort());
    expect((await approvalState(1, (await buildPlan(1, pool())).checksum)).current).toBeNull();
    await expect(requestRun(1, SYSTEM_ACTOR)).rejects.toBeInstanceOf(PlanNotApprovedError);
  });

  it("a change in the middle of a run stops it before its next batch; committed batches stay", async () => {
    await approve(1);
    const run = await requestRun(1, SYSTEM_ACTOR);
    const plan = (await prisma().phaseRun.findUnique({ where: { id: run.id } }))!.plan as unknown as FrozenPlan;
    const [first, second] = plan.steps.map((s) => s.id);
    // Hold the second step's row: the executor finishes the first step, then waits right there.
    const holder = new pg.Client({ connectionString: db.url() });
    await holder.connect();
    let created: string[] = [];
    try {
      await holder.query("BEGIN");
      await holder.query(`SELECT 1 FROM console.step_runs WHERE run_id = $1 AND step_id = $2 FOR UPDATE`, [run.id, second]);
      const executing = executeRun(run.id);
      await waitFor(async () => (await runProgress(run.id))?.steps.find((s) => s.stepId === first)?.status === "succeeded");
      created = await catalogSnapshot(pool());
      await registerLateScorecard();
      await holder.query("COMMIT");
      await executing;
    } finally {
      await holder.end();
    }
    const progress = await runProgress(run.id);
    expect(progress?.status).toBe("failed");
    expect(progress?.steps.find((s) => s.stepId === second)?.status).toBe("failed");
    expect(progress?.steps.find((s) => s.stepId === second)?.rowsDone).toBe(0);
    expect(progress?.error).toMatch(/scorecard \d+ \(table "late_audit"\) is new/);
    // The first step's work is still there; nothing of the second step ran.
    expect(created.some((item) => item.startsWith("unified.roles"))).toBe(true);
    expect(await catalogSnapshot(pool())).toEqual([...created, "public.late_audit:r", "public.late_audit_pkey:i"].sort());
    expect((await approvalState(1, plan.checksum)).voidedReason).toMatch(/the plan changed during run #\d+/);
  });

  it("a resume runs the stored statements, not statements rebuilt from today's discovery", async () => {
    await approve(1);
    const run = await requestRun(1, SYSTEM_ACTOR);
    // Stand-in for "what the lead read": the stored plan is what runs, marker and all.
    await pool().query(
      `UPDATE console.phase_runs SET plan = jsonb_set(plan, '{steps,0,statements}',
              (plan->'steps'->0->'statements') || to_jsonb('CREATE TABLE unified.ran_from_the_stored_plan (x int)'::text))
        WHERE id = $1`,
      [run.id],
    );
    await executeRun(run.id);
    expect(await catalogSnapshot(pool())).toContain("unified.ran_from_the_stored_plan:r");
    await pool().query(`DROP TABLE unified.ran_from_the_stored_plan`);
  });
});

describe("an approval is for one run", () => {
  it("a lead approves the checksum they read; a different checksum is refused", async () => {
    await expect(
      decidePlan({ phase: 1, checksum: "f".repeat(64), decision: "approved", comment: "", actor: TEST_LEAD }),
    ).rejects.toThrow("The plan changed while you were reading it");
  });

  it("a rollback voids the approval: the phase cannot run again until a lead approves again", async () => {
    await approve(1);
    const run = await requestRun(1, SYSTEM_ACTOR);
    await executeRun(run.id);
    expect((await runProgress(run.id))?.status).toBe("succeeded");
    const rollback = await requestRollback(1, SYSTEM_ACTOR);
    await executeRun(rollback.id);
    const undone = await runProgress(rollback.id);
    expect(undone?.status).toBe("succeeded");
    // The rollback's log says what it undid.
    expect(undone?.log.map((l) => l.message)).toContain("Undo: Create the users_compat and people_compat views: done");
    await expect(requestRun(1, SYSTEM_ACTOR)).rejects.toThrow(/The approval of phase 1 no longer counts \(phase 1 was rolled back \(rollback #\d+ by system\)\): a lead must approve the plan again/);
    await approve(1);
    const again = await requestRun(1, SYSTEM_ACTOR);
    await executeRun(again.id);
    expect((await runProgress(again.id))?.status).toBe("succeeded");
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the run");
    await new Promise((r) => setTimeout(r, 25));
  }
}
