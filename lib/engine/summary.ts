import { pool } from "@/lib/db/pool";
import type { PhasePlan } from "@/lib/plan/plan";
import { cachedPlan } from "@/lib/plan/plan-cache";
import { PHASES } from "@/lib/plan/phases";
import { currentValidation } from "./current-validation";
import { approvalState, planEstimates, type ApprovalState } from "./approvals";
import { latestRuns, runProgress, type RunProgress } from "./progress";
import { phaseStatus, type PhaseStatus } from "./runs";

export type ApprovalSummary =
  | { state: "approved" | "rejected"; by: string; at: Date; comment: string }
  /** The last decision no longer counts: the plan changed, the legacy data outgrew it, or the run it was for was rolled back. */
  | { state: "voided"; why: "changed" | "stale" | "rolled_back" }
  | { state: "pending" | "unplanned" };

export interface ProgressSummary {
  runId: number;
  kind: string;
  status: string;
  stepsDone: number;
  stepsTotal: number;
  currentStep: string | null;
  rowsDone: number;
  rowsTotal: number | null;
  /** The whole run in rows: percent done, rate and ETA (as the phase page's banner shows it). */
  percent: number;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
}

export interface PhaseSummary {
  number: number;
  title: string;
  summary: string;
  risk: string;
  available: boolean;
  stepCount: number;
  checksum: string;
  status: PhaseStatus;
  approval: ApprovalSummary;
  /** The queued, running or paused run of the phase, if any. */
  progress: ProgressSummary | null;
  /** Post-validation of the latest run that reached it. */
  validation: { runId: number; passed: number; failed: number; total: number; rolledBack: boolean } | null;
  lastRun: { id: number; kind: string; status: string; onlyStep: string | null; requestedBy: string; finishedAt: Date | null } | null;
}

interface RunRecord {
  id: number;
  kind: string;
  status: string;
  onlyStep: string | null;
  requestedBy: string;
  finishedAt: Date | null;
  verification: unknown;
}

function approvalSummary(plan: PhasePlan, approval: ApprovalState | null, status: PhaseStatus): ApprovalSummary {
  if (!plan.available || !approval) return { state: "unplanned" };
  if (approval.current && approval.stale) return { state: "voided", why: "stale" };
  if (approval.current) {
    const { decision, decidedBy, decidedAt, comment } = approval.current;
    return { state: decision, by: decidedBy, at: decidedAt, comment };
  }
  // A rollback voids the approval of the run it undoes; that, not a later plan change, is what a lead acts on.
  if (status === "rolled_back" && (approval.voidedReason !== null || approval.voidedByChange)) return { state: "voided", why: "rolled_back" };
  return approval.voidedByChange ? { state: "voided", why: "changed" } : { state: "pending" };
}

function progressSummary(run: RunProgress | null): ProgressSummary | null {
  if (!run) return null;
  const current = run.steps.find((s) => s.status === "running") ?? run.steps.find((s) => s.status === "pending") ?? null;
  return {
    runId: run.id,
    kind: run.kind,
    status: run.status,
    stepsDone: run.steps.filter((s) => s.status === "succeeded").length,
    stepsTotal: run.steps.length,
    currentStep: current?.title ?? null,
    rowsDone: current?.rowsDone ?? 0,
    rowsTotal: current?.rowsTotal ?? null,
    percent: run.overall.percent,
    rowsPerSecond: run.overall.unit === "rows" ? run.overall.perSecond : null,
    etaSeconds: run.overall.etaSeconds,
  };
}

/** One phase as the overview and the phase list show it, from what the engine reports. */
export function summarizePhase(input: {
  meta: { number: number; title: string; summary: string; risk: string };
  plan: PhasePlan;
  status: PhaseStatus;
  approval: ApprovalState | null;
  runs: RunRecord[];
  activeRun: RunProgress | null;
}): PhaseSummary {
  const validation = currentValidation(input.runs);
  const last = input.runs[0];
  return {
    number: input.meta.number,
    title: input.meta.title,
    summary: input.meta.summary,
    risk: input.meta.risk,
    available: input.plan.available,
    stepCount: input.plan.steps.length,
    checksum: input.plan.checksum,
    status: input.status,
    approval: approvalSummary(input.plan, input.approval, input.status),
    progress: progressSummary(input.activeRun),
    validation:
      validation.state === "none"
        ? null
        : {
            runId: validation.run.id,
            passed: validation.checks.filter((c) => c.status === "pass").length,
            failed: validation.checks.filter((c) => c.status === "fail").length,
            total: validation.checks.length,
            rolledBack: validation.state === "rolled_back",
          },
    lastRun: last
      ? { id: last.id, kind: last.kind, status: last.status, onlyStep: last.onlyStep, requestedBy: last.requestedBy, finishedAt: last.finishedAt }
      : null,
  };
}

/** Every phase as the Overview and Phases pages show it, read in parallel. */
export function loadPhaseSummaries(): Promise<PhaseSummary[]> {
  return Promise.all(
    PHASES.map(async (meta) => {
      const [plan, { status }, runs] = await Promise.all([cachedPlan(meta.number, pool()), phaseStatus(meta.number), latestRuns(meta.number, 10)]);
      const active = runs.find((r) => ["queued", "running", "paused"].includes(r.status));
      const [approval, activeRun] = await Promise.all([
        plan.available ? approvalState(meta.number, plan.checksum, planEstimates(plan)) : null,
        active ? runProgress(active.id, 0) : null,
      ]);
      return summarizePhase({ meta, plan, status, approval, runs, activeRun });
    }),
  );
}
