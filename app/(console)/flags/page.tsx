import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Feature flags" };

export default async function FlagsPage() {
  await requireArea("/flags");
  return (
    <>
      <PageHeader title="Feature flags" description="Flags that switch readers from the legacy schema to the unified one, served over OFREP." />
      <EmptyState title="No flags yet">Flags arrive once a phase has objects to switch to.</EmptyState>
    </>
  );
}
