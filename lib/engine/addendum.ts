import { recordActivity } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { ADDENDUM_STEPS, addendumPlan, unloadedAuditTables, type AddendumPlan } from "@/lib/plan/phase-2/addendum";
import { planContext } from "@/lib/plan/plan";
import type { Check, PlanContext } from "@/lib/plan/types";
import { APPROVAL_LOCK, approvalState, planEstimates, type ApprovalState } from "./approvals";
import { EngineError, PhaseOrderError, PlanNotApprovedError, RunAlreadyActiveError } from "./errors";
import { freezePlan } from "./frozen-plan";
import { enqueueRun } from "./queue";
import { activeRun, insertRun, phaseStatus } from "./runs";

/**
 * Scorecard tables registered after Phase 2 succeeded, loaded on their own (lib/plan/phase-2/addendum.ts):
 * a lead approves the small plan by its checksum, an admin runs it as a Phase 2 run whose frozen
 * plan holds just those steps and whose context is the whole discovery, so post-validation is the
 * whole Phase 2 suite and a later rollback of Phase 2 undoes the new table too.
 */
export interface ScorecardAddendum {
  plan: AddendumPlan;
  approval: ApprovalState;
  /** Why it cannot run now, as checks: every one must pass for a lead to approve and an admin to run. */
  checks: Check[];
}

/** The addendum as the Overview and the Phase 2 page show it. */
export interface NewScorecardsView {
  tables: string[];
  checksum: string;
  steps: { id: string; title: string; statements: string[]; estimatedRows: number }[];
  approval: { by: string; at: Date; comment: string } | null;
  checks: Check[];
}

export async function newScorecards(): Promise<NewScorecardsView | null> {
  const addendum = await scorecardAddendum();
  if (!addendum) return null;
  const { plan, approval, checks } = addendum;
  const current = approval.current?.decision === "approved" ? approval.current : null;
  return {
    tables: plan.tables,
    checksum: plan.checksum,
    steps: plan.steps.map((s) => ({ id: s.id, title: s.title, statements: s.statements, estimatedRows: s.estimatedRows })),
    approval: current ? { by: current.decidedBy, at: current.decidedAt, comment: current.comment } : null,
    checks,
  };
}

async function addendumChecks(): Promise<Check[]> {
  const [two, three] = await Promise.all([phaseStatus(2), phaseStatus(3)]);
  const threeClear = three.status === "not_started" || three.status === "rolled_back";
  return [
    {
      name: "Phase 2 has loaded the other audit tables",
      status: (await phaseTwoRan()) ? "pass" : "fail",
      detail: `phase 2 is ${two.status.replace("_", " ")}`,
    },
    {
      name: "Phase 3 has not resolved notifications yet",
      status: threeClear ? "pass" : "fail",
      detail: threeClear ? `phase 3 is ${three.status.replace("_", " ")}` : `roll back phase 3 first (it is ${three.status.replace("_", " ")}): its notifications resolve audits when it loads`,
    },
  ];
}

/**
 * The addendum the console offers, or null when there is nothing to load: Phase 2 has a run that
 * got past its scorecards (succeeded, or an addendum that failed or was cancelled) and discovery
 * finds usable tables it has not set up.
 */
export async function scorecardAddendum(): Promise<ScorecardAddendum | null> {
  // Discovery only once Phase 2 has run: before, the whole phase is what is left to do.
  if (!(await phaseTwoRan())) return null;
  return addendumFor(await planContext(pool()));
}

/** Phase 2 succeeded, or its latest run was an addendum that failed or was cancelled (to be run again). */
async function phaseTwoRan(): Promise<boolean> {
  const { status, runId } = await phaseStatus(2);
  if (status === "succeeded") return true;
  if ((status !== "failed" && status !== "cancelled") || runId === null) return false;
  // A whole run of Phase 2 that stopped is resumed or run again as a whole: it builds the indexes.
  const latest = await prisma().phaseRun.findUnique({ where: { id: runId }, select: { plan: true } });
  const steps = ((latest?.plan ?? null) as { steps?: { id: string }[] } | null)?.steps ?? [];
  return steps.length > 0 && steps.every((s) => (ADDENDUM_STEPS as readonly string[]).includes(s.id));
}

async function addendumFor(ctx: PlanContext): Promise<ScorecardAddendum | null> {
  if (!(await phaseTwoRan())) return null;
  const tables = await unloadedAuditTables(ctx);
  if (!tables.length) return null;
  const plan = await addendumPlan(ctx, tables);
  const [approval, checks] = await Promise.all([approvalState(2, plan.checksum, planEstimates(plan)), addendumChecks()]);
  return { plan, approval, checks };
}

/** The addendum from `ctx`, refused unless it may go ahead (nothing to load, or a check that fails). */
async function standingAddendum(ctx: PlanContext): Promise<ScorecardAddendum> {
  const addendum = await addendumFor(ctx);
  if (!addendum) throw new EngineError("No new scorecard table waits to be loaded: Phase 2 has set up every usable audit table");
  const failing = addendum.checks.filter((c) => c.status === "fail");
  if (failing.length) throw new PhaseOrderError(failing.map((c) => c.detail).join("; "));
  return addendum;
}

/** A lead approves the addendum they read; the checksum must still be the addendum's. */
export async function approveAddendum(input: { checksum: string; comment: string; actor: Principal }): Promise<void> {
  await authorize(input.actor, "phase.approve", "phase 2 new scorecard tables");
  const { plan, checks } = await standingAddendum(await planContext(pool()));
  if (plan.checksum !== input.checksum) throw new PlanNotApprovedError("The plan changed while you were reading it: review the new plan and decide again");
  // One approval per addendum: checked and recorded under the lock on the phase's decisions (as decidePlan does).
  await prisma().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${APPROVAL_LOCK}, 2)`;
    const latest = await tx.approval.findFirst({ where: { phase: 2 }, orderBy: { id: "desc" } });
    if (latest && latest.planChecksum === plan.checksum && !latest.voidedAt && latest.decision === "approved") {
      throw new EngineError(`Loading ${plan.tables.join(", ")} is already approved (by ${latest.decidedBy}): an admin runs it next`);
    }
    await tx.approval.create({
      data: {
        phase: 2,
        planChecksum: plan.checksum,
        decision: "approved",
        comment: input.comment.trim(),
        decidedBy: input.actor.email ?? "unknown",
        preflight: JSON.parse(JSON.stringify(checks)),
        estimates: planEstimates(plan),
        // No statements: the phase page diffs the whole plan against the last whole-plan approval,
        // and this one's SQL stays on its own card (and in the run's frozen plan) instead.
      },
    });
  });
  await recordActivity({
    actor: input.actor,
    action: "phase.approve",
    target: "phase 2",
    outcome: "ok",
    detail: { checksum: plan.checksum, comment: input.comment.trim(), newScorecardTables: plan.tables },
  });
}

/** An admin queues the approved addendum as a run of Phase 2; the worker executes it like any run. */
export async function requestAddendum(actor: Principal) {
  await authorize(actor, "phase.run", "phase 2 new scorecard tables");
  const active = await activeRun();
  if (active) throw new RunAlreadyActiveError(`Already running: run #${active.id} of phase ${active.phase} (${active.status})`);
  const ctx = await planContext(pool());
  const { plan, approval } = await standingAddendum(ctx);
  if (approval.current?.decision !== "approved") throw new PlanNotApprovedError(`A lead must approve loading ${plan.tables.join(", ")} before it runs`);
  const run = await insertRun({ phase: 2, kind: "run", checksum: plan.checksum, onlyStep: null, actor, steps: plan.steps, plan: freezePlan(plan, ctx) });
  await recordActivity({ actor, action: "phase.run", target: "phase 2", outcome: "ok", detail: { runId: run.id, newScorecardTables: plan.tables } });
  await enqueueRun(run.id);
  return run;
}
