"use server";

import { revalidatePath } from "next/cache";
import { recordActivity } from "@/lib/activity/log";
import { guardAction, type ActionResult } from "@/lib/auth/current";
import { rolesFor } from "@/lib/auth/roles";
import { pool } from "@/lib/db/pool";
import { computeInventory } from "@/lib/legacy/inventory";

/** Recounting reads the legacy tables only, so every role that sees the page may ask for it. */
export async function recomputeInventoryAction(): Promise<ActionResult> {
  const guard = await guardAction(rolesFor("/inventory"), "inventory.recompute");
  if (!guard.ok) return guard;
  const inventory = await computeInventory(pool());
  await recordActivity({
    actor: guard.operator,
    action: "inventory.recompute",
    target: inventory.schema,
    outcome: "ok",
    detail: { durationMs: inventory.durationMs, audits: inventory.audits },
  });
  revalidatePath("/inventory");
  return { ok: true, message: `Recounted in ${(inventory.durationMs / 1000).toFixed(1)} s` };
}
