import type { Metadata } from "next";
import { InventoryView } from "@/components/inventory/inventory-view";
import { ActionButton } from "@/components/ui/action-button";
import { PageHeader } from "@/components/ui/page-header";
import { recomputeInventoryAction } from "@/lib/actions/inventory";
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
        actions={<ActionButton action={recomputeInventoryAction} label="Recount now" pendingLabel="Counting…" done="Recounted" />}
      />
      <InventoryView inventory={inventory} />
    </>
  );
}
