import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Phases" };

export default async function PhasesPage() {
  await requireArea("/phases");
  return (
    <>
      <PageHeader title="Phases" description="Each phase's plan, its approval, its runs and its rollback." />
      <EmptyState title="No phase has a plan yet">The migration engine and Phase 1 arrive with issue #4.</EmptyState>
    </>
  );
}
