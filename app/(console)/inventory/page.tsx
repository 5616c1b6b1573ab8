import type { Metadata } from "next";
import { InventoryView } from "@/components/inventory/inventory-view";
import { RecomputeButton } from "@/components/inventory/recompute-button";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";
import { pool } from "@/lib/db/pool";
import { computeInventory, readInventory } from "@/lib/legacy/inventory";

export const metadata: Metadata = { title: "Source" };

export default async function InventoryPage() {
  await requireArea("/inventory");
  // Counting is cached; the first visit ever counts once (seconds at 10M audits), later ones read.
  const inventory = (await readInventory()) ?? (await computeInventory(pool()));
  const computed = new Date(inventory.computedAt);
  return (
    <>
      <PageHeader
        title="Source"
        description={
          <>
            The legacy database (schema <code className="font-mono">{inventory.schema}</code>) as Unify discovered it. Counted{" "}
            <time dateTime={inventory.computedAt} data-testid="computed-at">
              {computed.toISOString().replace("T", " ").slice(0, 19)} UTC
            </time>{" "}
            in {(inventory.durationMs / 1000).toFixed(1)} s.
          </>
        }
        actions={<RecomputeButton />}
      />
      <InventoryView inventory={inventory} />
    </>
  );
}
