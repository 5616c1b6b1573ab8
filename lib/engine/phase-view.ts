import type { Role } from "@/lib/auth/roles";
import { pool } from "@/lib/db/pool";
import { cachedPlan } from "@/lib/plan/plan-cache";
import { pendingWork } from "@/lib/plan/pending-work";
import { UNIFIED_SCHEMA, type PhasePlan } from "@/lib/plan/plan";
import { diffPlans } from "@/lib/plan/plan-diff";
import { IDENTITY_TABLES } from "@/lib/plan/phase-1/identity-sync";
import { LINK_TABLES } from "@/lib/plan/phase-3/load-links";
import { syncActivity, type SyncActivity } from "@/lib/plan/sync";
import { approvalHistory, approvalState, approvedSteps, lastApprovedPlan, latestPreflightRun, planEstimates } from "./approvals";
import { nextActions } from "./next-actions";
import { latestRuns, runProgress } from "./progress";
import { phaseStatus } from "./runs";

/** The legacy tables whose writes a phase's live sync applies: users and people (1), its audit tables (2), its links (3). */
function syncedTables(phase: number, plan: PhasePlan): string[] {
  if (phase === 1) return [...IDENTITY_TABLES];
  if (phase === 2) return (plan.steps.find((s) => s.id === "load-audits")?.units ?? []).map((u) => u.id);
  return phase === 3 ? [...LINK_TABLES] : [];
}

/** The phase's live sync, and how many tables it should cover. */
async function phaseSync(phase: number, plan: PhasePlan): Promise<(SyncActivity & { expected: number }) | null> {
  const tables = syncedTables(phase, plan);
  return tables.length ? { ...(await syncActivity(pool(), UNIFIED_SCHEMA, tables)), expected: tables.length } : null;
}

/**
 * Everything a phase page shows, read in two rounds of parallel queries: the plan (cached per
 * discovery), status, runs and approvals; then what depends on them. The page and the `pages`
 * benchmark both load it from here.
 */
export async function loadPhaseView(phase: number, roles: readonly Role[]) {
  const [plan, { status }, runs, history] = await Promise.all([cachedPlan(phase, pool()), phaseStatus(phase), latestRuns(phase, 20), approvalHistory(phase)]);
  if (!plan.available) return { plan, status, runs, history, approval: null, live: null, actions: [], preflight: null, changes: null, work: null, sync: null };
  const latest = runs[0] ?? null;
  const [approval, live, actions, preflight, lastApproved, work, sync] = await Promise.all([
    approvalState(phase, plan.checksum, planEstimates(plan)),
    latest ? runProgress(latest.id) : null,
    nextActions(phase, plan, roles),
    latestPreflightRun(phase, plan.checksum),
    lastApprovedPlan(phase, plan.checksum),
    pendingWork(phase),
    phaseSync(phase, plan),
  ]);
  // The plan a lead reads next to the one they (or another lead) approved last, when it changed.
  const changes = lastApproved
    ? { approvedBy: lastApproved.decidedBy, approvedAt: lastApproved.decidedAt, diffs: diffPlans(lastApproved.steps, approvedSteps(plan)) }
    : null;
  return { plan, status, runs, history, approval, live, actions, preflight, changes, work, sync };
}
