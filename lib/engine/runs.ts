import { recordActivity, type Actor } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { whileFlagsOff } from "@/lib/flags/phase-guard";
import { Prisma } from "@/lib/generated/prisma/client";
import { assertPhase, buildPlanFrom, phaseDefinition, planContext } from "@/lib/plan/plan";
import { approvalState, planEstimates, voidApprovals } from "./approvals";
import { EngineError, PhaseOrderError, PlanNotApprovedError, RunAlreadyActiveError, RunStateError } from "./errors";
import { freezePlan, type FrozenPlan } from "./frozen-plan";
import { enqueueRun } from "./queue";
import { transitionRun, type PhaseStatus } from "./state-machine";

export type { PhaseStatus } from "./state-machine";

/** A phase's status, derived from its latest full run or rollback. */
export async function phaseStatus(phase: number): Promise<{ status: PhaseStatus; runId: number | null }> {
  const latest = await prisma().phaseRun.findFirst({
    where: { phase, OR: [{ kind: "rollback" }, { onlyStep: null }] },
    orderBy: { id: "desc" },
  });
  if (!latest) return { status: "not_started", runId: null };
  if (latest.kind === "rollback") {
    const map: Record<string, PhaseStatus> = { succeeded: "rolled_back", failed: "rollback_failed", cancelled: "rollback_failed" };
    return { status: map[latest.status] ?? "rolling_back", runId: latest.id };
  }
  return { status: latest.status === "rolled_back" ? "rolled_back" : (latest.status as PhaseStatus), runId: latest.id };
}

export async function activeRun() {
  return prisma().phaseRun.findFirst({ where: { status: { in: ["queued", "running", "paused"] } } });
}

function describeActive(run: { id: number; phase: number; kind: string; status: string; requestedBy: string; requestedAt: Date }): string {
  const what = run.kind === "rollback" ? `a rollback of phase ${run.phase}` : `phase ${run.phase}`;
  return `Already running: ${what} (run #${run.id}, ${run.status}), started by ${run.requestedBy} at ${run.requestedAt.toISOString()}`;
}

export async function insertRun(data: {
  phase: number;
  kind: "run" | "rollback";
  checksum: string;
  onlyStep: string | null;
  actor: Actor;
  steps: { id: string; title: string }[];
  plan: FrozenPlan;
}) {
  try {
    return await prisma().phaseRun.create({
      data: {
        phase: data.phase,
        kind: data.kind,
        planChecksum: data.checksum,
        plan: JSON.parse(JSON.stringify(data.plan)),
        discoveryFingerprint: data.plan.fingerprint,
        onlyStep: data.onlyStep,
        requestedBy: data.actor.email ?? "unknown",
        steps: { create: data.steps.map((s, position) => ({ stepId: s.id, title: s.title, position })) },
      },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const active = await activeRun();
      throw new RunAlreadyActiveError(active ? describeActive(active) : "Another run was requested at the same moment");
    }
    throw error;
  }
}

/** Queues a run after checking order and approval; the work happens in a worker, never here. */
export async function requestRun(phase: number, actor: Principal, options: { onlyStep?: string } = {}) {
  await authorize(actor, "phase.run", `phase ${phase}${options.onlyStep ? ` step ${options.onlyStep}` : ""}`);
  assertPhase(phase);
  const active = await activeRun();
  if (active) throw new RunAlreadyActiveError(describeActive(active));
  const ctx = await planContext(pool());
  const plan = await buildPlanFrom(phase, ctx);
  if (!plan.available) throw new EngineError(`Phase ${phase} has no steps in this version of Unify`);
  if (phase > 1) {
    const previous = await phaseStatus(phase - 1);
    if (previous.status !== "succeeded") {
      throw new PhaseOrderError(`Phase ${phase - 1} must succeed (with its post-validation) before phase ${phase} can run; it is ${previous.status.replace("_", " ")}`);
    }
  }
  const current = await phaseStatus(phase);
  if (current.status === "succeeded" && !options.onlyStep) {
    throw new RunStateError(`Phase ${phase} already succeeded; roll it back to run it again`);
  }
  const approval = await approvalState(phase, plan.checksum, planEstimates(plan));
  if (approval.stale) {
    const moved = approval.stale.map((s) => `${s.stepId} ${s.approved} → ${s.current} rows`).join(", ");
    throw new PlanNotApprovedError(`The legacy data changed size since phase ${phase} was approved (${moved}): a lead must approve the plan again`);
  }
  if (approval.current?.decision !== "approved") {
    throw new PlanNotApprovedError(
      approval.voidedByChange
        ? `The plan of phase ${phase} changed after it was approved: a lead must approve the new plan`
        : approval.voidedReason
          ? `The approval of phase ${phase} no longer counts (${approval.voidedReason}): a lead must approve the plan again`
          : approval.current?.decision === "rejected"
          ? `A lead rejected the plan of phase ${phase}: ${approval.current.comment}`
          : `A lead must approve the plan of phase ${phase} before it runs`,
    );
  }
  const refusals = (await phaseDefinition(phase)?.requirements?.(ctx)) ?? [];
  if (refusals.length) throw new PhaseOrderError(`Phase ${phase} cannot run now: ${refusals.join("; ")}`);
  let steps = plan.steps;
  if (options.onlyStep) {
    steps = plan.steps.filter((s) => s.id === options.onlyStep);
    if (!steps.length) throw new EngineError(`Phase ${phase} has no step "${options.onlyStep}"; its steps are ${plan.steps.map((s) => s.id).join(", ")}`);
  }
  // The run carries the plan the lead approved; the executor and every resume run exactly this.
  const run = await insertRun({ phase, kind: "run", checksum: plan.checksum, onlyStep: options.onlyStep ?? null, actor, steps, plan: freezePlan(plan, ctx) });
  await recordActivity({ actor, action: "phase.run", target: `phase ${phase}`, outcome: "ok", detail: { runId: run.id, onlyStep: options.onlyStep ?? null } });
  await enqueueRun(run.id);
  return run;
}

/** Queues the undo of a phase: its steps' rollbacks in reverse order. */
export async function requestRollback(phase: number, actor: Principal) {
  await authorize(actor, "phase.rollback", `phase ${phase}`);
  assertPhase(phase);
  const definition = phaseDefinition(phase);
  if (!definition) throw new EngineError(`Phase ${phase} has nothing to roll back`);
  const active = await activeRun();
  if (active) throw new RunAlreadyActiveError(describeActive(active));
  if (phase < 5) {
    const next = await phaseStatus(phase + 1);
    if (!["not_started", "rolled_back"].includes(next.status)) {
      throw new PhaseOrderError(`Roll back phase ${phase + 1} first: it is ${next.status.replace("_", " ")}`);
    }
  }
  const status = await phaseStatus(phase);
  if (status.status === "not_started" || status.status === "rolled_back") {
    throw new RunStateError(`Phase ${phase} has nothing to roll back (${status.status.replace("_", " ")})`);
  }
  // Undo with the context the phase ran with (a scorecard registered since must not change what is dropped).
  const ran = await prisma().phaseRun.findFirst({ where: { phase, kind: "run", plan: { not: Prisma.AnyNull } }, orderBy: { id: "desc" } });
  const ranWith = ran?.plan as FrozenPlan | undefined;
  const ctx = ranWith ? { db: pool(), ...ranWith.context } : await planContext(pool());
  const refusals = (await definition.rollbackRequirements?.(ctx)) ?? [];
  if (refusals.length) throw new PhaseOrderError(`Phase ${phase} cannot be rolled back: ${refusals.join("; ")}`);
  const steps = definition.steps(ctx).reverse();
  const frozen: FrozenPlan = ranWith ? { ...ranWith, checksum: "", steps: [] } : { ...freezePlan({ phase, title: "", available: true, steps: [], checksum: "", preflight: [] }, ctx) };
  // Refused while a flag still sends readers to this phase's tables (lib/flags/phase-guard.ts).
  const run = await whileFlagsOff(phase, () => insertRun({ phase, kind: "rollback", checksum: "", onlyStep: null, actor, steps, plan: frozen }));
  // An approval is for one run: after a rollback a lead looks at what went wrong and approves again.
  await voidApprovals(pool(), phase, `phase ${phase} was rolled back (rollback #${run.id} by ${actor.email ?? "unknown"})`);
  await recordActivity({ actor, action: "phase.rollback", target: `phase ${phase}`, outcome: "ok", detail: { runId: run.id } });
  await enqueueRun(run.id);
  return run;
}

/** Every statement a phase would run, with estimates; changes nothing but the activity log. */
export async function dryRunPlan(phase: number, actor: Principal) {
  await authorize(actor, "phase.dry_run", `phase ${phase}`);
  assertPhase(phase);
  const plan = await buildPlanFrom(phase, await planContext(pool()));
  if (!plan.available) throw new EngineError(`Phase ${phase} has no steps in this version of Unify`);
  const statements = plan.steps.reduce((n, s) => n + s.statements.length, 0);
  await recordActivity({
    actor,
    action: "phase.dry_run",
    target: `phase ${phase}`,
    outcome: "ok",
    detail: { checksum: plan.checksum, steps: plan.steps.length, statements },
  });
  return { plan, statements };
}

async function runOf(phase: number) {
  const active = await prisma().phaseRun.findFirst({ where: { phase, status: { in: ["queued", "running", "paused"] } } });
  if (!active) throw new RunStateError(`Phase ${phase} has no queued, running or paused run`);
  return active;
}

export async function pauseRun(phase: number, actor: Principal) {
  await authorize(actor, "phase.pause", `phase ${phase}`);
  const run = await runOf(phase);
  await transitionRun(pool(), run.id, "pause");
  await recordActivity({ actor, action: "phase.pause", target: `phase ${phase}`, outcome: "ok", detail: { runId: run.id } });
  return run;
}

export async function resumeRun(phase: number, actor: Principal) {
  await authorize(actor, "phase.resume", `phase ${phase}`);
  const run = await runOf(phase);
  await transitionRun(pool(), run.id, "resume");
  await recordActivity({ actor, action: "phase.resume", target: `phase ${phase}`, outcome: "ok", detail: { runId: run.id } });
  await enqueueRun(run.id);
  return run;
}

export async function cancelRun(phase: number, actor: Principal) {
  await authorize(actor, "phase.cancel", `phase ${phase}`);
  const run = await runOf(phase);
  await transitionRun(pool(), run.id, "cancel");
  await recordActivity({ actor, action: "phase.cancel", target: `phase ${phase}`, outcome: "ok", detail: { runId: run.id } });
  return run;
}
