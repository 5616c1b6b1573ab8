import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { PhaseOrderError } from "@/lib/engine/errors";
import { stopQueue } from "@/lib/engine/queue";
import { requestRun } from "@/lib/engine/runs";
import { approveAndRun, runPreflight } from "@/lib/engine/testing/phases";
import { seedLegacy } from "@/lib/legacy/generator";
import { buildPlan } from "../plan";

withTestDatabase();
beforeAll(() => seedLegacy(pool(), { audits: 1200, scorecards: 3, seed: "phase-2-order" }));
afterAll(() => stopQueue());

describe("Phase 2 waits for Phase 1", () => {
  it("its plan states six steps, live sync before the load, the load with one unit per audit table", async () => {
    const plan = await buildPlan(2, pool());
    expect(plan.available).toBe(true);
    expect(plan.steps.map((s) => s.id)).toEqual(["scorecard-tables", "audits-table", "audit-sync", "load-audits", "audit-indexes", "audit-compat-views"]);
    expect(plan.steps.find((s) => s.id === "load-audits")?.units?.map((u) => u.estimatedRows).reduce((a, b) => a + b, 0)).toBe(1200);
  });

  it("cannot be requested before Phase 1 has succeeded, and its pre-flight fails without employees", async () => {
    await expect(requestRun(2, SYSTEM_ACTOR)).rejects.toBeInstanceOf(PhaseOrderError);
    await expect(requestRun(2, SYSTEM_ACTOR)).rejects.toThrow("Phase 1 must succeed (with its post-validation) before phase 2 can run; it is not started");
    const plan = await buildPlan(2, pool());
    expect(plan.preflight.find((c) => c.name === "Phase 1's employees are there")?.status).toBe("fail");
  });

  it("after Phase 1 its pre-flight passes, with only warnings a lead acknowledges", async () => {
    expect((await approveAndRun(1)).status).toBe("succeeded");
    const plan = await buildPlan(2, pool());
    expect(plan.preflight.filter((c) => c.status === "fail")).toEqual([]);
    const warnings = await runPreflight(2);
    expect(warnings.every((w) => !/every email is an employee/.test(w))).toBe(true);
  });
});
