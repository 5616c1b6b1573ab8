import { recordActivity } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { buildPlan } from "@/lib/plan/plan";
import type { ApprovedStep } from "@/lib/plan/plan-diff";
import type { Check, Queryable } from "@/lib/plan/types";
import { validationReport } from "@/lib/validation/runs";
import { EngineError, PlanNotApprovedError } from "./errors";

export type Decision = "approved" | "rejected";

export interface ApprovalState {
  /** The decision that counts: the latest one for the current plan checksum, unless voided. */
  current: { decision: Decision; decidedBy: string; decidedAt: Date; comment: string; preflight: Check[] } | null;
  /** True when the latest decision was made on a plan that has since changed. */
  voidedByChange: boolean;
  /** Why the latest approval no longer counts although the plan is the same (a rollback, a plan change mid-run, withdrawn). */
  voidedReason: string | null;
  /**
   * Steps whose row estimate moved past the staleness factor since the approval (the legacy data
   * grew or shrank): a stale approval does not let the phase run.
   */
  stale: { stepId: string; approved: number; current: number }[] | null;
  /** The current decision may still be withdrawn: nothing has been requested under it. */
  withdrawable: boolean;
}

/** How far a step's row estimate may move (either way) before an approval goes stale. */
export function staleFactor(): number {
  const raw = process.env.UNIFY_APPROVAL_STALE_FACTOR ?? "2";
  const factor = Number(raw);
  if (!Number.isFinite(factor) || factor <= 1) throw new EngineError(`UNIFY_APPROVAL_STALE_FACTOR must be a number above 1 (got "${raw}")`);
  return factor;
}

// Below this many rows a step's estimate is too small for a ratio to mean anything.
const STALE_FLOOR_ROWS = 100;

function staleSteps(approved: Record<string, number>, current: Record<string, number>): ApprovalState["stale"] {
  const factor = staleFactor();
  const moved = Object.entries(current)
    .filter(([stepId]) => stepId in approved)
    .map(([stepId, now]) => ({ stepId, approved: approved[stepId]!, current: now }))
    .filter((e) => Math.max(e.approved, e.current, STALE_FLOOR_ROWS) / Math.max(Math.min(e.approved, e.current), STALE_FLOOR_ROWS) > factor);
  return moved.length ? moved : null;
}

/**
 * Where a phase's approval stands for the plan with `checksum`. With `estimates` (each step's
 * current row estimate), an approval whose estimates moved past the staleness factor is stale.
 */
export async function approvalState(phase: number, checksum: string, estimates?: Record<string, number>): Promise<ApprovalState> {
  const none = { current: null, voidedByChange: false, voidedReason: null, stale: null, withdrawable: false };
  const latest = await prisma().approval.findFirst({ where: { phase }, orderBy: { id: "desc" } });
  if (!latest) return none;
  if (latest.planChecksum !== checksum) return { ...none, voidedByChange: true };
  if (latest.voidedAt) return { ...none, voidedReason: latest.voidedReason ?? "voided" };
  const requestedSince = await prisma().phaseRun.count({ where: { phase, kind: "run", requestedAt: { gte: latest.decidedAt } } });
  const approvedEstimates = (latest.estimates ?? null) as Record<string, number> | null;
  return {
    current: {
      decision: latest.decision as Decision,
      decidedBy: latest.decidedBy,
      decidedAt: latest.decidedAt,
      comment: latest.comment,
      preflight: (latest.preflight ?? []) as unknown as Check[],
    },
    voidedByChange: false,
    voidedReason: null,
    stale: latest.decision === "approved" && approvedEstimates && estimates ? staleSteps(approvedEstimates, estimates) : null,
    withdrawable: requestedSince === 0,
  };
}

/** Each step's row estimate, as an approval records it and staleness compares it. */
export function planEstimates(plan: { steps: { id: string; estimatedRows: number }[] }): Record<string, number> {
  return Object.fromEntries(plan.steps.map((s) => [s.id, s.estimatedRows]));
}

/**
 * An approval is for one run: a rollback, or the legacy database changing under a run, voids it
 * and a lead decides again after looking at what happened.
 */
export async function voidApprovals(db: Queryable, phase: number, reason: string, options: { includeRejections?: boolean } = {}): Promise<void> {
  await db.query(
    `UPDATE console.approvals SET voided_at = now(), voided_reason = $2
      WHERE phase = $1 AND voided_at IS NULL AND (decision = 'approved' OR $3)`,
    [phase, reason, options.includeRejections === true],
  );
}

export const APPROVAL_LOCK = 0x756e6961; // "unia"

/**
 * An approval stands on a pre-flight report of this very plan: none, or one with failures, is
 * refused; each of its warnings must be acknowledged by name.
 */
async function preflightGate(phase: number, checksum: string, acknowledged: string[]): Promise<{ id: number; warnings: string[] }> {
  const report = await latestPreflight(phase, checksum);
  if (!report) {
    throw new PlanNotApprovedError(`Run the pre-flight suite of phase ${phase} on this plan first: an approval stands on its report`);
  }
  if (report.verdict === "fail" || report.status === "error") {
    throw new PlanNotApprovedError(`Pre-flight report #${report.id} has ${report.counts.fail} failing checks: fix the legacy data and run the suite again`);
  }
  const warnings = report.checks.flatMap((c) => c.results).filter((r) => r.status === "warn").map((r) => r.name);
  const missing = warnings.filter((w) => !acknowledged.includes(w));
  if (missing.length) {
    throw new PlanNotApprovedError(`Acknowledge every warning of pre-flight report #${report.id} to approve: ${missing.join("; ")}`);
  }
  return { id: report.id, warnings };
}

/** The newest pre-flight report of a phase's plan, finished or not, as the approval panel shows it. */
export async function latestPreflightRun(phase: number, checksum: string) {
  const run = await prisma().validationRun.findFirst({ where: { phase, kind: "preflight", planChecksum: checksum }, orderBy: { id: "desc" } });
  const report = run ? await validationReport(run.id) : null;
  if (!report) return null;
  return {
    id: report.id,
    status: report.status,
    verdict: report.verdict,
    ...report.counts,
    warnings: report.checks.flatMap((c) => c.results).filter((r) => r.status === "warn").map((r) => r.name),
  };
}

/** The newest finished pre-flight report of a phase for the plan with `checksum`. */
export async function latestPreflight(phase: number, checksum: string) {
  const run = await prisma().validationRun.findFirst({
    where: { phase, kind: "preflight", planChecksum: checksum, status: { in: ["finished", "error"] } },
    orderBy: { id: "desc" },
  });
  return run ? validationReport(run.id) : null;
}

/** A lead takes back the current decision while nothing has been requested under it. */
export async function withdrawDecision(input: { phase: number; actor: Principal }): Promise<void> {
  await authorize(input.actor, "phase.withdraw", `phase ${input.phase}`);
  const latest = await prisma().approval.findFirst({ where: { phase: input.phase }, orderBy: { id: "desc" } });
  if (!latest || latest.voidedAt) throw new EngineError(`Phase ${input.phase} has no standing decision to withdraw`);
  const requested = await prisma().phaseRun.count({ where: { phase: input.phase, kind: "run", requestedAt: { gte: latest.decidedAt } } });
  if (requested > 0) throw new EngineError(`Phase ${input.phase} has run under this decision: roll it back instead`);
  await voidApprovals(pool(), input.phase, `withdrawn by ${input.actor.email ?? "unknown"}`, { includeRejections: true });
  await recordActivity({ actor: input.actor, action: "phase.withdraw", target: `phase ${input.phase}`, outcome: "ok", detail: { checksum: latest.planChecksum, decision: latest.decision } });
}

/** A plan's steps as an approval keeps them, so a later plan can be diffed against what a lead read. */
export function approvedSteps(plan: { steps: { id: string; title: string; statements: string[] }[] }): ApprovedStep[] {
  return plan.steps.map((s) => ({ id: s.id, title: s.title, statements: s.statements }));
}

/**
 * The last plan a lead approved for a phase, with its statements, when it is not the plan with
 * `checksum`: what the current plan is diffed against. Null when the plan has not changed since,
 * or the approval predates stored statements.
 */
export async function lastApprovedPlan(phase: number, checksum: string): Promise<{ id: number; checksum: string; decidedBy: string; decidedAt: Date; steps: ApprovedStep[] } | null> {
  const approval = await prisma().approval.findFirst({ where: { phase, decision: "approved" }, orderBy: { id: "desc" } });
  if (!approval || approval.planChecksum === checksum || !Array.isArray(approval.statements)) return null;
  return {
    id: approval.id,
    checksum: approval.planChecksum,
    decidedBy: approval.decidedBy,
    decidedAt: approval.decidedAt,
    steps: approval.statements as unknown as ApprovedStep[],
  };
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
  actor: Principal;
  /** The names of the pre-flight report's warnings the lead read and accepts; every one is required to approve. */
  acknowledged?: string[];
}): Promise<void> {
  await authorize(input.actor, input.decision === "approved" ? "phase.approve" : "phase.reject", `phase ${input.phase}`);
  if (input.decision === "rejected" && !input.comment.trim()) {
    throw new EngineError("Say why the plan is rejected: a comment is required");
  }
  const plan = await buildPlan(input.phase, pool());
  if (!plan.available) throw new EngineError(`Phase ${input.phase} has no plan to approve yet`);
  if (plan.checksum !== input.checksum) {
    throw new PlanNotApprovedError("The plan changed while you were reading it: review the new plan and decide again");
  }
  const estimates = planEstimates(plan);
  // One standing decision per plan: the check and the insert run under a lock on the phase's
  // decisions, so two leads deciding at the same moment cannot both be recorded.
  await prisma().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${APPROVAL_LOCK}, ${input.phase})`;
    const latest = await tx.approval.findFirst({ where: { phase: input.phase }, orderBy: { id: "desc" } });
    if (latest && latest.planChecksum === plan.checksum && !latest.voidedAt) {
      const approved = latest.estimates as Record<string, number> | null;
      const stale = latest.decision === "approved" && approved ? staleSteps(approved, estimates) : null;
      if (!stale) {
        throw new EngineError(
          `This plan of phase ${input.phase} is already ${latest.decision} (by ${latest.decidedBy} at ${latest.decidedAt.toISOString()}): withdraw that decision first to decide again`,
        );
      }
      await tx.approval.update({ where: { id: latest.id }, data: { voidedAt: new Date(), voidedReason: "stale: the legacy data changed size since it was approved" } });
    }
    const preflight = input.decision === "approved" ? await preflightGate(input.phase, plan.checksum, input.acknowledged ?? []) : null;
    await tx.approval.create({
      data: {
        phase: input.phase,
        planChecksum: plan.checksum,
        decision: input.decision,
        comment: input.comment.trim(),
        decidedBy: input.actor.email ?? "unknown",
        preflight: JSON.parse(JSON.stringify(plan.preflight)),
        estimates,
        preflightValidationId: preflight?.id ?? null,
        acknowledged: preflight ? preflight.warnings : undefined,
        statements: approvedSteps(plan),
      },
    });
  });
  await recordActivity({
    actor: input.actor,
    action: input.decision === "approved" ? "phase.approve" : "phase.reject",
    target: `phase ${input.phase}`,
    outcome: "ok",
    detail: { checksum: plan.checksum, comment: input.comment.trim() },
  });
}
