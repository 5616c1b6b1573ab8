import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Source" };

export default async function InventoryPage() {
  await requireArea("/inventory");
  return (
    <>
      <PageHeader title="Source" description="The legacy database as Unify sees it: scorecards, their audit tables and the identity tables." />
      <EmptyState title="No inventory yet">The source inventory arrives with the legacy contract (issue #3).</EmptyState>
    </>
  );
}
