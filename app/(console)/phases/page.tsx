import type { Metadata } from "next";
import { AutoRefresh } from "@/components/phases/auto-refresh";
import { PhaseTable } from "@/components/phases/phase-table";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";
import { loadPhaseSummaries } from "@/lib/engine/summary";

export const metadata: Metadata = { title: "Phases" };

export default async function PhasesPage() {
  await requireArea("/phases");
  const phases = await loadPhaseSummaries();
  return (
    <>
      <PageHeader
        title="Phases"
        description="Each phase's plan, its approval, its runs and its rollback. Phases run in order; each needs a lead's approval of its exact plan."
      />
      <Card>
        <PhaseTable phases={phases} />
      </Card>
      <AutoRefresh active={phases.some((p) => p.progress !== null)} />
    </>
  );
}
