"use server";

import { revalidatePath } from "next/cache";
import { z, ZodError } from "zod";
import { recordActivity } from "@/lib/activity/log";
import { ForbiddenError } from "@/lib/auth/authorize";
import { guardAction, type ActionResult } from "@/lib/auth/current";
import { hasNul, NUL_MESSAGE } from "@/lib/db/sql";
import { createApiKey, revokeApiKey } from "@/lib/flags/api-keys";
import { FLAG_KEY_PATTERN } from "@/lib/flags/keys";
import { retireFlag, rollbackToLegacy, setFlag } from "@/lib/flags/store";

type Failure = Extract<ActionResult, { ok: false }>;

const text = (max: number, what: string) => z.string().max(max, `${what} is at most ${max} characters`).refine((s) => !hasNul(s), NUL_MESSAGE);

function explain(error: unknown): Failure {
  if (error instanceof ZodError) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of error.issues) fieldErrors[String(issue.path[0] ?? "form")] ??= issue.message;
    return { ok: false, status: 400, error: error.issues[0]?.message ?? "Check the form", fieldErrors };
  }
  if (error instanceof ForbiddenError) return { ok: false, status: 403, error: error.message };
  if ((error as { expected?: unknown })?.expected === true) return { ok: false, status: 409, error: (error as Error).message };
  throw error;
}

function revalidateFlags() {
  revalidatePath("/flags");
  revalidatePath("/employees");
  revalidatePath("/settings");
}

const toggleInput = z.object({
  key: z.string().regex(FLAG_KEY_PATTERN, "Unknown flag"),
  enabled: z.enum(["on", "off"], "Choose on or off"),
  comment: text(2000, "A comment").refine((s) => s.trim().length > 0, "Say why in a comment: it is kept in the flag's history"),
});

/** An admin turns a flag on or off with a comment; the lib checks the interlock and writes history. */
export async function setFlagAction(_: ActionResult | null, form: FormData): Promise<ActionResult> {
  const guard = await guardAction("flag.toggle", String(form.get("key") ?? ""));
  if (!guard.ok) return guard;
  try {
    const input = toggleInput.parse({ key: form.get("key"), enabled: form.get("enabled"), comment: form.get("comment") ?? "" });
    const flag = await setFlag({ key: input.key, enabled: input.enabled === "on", comment: input.comment, actor: guard.operator });
    revalidateFlags();
    return { ok: true, message: `${flag.key} is ${flag.stored ? "on" : "off"}` };
  } catch (error) {
    return explain(error);
  }
}

const retireInput = z.object({
  key: z.string().regex(FLAG_KEY_PATTERN, "Unknown flag"),
  comment: text(2000, "A comment").refine((s) => s.trim().length > 0, "Say why in a comment: it is kept in the flag's history"),
});

/** An admin retires a flag after Phase 5: fixed at its final value, kept in history. */
export async function retireFlagAction(_: ActionResult | null, form: FormData): Promise<ActionResult> {
  const guard = await guardAction("flag.retire", String(form.get("key") ?? ""));
  if (!guard.ok) return guard;
  try {
    const input = retireInput.parse({ key: form.get("key"), comment: form.get("comment") ?? "" });
    const flag = await retireFlag({ key: input.key, comment: input.comment, actor: guard.operator });
    revalidateFlags();
    return { ok: true, message: `${flag.key} is retired: it always evaluates to ${flag.value ? "on" : "off"}` };
  } catch (error) {
    return explain(error);
  }
}

const rollbackInput = z.object({ confirmation: text(50, "The confirmation") });

/** "Roll back to legacy": every flag off at once; answers with the measured time. */
export async function rollbackToLegacyAction(_: ActionResult<{ durationMs: number; turnedOff: string[] }> | null, form: FormData): Promise<ActionResult<{ durationMs: number; turnedOff: string[] }>> {
  const guard = await guardAction("flag.rollback_legacy", "all flags");
  if (!guard.ok) return guard;
  try {
    const input = rollbackInput.parse({ confirmation: form.get("confirmation") ?? "" });
    const result = await rollbackToLegacy({ actor: guard.operator, confirmation: input.confirmation });
    revalidateFlags();
    const what = result.turnedOff.length ? `turned ${result.turnedOff.join(" and ")} off` : "every flag was already off";
    const forced = result.forcedOnByEnvironment.length ? `; still forced on by the environment: ${result.forcedOnByEnvironment.join(", ")}` : "";
    const paused = result.pausedJobs.length ? `; ${result.pausedJobs.join(" and ")} is paused until an admin resumes it in Settings` : "";
    return { ok: true, message: `Rolled back to legacy in ${result.durationMs} ms: ${what}${forced}${paused}`, data: { durationMs: result.durationMs, turnedOff: result.turnedOff } };
  } catch (error) {
    const failure = explain(error);
    await recordActivity({ actor: guard.operator, action: "flag.rollback_legacy", target: "all flags", outcome: "failed", detail: { error: failure.error } });
    return failure;
  }
}

const keyName = z.object({ name: text(100, "A name").refine((s) => s.trim().length > 0, "Name the key after the application that will use it") });

/** An admin issues an OFREP API key; the key is in this answer only. */
export async function createApiKeyAction(_: ActionResult<{ key: string; name: string }> | null, form: FormData): Promise<ActionResult<{ key: string; name: string }>> {
  const guard = await guardAction("apikey.create", String(form.get("name") ?? ""));
  if (!guard.ok) return guard;
  try {
    const input = keyName.parse({ name: form.get("name") ?? "" });
    const { key, apiKey } = await createApiKey({ name: input.name, actor: guard.operator });
    revalidatePath("/settings");
    return { ok: true, message: `Issued "${apiKey.name}": copy the key now, it is not shown again`, data: { key, name: apiKey.name } };
  } catch (error) {
    return { ...explain(error), values: { name: String(form.get("name") ?? "") } };
  }
}

export async function revokeApiKeyAction(name: string): Promise<ActionResult> {
  const guard = await guardAction("apikey.revoke", name);
  if (!guard.ok) return guard;
  try {
    const input = keyName.parse({ name });
    await revokeApiKey({ name: input.name, actor: guard.operator });
    revalidatePath("/settings");
    return { ok: true, message: `Revoked "${input.name}"` };
  } catch (error) {
    return explain(error);
  }
}
