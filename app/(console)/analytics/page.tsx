import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Analytics" };

export default async function AnalyticsPage() {
  await requireArea("/analytics");
  return (
    <>
      <PageHeader title="Analytics" description="Audit statistics and auditor performance, read from the materialized views." />
      <EmptyState title="No analytics yet">Analytics need the materialized views of Phase 4.</EmptyState>
    </>
  );
}
