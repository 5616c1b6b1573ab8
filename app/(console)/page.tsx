import type { Metadata } from "next";
import { AutoRefresh } from "@/components/phases/auto-refresh";
import { NextActions, nextActions } from "@/components/phases/next-actions";
import { NewScorecardsNotice } from "@/components/phases/new-scorecards";
import { PendingWork } from "@/components/phases/pending-work";
import { PhasePipeline } from "@/components/phases/phase-pipeline";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";
import { hasAnyRole } from "@/lib/auth/roles";
import { newScorecards } from "@/lib/engine/addendum";
import { loadPhaseSummaries } from "@/lib/engine/summary";
import { pendingWork } from "@/lib/plan/pending-work";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const operator = await requireArea("/");
  const acts = hasAnyRole(operator.roles, ["admin", "lead"]);
  const [phases, work, added] = await Promise.all([loadPhaseSummaries(), pendingWork(1), acts ? newScorecards() : null]);
  const busy = phases.some((p) => p.progress !== null);
  return (
    <>
      <PageHeader
        title="Overview"
        description="The migration moves the legacy QA-audit schema to the unified schema in five phases, each approved by a lead before an admin runs it."
      />
      <NextActions actions={nextActions(phases, operator.roles)} />
      {added && (
        <div className="mb-6">
          <NewScorecardsNotice view={added} isLead={hasAnyRole(operator.roles, ["lead"])} isAdmin={hasAnyRole(operator.roles, ["admin"])} />
        </div>
      )}
      {work && acts && (
        <div className="mb-6">
          <PendingWork work={work} isAdmin={hasAnyRole(operator.roles, ["admin"])} isLead={hasAnyRole(operator.roles, ["lead"])} busy={busy} phaseRan={phases[0]?.status === "succeeded"} />
        </div>
      )}
      <PhasePipeline phases={phases} />
      <AutoRefresh active={busy} />
    </>
  );
}
