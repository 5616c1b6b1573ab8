import { describe, expect, it } from "vitest";
import type { ApprovalState } from "@/lib/engine/approvals";
import { summarizePhase } from "@/lib/engine/summary";
import type { PhasePlan } from "@/lib/plan/plan";
import { nextActions } from "./next-actions";

const meta = { number: 1, title: "Foundation", summary: "", risk: "low" };
const plan = { phase: 1, title: "Foundation", available: true, checksum: "c1", steps: [], preflight: [] } as unknown as PhasePlan;
const none: ApprovalState = { current: null, voidedByChange: false, voidedReason: null, stale: null, withdrawable: false };
const rolledBackRuns = [
  { id: 7, kind: "rollback", status: "succeeded", onlyStep: null, requestedBy: "admin@unify.local", finishedAt: new Date(), verification: null },
  { id: 6, kind: "run", status: "rolled_back", onlyStep: null, requestedBy: "admin@unify.local", finishedAt: new Date(), verification: [] },
];

function phaseAfter(approval: ApprovalState, status: "rolled_back" | "not_started") {
  return summarizePhase({ meta, plan, status, approval, runs: status === "rolled_back" ? rolledBackRuns : [], activeRun: null });
}

describe("next actions after a rollback", () => {
  it("tell the lead the phase was rolled back and needs a new approval, not that the plan changed", () => {
    const phase = phaseAfter({ ...none, voidedReason: "phase 1 was rolled back (rollback #7 by admin@unify.local)" }, "rolled_back");
    expect(phase.approval).toEqual({ state: "voided", why: "rolled_back" });
    const [lead, admin] = nextActions([phase], ["lead", "admin"]);
    expect(lead!.text).toBe(
      "Phase 1 was rolled back, and an approval is for one run: review its plan and what the rolled-back run did, then approve it again so an admin can run it.",
    );
    expect(lead!.text).not.toMatch(/plan changed/);
    expect(admin!.text).toBe("Phase 1 was rolled back: a lead must approve its plan again before it can run again.");
  });

  it("say rolled back also when the plan changed since the rollback", () => {
    const phase = phaseAfter({ ...none, voidedByChange: true }, "rolled_back");
    expect(nextActions([phase], ["lead"])[0]!.text).toMatch(/^Phase 1 was rolled back/);
  });

  it("a new approval after the rollback is what the admin runs", () => {
    const approved: ApprovalState = { ...none, current: { decision: "approved", decidedBy: "lead@unify.local", decidedAt: new Date(), comment: "again", preflight: [] } };
    const [admin] = nextActions([phaseAfter(approved, "rolled_back")], ["admin"]);
    expect(admin!.text).toBe("Run phase 1 (Foundation): a lead approved its plan.");
  });

  it("a plan changed before any run still says the plan changed", () => {
    const phase = phaseAfter({ ...none, voidedByChange: true }, "not_started");
    expect(phase.approval).toEqual({ state: "voided", why: "changed" });
    expect(nextActions([phase], ["lead"])[0]!.text).toBe("The plan of phase 1 changed since it was decided: review and approve it again.");
  });
});
