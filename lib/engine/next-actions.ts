import { prisma } from "@/lib/db/prisma";
import type { Role } from "@/lib/auth/roles";
import { approvalState, planEstimates } from "./approvals";
import { phaseStatus } from "./runs";
import { allowedActions, phaseActions, type PhaseAction, type PhaseActionInput } from "./state-machine";

/** The facts `phaseActions` decides from, read for one phase whose plan checksum is known. */
export async function phaseActionInput(phase: number, plan: { available: boolean; checksum: string; steps: { id: string; estimatedRows: number }[] }): Promise<PhaseActionInput> {
  const [{ status }, active, previous, next, approval] = await Promise.all([
    phaseStatus(phase),
    prisma().phaseRun.findFirst({ where: { status: { in: ["queued", "running", "paused"] } } }),
    phase > 1 ? phaseStatus(phase - 1) : null,
    phase < 5 ? phaseStatus(phase + 1) : null,
    plan.available ? approvalState(phase, plan.checksum, planEstimates(plan)) : null,
  ]);
  const mine = active && active.phase === phase ? active : null;
  return {
    status,
    active: mine ? { status: mine.status as "queued" | "running" | "paused", pause_requested: mine.pauseRequested, cancel_requested: mine.cancelRequested } : null,
    otherActive: active !== null && active.phase !== phase,
    planAvailable: plan.available,
    approved: approval?.current?.decision === "approved" && !approval.stale,
    decided: approval?.current != null && !approval.stale,
    previousSucceeded: previous === null || previous.status === "succeeded",
    nextClear: next === null || next.status === "not_started" || next.status === "rolled_back",
  };
}

/** What may happen next to a phase: every action, or only those `roles` may take. */
export async function nextActions(
  phase: number,
  plan: { available: boolean; checksum: string; steps: { id: string; estimatedRows: number }[] },
  roles?: readonly Role[],
): Promise<PhaseAction[]> {
  const input = await phaseActionInput(phase, plan);
  return roles ? allowedActions(input, roles) : phaseActions(input);
}
