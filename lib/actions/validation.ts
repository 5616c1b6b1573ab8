"use server";

import { revalidatePath } from "next/cache";
import { z, ZodError } from "zod";
import { recordActivity } from "@/lib/activity/log";
import { ForbiddenError } from "@/lib/auth/authorize";
import { guardAction, type ActionResult } from "@/lib/auth/current";
import { requestValidation } from "@/lib/validation/runs";

const input = z.object({
  phase: z.coerce.number().int().min(1, "Phases are 1 to 5").max(5, "Phases are 1 to 5"),
  kind: z.enum(["preflight", "post_run"], "Choose pre-flight or post-run"),
});

/** An admin or a lead runs a phase's suite; the worker executes it and the report page follows it. */
export async function runValidationAction(_: ActionResult<{ id: number }> | null, form: FormData): Promise<ActionResult<{ id: number }>> {
  const target = `phase ${form.get("phase")}`;
  const guard = await guardAction("validation.run", target);
  if (!guard.ok) return guard;
  try {
    const parsed = input.parse({ phase: form.get("phase"), kind: form.get("kind") });
    const { id } = await requestValidation({ ...parsed, actor: guard.operator });
    revalidatePath("/validation");
    return { ok: true, message: `Validation #${id} queued`, data: { id } };
  } catch (error) {
    if (error instanceof ForbiddenError) return { ok: false, status: 403, error: error.message };
    const message = error instanceof ZodError ? (error.issues[0]?.message ?? "Check the form") : (error as { expected?: boolean }).expected ? (error as Error).message : null;
    if (message === null) throw error;
    await recordActivity({ actor: guard.operator, action: "validation.run", target, outcome: "failed", detail: { error: message } });
    return { ok: false, status: error instanceof ZodError ? 400 : 409, error: message };
  }
}

/** The pre-flight suite of a phase's current plan, from its approval panel. */
export async function runPreflightAction(phase: number): Promise<ActionResult<{ id: number }>> {
  const form = new FormData();
  form.set("phase", String(phase));
  form.set("kind", "preflight");
  const result = await runValidationAction(null, form);
  if (result.ok) revalidatePath(`/phases/${phase}`);
  return result;
}
