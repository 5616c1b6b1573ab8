import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Validation" };

export default async function ValidationPage() {
  await requireArea("/validation");
  return (
    <>
      <PageHeader title="Validation" description="Pre-flight and post-run validation suites for each phase." />
      <EmptyState title="No validation suites yet">Validation suites arrive after the engine (issue #4).</EmptyState>
    </>
  );
}
