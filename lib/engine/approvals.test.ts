import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { seedLegacy } from "@/lib/legacy/generator";
import { copyIdentityRowsSql } from "@/lib/legacy/testing/fixtures";
import { buildPlan } from "@/lib/plan/plan";
import { approvalState, approvedSteps, decidePlan, lastApprovedPlan, planEstimates, withdrawDecision } from "./approvals";
import { PlanNotApprovedError } from "./errors";
import { stopQueue } from "./queue";
import { cancelRun, requestRun } from "./runs";
import { runPreflight, TEST_LEAD } from "./testing/phases";

withTestDatabase();
beforeAll(() => seedLegacy(pool(), { audits: 800, scorecards: 2, seed: "approvals" }));
afterAll(() => stopQueue());

const OTHER_LEAD = { id: null, email: "other-lead@test", roles: ["lead" as const] };

async function current() {
  const plan = await buildPlan(1, pool());
  return { plan, state: await approvalState(1, plan.checksum, planEstimates(plan)) };
}

let warnings: string[] = [];

describe("an approval stands on a pre-flight report of the plan", () => {
  it("without a pre-flight report of this plan, approval is refused", async () => {
    const { plan } = await current();
    await expect(decidePlan({ phase: 1, checksum: plan.checksum, decision: "approved", comment: "", actor: TEST_LEAD })).rejects.toThrow(
      "Run the pre-flight suite of phase 1 on this plan first: an approval stands on its report",
    );
  });

  it("a failing pre-flight refuses approval; fixed and re-run, approval needs every warning acknowledged", async () => {
    await pool().query(`ALTER TABLE people RENAME TO people_elsewhere`);
    try {
      await runPreflight(1);
      const { plan } = await current();
      await expect(decidePlan({ phase: 1, checksum: plan.checksum, decision: "approved", comment: "", actor: TEST_LEAD })).rejects.toThrow(
        /Pre-flight report #\d+ has \d+ failing checks: fix the legacy data and run the suite again/,
      );
    } finally {
      await pool().query(`ALTER TABLE people_elsewhere RENAME TO people`);
    }
    warnings = await runPreflight(1);
    expect(warnings).toContain("duplicate emails in users");
    const { plan } = await current();
    await expect(
      decidePlan({ phase: 1, checksum: plan.checksum, decision: "approved", comment: "", actor: TEST_LEAD, acknowledged: warnings.slice(1) }),
    ).rejects.toThrow(/Acknowledge every warning of pre-flight report #\d+ to approve: /);
    // Rejecting needs no report: a lead may say no to anything.
    expect(await prisma().approval.count({ where: { phase: 1 } })).toBe(0);
  });
});

describe("a plan is decided once", () => {
  it("a second decision on a decided plan is refused, by the same lead or another", async () => {
    const { plan } = await current();
    await decidePlan({ phase: 1, checksum: plan.checksum, decision: "approved", comment: "checked the counts", actor: TEST_LEAD, acknowledged: warnings });
    const stored = await prisma().approval.findFirst({ where: { phase: 1 }, orderBy: { id: "desc" } });
    expect(stored?.acknowledged).toEqual(warnings);
    expect(stored?.preflightValidationId).not.toBeNull();
    expect(stored?.statements).toEqual(approvedSteps(plan));
    await expect(decidePlan({ phase: 1, checksum: plan.checksum, decision: "approved", comment: "", actor: TEST_LEAD })).rejects.toThrow(
      /already approved \(by lead@test at .*\): withdraw that decision first/,
    );
    await expect(decidePlan({ phase: 1, checksum: plan.checksum, decision: "rejected", comment: "no", actor: OTHER_LEAD })).rejects.toThrow(/already approved/);
    expect(await prisma().approval.count({ where: { phase: 1 } })).toBe(1);
    expect((await current()).state.current?.comment).toBe("checked the counts");
  });

  it("two leads deciding at the same moment: exactly one decision is recorded", async () => {
    await withdrawDecision({ phase: 1, actor: TEST_LEAD });
    const { plan } = await current();
    const before = await prisma().approval.count({ where: { phase: 1 } });
    const results = await Promise.allSettled([
      decidePlan({ phase: 1, checksum: plan.checksum, decision: "approved", comment: "a", actor: TEST_LEAD, acknowledged: warnings }),
      decidePlan({ phase: 1, checksum: plan.checksum, decision: "approved", comment: "b", actor: OTHER_LEAD, acknowledged: warnings }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await prisma().approval.count({ where: { phase: 1 } })).toBe(before + 1);
  });

  it("a lead withdraws a decision while nothing ran under it, and may then decide again", async () => {
    expect((await current()).state.withdrawable).toBe(true);
    await withdrawDecision({ phase: 1, actor: TEST_LEAD });
    const { plan, state } = await current();
    expect(state.current).toBeNull();
    expect(state.voidedReason).toBe("withdrawn by lead@test");
    await expect(requestRun(1, SYSTEM_ACTOR)).rejects.toBeInstanceOf(PlanNotApprovedError);
    await decidePlan({ phase: 1, checksum: plan.checksum, decision: "approved", comment: "again", actor: TEST_LEAD, acknowledged: warnings });
    expect((await current()).state.current?.decision).toBe("approved");
  });

  it("once a run was requested under a decision it cannot be withdrawn", async () => {
    await requestRun(1, SYSTEM_ACTOR);
    await cancelRun(1, SYSTEM_ACTOR);
    expect((await current()).state.withdrawable).toBe(false);
    await expect(withdrawDecision({ phase: 1, actor: TEST_LEAD })).rejects.toThrow("Phase 1 has run under this decision: roll it back instead");
    await expect(withdrawDecision({ phase: 1, actor: { ...TEST_LEAD, roles: ["admin"] } })).rejects.toThrow("Only a team lead can do this (phase.withdraw)");
  });
});

describe("the last approved plan is kept for a diff", () => {
  it("with the statements the lead read, offered only once the plan's checksum differs", async () => {
    const { plan } = await current();
    expect(await lastApprovedPlan(1, plan.checksum)).toBeNull();
    const previous = await lastApprovedPlan(1, "a-plan-that-changed");
    expect(previous?.checksum).toBe(plan.checksum);
    expect(previous?.steps).toEqual(approvedSteps(plan));
    expect(previous?.decidedBy).toBe(TEST_LEAD.email);
  });
});

describe("an approval goes stale when the legacy data changes size", () => {
  it("three times the identity rows: the run is refused and the approval shows approved vs current estimates", async () => {
    const { state: approved } = await current();
    expect(approved.current?.decision).toBe("approved");
    expect(approved.stale).toBeNull();
    // Two copies of every users and people row (new ids, new emails): the identity tables grow 3x.
    await pool().query(copyIdentityRowsSql(2));
    const { plan, state } = await current();
    expect(state.stale?.map((s) => s.stepId)).toContain("merge-identities");
    const merge = state.stale!.find((s) => s.stepId === "merge-identities")!;
    expect(merge.current / merge.approved).toBeGreaterThan(1.5);
    await expect(requestRun(1, SYSTEM_ACTOR)).rejects.toThrow(/The legacy data changed size since phase 1 was approved \(.*merge-identities .* rows.*\): a lead must approve the plan again/);
    // A lead looks at the new size, runs the pre-flight again and approves; the stale approval is voided on the way.
    const now = await runPreflight(1);
    await decidePlan({ phase: 1, checksum: plan.checksum, decision: "approved", comment: "bigger, fine", actor: TEST_LEAD, acknowledged: now });
    const after = await current();
    expect(after.state.stale).toBeNull();
    expect(after.state.current?.comment).toBe("bigger, fine");
  });
});
