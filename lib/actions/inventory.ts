"use server";

import { revalidatePath } from "next/cache";
import { guardAction, type ActionResult } from "@/lib/auth/current";
import { recountInventory } from "@/lib/legacy/inventory";

/** Recounting reads the legacy tables only, so every role that sees the page may ask for it. */
export async function recomputeInventoryAction(): Promise<ActionResult> {
  const guard = await guardAction("inventory.recompute");
  if (!guard.ok) return guard;
  const inventory = await recountInventory(guard.operator);
  revalidatePath("/inventory");
  return { ok: true, message: `Recounted in ${(inventory.durationMs / 1000).toFixed(1)} s` };
}
