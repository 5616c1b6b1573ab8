import { recordActivity, type Actor } from "@/lib/activity/log";
import { hasAnyRole, type Role } from "@/lib/auth/roles";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { buildPlan } from "@/lib/plan/plan";
import type { Queryable } from "@/lib/plan/types";
import { EngineError, PlanNotApprovedError } from "./errors";

export type Decision = "approved" | "rejected";

export interface ApprovalState {
  /** The decision that counts: the latest one for the current plan checksum, unless voided. */
  current: { decision: Decision; decidedBy: string; decidedAt: Date; comment: string } | null;
  /** True when the latest decision was made on a plan that has since changed. */
  voidedByChange: boolean;
  /** Why the latest approval no longer counts although the plan is the same (a rollback, a plan change mid-run). */
  voidedReason: string | null;
}

export async function approvalState(phase: number, checksum: string): Promise<ApprovalState> {
  const latest = await prisma().approval.findFirst({ where: { phase }, orderBy: { id: "desc" } });
  if (!latest) return { current: null, voidedByChange: false, voidedReason: null };
  if (latest.planChecksum !== checksum) return { current: null, voidedByChange: true, voidedReason: null };
  if (latest.voidedAt) return { current: null, voidedByChange: false, voidedReason: latest.voidedReason ?? "voided" };
  return {
    current: { decision: latest.decision as Decision, decidedBy: latest.decidedBy, decidedAt: latest.decidedAt, comment: latest.comment },
    voidedByChange: false,
    voidedReason: null,
  };
}

/**
 * An approval is for one run: a rollback, or the legacy database changing under a run, voids it
 * and a lead decides again after looking at what happened.
 */
export async function voidApprovals(db: Queryable, phase: number, reason: string): Promise<void> {
  await db.query(
    `UPDATE console.approvals SET voided_at = now(), voided_reason = $2 WHERE phase = $1 AND voided_at IS NULL AND decision = 'approved'`,
    [phase, reason],
  );
}

export function approvalHistory(phase: number) {
  return prisma().approval.findMany({ where: { phase }, orderBy: { id: "desc" }, take: 50 });
}

/**
 * A lead approves or rejects the plan they saw: the checksum they read must still be the plan's
 * current checksum, or the decision is refused (the plan changed under them).
 */
export async function decidePlan(input: {
  phase: number;
  checksum: string;
  decision: Decision;
  comment: string;
  actor: Actor & { roles: Role[] };
}): Promise<void> {
  if (!hasAnyRole(input.actor.roles, ["lead"])) {
    throw new EngineError("Only a team lead can approve or reject a plan");
  }
  if (input.decision === "rejected" && !input.comment.trim()) {
    throw new EngineError("Say why the plan is rejected: a comment is required");
  }
  const plan = await buildPlan(input.phase, pool());
  if (!plan.available) throw new EngineError(`Phase ${input.phase} has no plan to approve yet`);
  if (plan.checksum !== input.checksum) {
    throw new PlanNotApprovedError("The plan changed while you were reading it: review the new plan and decide again");
  }
  await prisma().approval.create({
    data: {
      phase: input.phase,
      planChecksum: plan.checksum,
      decision: input.decision,
      comment: input.comment.trim(),
      decidedBy: input.actor.email ?? "unknown",
      preflight: JSON.parse(JSON.stringify(plan.preflight)),
    },
  });
  await recordActivity({
    actor: input.actor,
    action: input.decision === "approved" ? "phase.approve" : "phase.reject",
    target: `phase ${input.phase}`,
    outcome: "ok",
    detail: { checksum: plan.checksum, comment: input.comment.trim() },
  });
}
