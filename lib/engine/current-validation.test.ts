import { describe, expect, it } from "vitest";
import { currentValidation } from "./current-validation";

const checks = [
  { name: "employees count", status: "pass", detail: "10 of 10" },
  { name: "compat views", status: "pass", detail: "exact" },
];
const run = (id: number, over: Partial<{ kind: string; status: string; verification: unknown }> = {}) => ({
  id,
  kind: "run",
  status: "succeeded",
  verification: null,
  finishedAt: new Date(0),
  ...over,
});

describe("currentValidation", () => {
  it("is none before any run reached post-validation", () => {
    expect(currentValidation([])).toEqual({ state: "none" });
    expect(currentValidation([run(1, { status: "running" })])).toEqual({ state: "none" });
  });

  it("reports the latest validated run's checks as the phase's current state", () => {
    const result = currentValidation([run(3, { verification: checks }), run(2, { verification: [] })]);
    expect(result).toMatchObject({ state: "current", run: { id: 3 }, checks });
  });

  it("after a rollback the checks belong to the rolled-back run, not to the phase", () => {
    const result = currentValidation([run(4, { kind: "rollback" }), run(3, { status: "rolled_back", verification: checks })]);
    expect(result).toMatchObject({ state: "rolled_back", run: { id: 3 }, rollbackId: 4, checks });
  });

  it("a run marked rolled back stays rolled back even when its rollback is out of the list", () => {
    expect(currentValidation([run(3, { status: "rolled_back", verification: checks })])).toMatchObject({ state: "rolled_back", rollbackId: null });
  });

  it("a failed rollback leaves the run's checks current: its objects are still there", () => {
    const result = currentValidation([run(4, { kind: "rollback", status: "failed" }), run(3, { verification: checks })]);
    expect(result.state).toBe("current");
  });

  it("a new run after the rollback that reached post-validation is current again", () => {
    const result = currentValidation([run(5, { verification: checks }), run(4, { kind: "rollback" }), run(3, { status: "rolled_back", verification: checks })]);
    expect(result).toMatchObject({ state: "current", run: { id: 5 } });
  });
});
