import { describe, expect, it } from "vitest";
import { describeActivity, foldSessions, type ActivityRecord } from "./describe";

let next = 100;
const entry = (over: Partial<ActivityRecord>): ActivityRecord => ({
  id: String(next--),
  at: new Date("2026-01-31T14:05:09Z"),
  actorEmail: "admin@unify.local",
  action: "auth.login",
  target: "admin@unify.local",
  outcome: "ok",
  ip: "127.0.0.1",
  detail: null,
  ...over,
});

describe("describeActivity", () => {
  it("a refused action says who may do it and what the caller held", () => {
    const view = describeActivity(entry({ action: "phase.run", outcome: "denied", target: "phase 1", detail: { required: ["admin"], held: ["analyst"] } }));
    expect(view.label).toBe("Run a phase or one of its steps");
    expect(view.why).toBe("Needs an admin (held analyst)");
  });

  it("a refused sign-in says why, a failed action gives its error", () => {
    const refused = describeActivity(entry({ outcome: "failed", detail: { reason: "wrong password" } }));
    expect([refused.label, refused.why]).toEqual(["Sign-in refused", "Wrong password"]);
    expect(describeActivity(entry({ action: "phase.run", outcome: "failed", detail: { error: "Phase 1 is not approved", status: 409 } })).why).toBe(
      "Phase 1 is not approved",
    );
  });

  it("a change shows before → after: roles, and an override's value", () => {
    const roles = describeActivity(entry({ action: "operator.roles", target: "x@y", detail: { from: ["analyst"], to: ["analyst", "lead"] } }));
    expect(roles.change).toEqual({ field: "Roles", before: "analyst", after: "analyst, lead" });
    const override = describeActivity(entry({ action: "conflict.override", detail: { value: "Ann Smith", comment: "HR", previous: null } }));
    expect(override.change).toEqual({ field: "Value", before: "(empty)", after: "Ann Smith" });
    expect(override.facts).toEqual([{ label: "Comment", value: "HR" }]);
  });

  it("other details are named for people", () => {
    const run = describeActivity(entry({ action: "phase.run", target: "phase 1", detail: { runId: 7, onlyStep: null } }));
    expect(run.facts).toEqual([{ label: "Run", value: "#7" }]);
    expect(run.why).toBeNull();
  });
});

describe("foldSessions", () => {
  it("folds consecutive successful sign-ins and sign-outs into one row, leaving the rest in order", () => {
    const views = [
      entry({ action: "auth.login" }),
      entry({ action: "auth.logout" }),
      entry({ action: "auth.login", actorEmail: "lead@unify.local" }),
      entry({ action: "phase.approve", target: "phase 1" }),
      entry({ action: "auth.login" }),
      entry({ action: "auth.login", outcome: "denied", detail: { reason: "wrong password" } }),
      entry({ action: "auth.login" }),
      entry({ action: "auth.login" }),
    ].map(describeActivity);
    const items = foldSessions(views);
    expect(items.map((i) => (i.kind === "sessions" ? `sessions×${i.entries.length}` : i.entry.action))).toEqual([
      "sessions×3",
      "phase.approve",
      "auth.login",
      "auth.login",
      "sessions×2",
    ]);
  });
});
