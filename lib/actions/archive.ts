"use server";

import { revalidatePath } from "next/cache";
import { z, ZodError } from "zod";
import { ForbiddenError } from "@/lib/auth/authorize";
import { guardAction, type ActionResult } from "@/lib/auth/current";
import { hasNul, NUL_MESSAGE } from "@/lib/db/sql";
import { dropArchive, setArchiveOptions } from "@/lib/plan/phase-5/archive";

type Failure = Extract<ActionResult, { ok: false }>;

function explain(error: unknown): Failure {
  if (error instanceof ZodError) return { ok: false, status: 400, error: error.issues[0]?.message ?? "Check the form" };
  if (error instanceof ForbiddenError) return { ok: false, status: 403, error: error.message };
  if ((error as { expected?: unknown })?.expected === true) return { ok: false, status: 409, error: (error as Error).message };
  throw error;
}

const name = z.string().min(1).max(63).refine((s) => !hasNul(s), NUL_MESSAGE);
const optionsInput = z.object({
  retentionUntil: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Choose a retention date"),
  views: z.array(name),
  unneeded: z.array(name),
});

/**
 * A lead saves Phase 5's plan options: the retention date, and for every compatibility view
 * listed on the form whether old readers still need it (a checked box marks it unneeded).
 */
export async function setArchiveOptionsAction(_: ActionResult | null, form: FormData): Promise<ActionResult> {
  const guard = await guardAction("archive.options", "phase 5");
  if (!guard.ok) return guard;
  try {
    const input = optionsInput.parse({ retentionUntil: form.get("retentionUntil") ?? "", views: form.getAll("view"), unneeded: form.getAll("unneeded") });
    const unknown = input.unneeded.filter((v) => !input.views.includes(v));
    if (unknown.length) return { ok: false, status: 400, error: `Not a view on this form: ${unknown.join(", ")}` };
    const views = Object.fromEntries(input.views.map((v) => [v, !input.unneeded.includes(v)]));
    const options = await setArchiveOptions({ actor: guard.operator, retentionUntil: input.retentionUntil, views });
    revalidatePath("/phases/5");
    const unneeded = options.views.filter((v) => !v.keep).length;
    return { ok: true, message: `Saved: kept until ${options.retentionUntil}, ${unneeded} view${unneeded === 1 ? "" : "s"} marked unneeded. The plan changed: approve it again.` };
  } catch (error) {
    return explain(error);
  }
}

const dropInput = z.object({ confirmation: z.string().max(100).refine((s) => !hasNul(s), NUL_MESSAGE) });

/** An admin drops the archive after its retention date, confirmed by typing the archive schema's name. */
export async function dropArchiveAction(_: ActionResult | null, form: FormData): Promise<ActionResult> {
  const guard = await guardAction("archive.drop", "phase 5 archive");
  if (!guard.ok) return guard;
  try {
    const input = dropInput.parse({ confirmation: form.get("confirmation") ?? "" });
    const manifest = await dropArchive({ actor: guard.operator, confirmation: input.confirmation });
    revalidatePath("/phases/5");
    return { ok: true, message: `Dropped ${manifest.archiveSchema}: ${manifest.totals.tables} tables. The manifest is kept.` };
  } catch (error) {
    return explain(error);
  }
}
