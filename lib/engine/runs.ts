import { recordActivity, type Actor } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { Prisma } from "@/lib/generated/prisma/client";
import { assertPhase, buildPlan, phaseDefinition, planContext } from "@/lib/plan/plan";
import { approvalState } from "./approvals";
import { EngineError, PhaseOrderError, PlanNotApprovedError, RunAlreadyActiveError, RunStateError } from "./errors";
import { enqueueRun } from "./queue";

export type PhaseStatus =
  | "not_started" | "queued" | "running" | "paused" | "succeeded" | "failed" | "cancelled"
  | "rolling_back" | "rolled_back" | "rollback_failed";

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

async function insertRun(data: { phase: number; kind: "run" | "rollback"; checksum: string; onlyStep: string | null; actor: Actor; steps: { id: string; title: string }[] }) {
  try {
    return await prisma().phaseRun.create({
      data: {
        phase: data.phase,
        kind: data.kind,
        planChecksum: data.checksum,
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
export async function requestRun(phase: number, actor: Actor, options: { onlyStep?: string } = {}) {
  assertPhase(phase);
  const active = await activeRun();
  if (active) throw new RunAlreadyActiveError(describeActive(active));
  const plan = await buildPlan(phase, pool());
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
  const approval = await approvalState(phase, plan.checksum);
  if (approval.current?.decision !== "approved") {
    throw new PlanNotApprovedError(
      approval.voidedByChange
        ? `The plan of phase ${phase} changed after it was approved: a lead must approve the new plan`
        : approval.current?.decision === "rejected"
          ? `A lead rejected the plan of phase ${phase}: ${approval.current.comment}`
          : `A lead must approve the plan of phase ${phase} before it runs`,
    );
  }
  let steps = plan.steps;
  if (options.onlyStep) {
    steps = plan.steps.filter((s) => s.id === options.onlyStep);
    if (!steps.length) throw new EngineError(`Phase ${phase} has no step "${options.onlyStep}"; its steps are ${plan.steps.map((s) => s.id).join(", ")}`);
  }
  const run = await insertRun({ phase, kind: "run", checksum: plan.checksum, onlyStep: options.onlyStep ?? null, actor, steps });
  await recordActivity({ actor, action: "phase.run", target: `phase ${phase}`, outcome: "ok", detail: { runId: run.id, onlyStep: options.onlyStep ?? null } });
  await enqueueRun(run.id);
  return run;
}

/** Queues the undo of a phase: its steps' rollbacks in reverse order. */
export async function requestRollback(phase: number, actor: Actor) {
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
  const ctx = await planContext(pool());
  const steps = definition.steps(ctx).reverse();
  const run = await insertRun({ phase, kind: "rollback", checksum: "", onlyStep: null, actor, steps });
  await recordActivity({ actor, action: "phase.rollback", target: `phase ${phase}`, outcome: "ok", detail: { runId: run.id } });
  await enqueueRun(run.id);
  return run;
}

async function runOf(phase: number) {
  const active = await prisma().phaseRun.findFirst({ where: { phase, status: { in: ["queued", "running", "paused"] } } });
  if (!active) throw new RunStateError(`Phase ${phase} has no queued, running or paused run`);
  return active;
}

export async function pauseRun(phase: number, actor: Actor) {
  const run = await runOf(phase);
  if (run.status === "paused") throw new RunStateError(`Run #${run.id} is already paused`);
  await prisma().phaseRun.update({
    where: { id: run.id },
    data: run.status === "queued" ? { status: "paused" } : { pauseRequested: true },
  });
  await recordActivity({ actor, action: "phase.pause", target: `phase ${phase}`, outcome: "ok", detail: { runId: run.id } });
  return run;
}

export async function resumeRun(phase: number, actor: Actor) {
  const run = await runOf(phase);
  if (run.status !== "paused") throw new RunStateError(`Run #${run.id} is ${run.status}, not paused`);
  await prisma().phaseRun.update({ where: { id: run.id }, data: { status: "queued", pauseRequested: false } });
  await recordActivity({ actor, action: "phase.resume", target: `phase ${phase}`, outcome: "ok", detail: { runId: run.id } });
  await enqueueRun(run.id);
  return run;
}

export async function cancelRun(phase: number, actor: Actor) {
  const run = await runOf(phase);
  await prisma().phaseRun.update({
    where: { id: run.id },
    data: run.status === "running" ? { cancelRequested: true } : { status: "cancelled", finishedAt: new Date() },
  });
  await recordActivity({ actor, action: "phase.cancel", target: `phase ${phase}`, outcome: "ok", detail: { runId: run.id } });
  return run;
}
