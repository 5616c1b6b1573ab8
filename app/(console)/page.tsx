import type { Metadata } from "next";
import { AutoRefresh } from "@/components/phases/auto-refresh";
import { NextActions, nextActions } from "@/components/phases/next-actions";
import { PhasePipeline } from "@/components/phases/phase-pipeline";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";
import { loadPhaseSummaries } from "@/lib/engine/summary";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const operator = await requireArea("/");
  const phases = await loadPhaseSummaries();
  return (
    <>
      <PageHeader
        title="Overview"
        description="The migration moves the legacy QA-audit schema to the unified schema in five phases, each approved by a lead before an admin runs it."
      />
      <NextActions actions={nextActions(phases, operator.roles)} />
      <PhasePipeline phases={phases} />
      <AutoRefresh active={phases.some((p) => p.progress !== null)} />
    </>
  );
}
