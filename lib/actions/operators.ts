"use server";

import { revalidatePath } from "next/cache";
import { z, ZodError } from "zod";
import { ForbiddenError } from "@/lib/auth/authorize";
import { guardAction, type ActionResult } from "@/lib/auth/current";
import { ROLES } from "@/lib/auth/roles";
import {
  createOperator,
  OperatorError,
  setOperatorDisabled,
  setOperatorRoles,
} from "@/lib/operators/operators";

function failure(error: unknown): Extract<ActionResult, { ok: false }> {
  if (error instanceof ZodError) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of error.issues) fieldErrors[String(issue.path[0] ?? "form")] ??= issue.message;
    return { ok: false, status: 400, error: "Check the highlighted fields", fieldErrors };
  }
  if (error instanceof OperatorError) return { ok: false, status: 409, error: error.message };
  if (error instanceof ForbiddenError) return { ok: false, status: 403, error: error.message };
  throw error;
}

export async function createOperatorAction(_: ActionResult | null, form: FormData): Promise<ActionResult> {
  const guard = await guardAction("operator.create", String(form.get("email") ?? ""));
  if (!guard.ok) return guard;
  const values = { email: String(form.get("email") ?? ""), name: String(form.get("name") ?? ""), roles: form.getAll("roles").map(String) };
  try {
    const created = await createOperator(
      {
        email: String(form.get("email") ?? ""),
        name: String(form.get("name") ?? ""),
        roles: form.getAll("roles").map(String) as (typeof ROLES)[number][],
        password: String(form.get("password") ?? ""),
      },
      guard.operator,
    );
    revalidatePath("/settings");
    return { ok: true, message: `Created ${created.email}` };
  } catch (error) {
    return { ...failure(error), values };
  }
}

const disableInput = z.object({ email: z.string().min(1), disabled: z.boolean() });

export async function setOperatorDisabledAction(email: string, disabled: boolean): Promise<ActionResult> {
  const guard = await guardAction(disabled ? "operator.disable" : "operator.enable", email);
  if (!guard.ok) return guard;
  try {
    const input = disableInput.parse({ email, disabled });
    await setOperatorDisabled(input.email, input.disabled, guard.operator);
    revalidatePath("/settings");
    return { ok: true };
  } catch (error) {
    return failure(error);
  }
}

export async function setOperatorRolesAction(email: string, roles: string[]): Promise<ActionResult> {
  const guard = await guardAction("operator.roles", email);
  if (!guard.ok) return guard;
  try {
    const parsed = z.array(z.enum(ROLES)).min(1, "Choose at least one role").parse(roles);
    await setOperatorRoles(email, parsed, guard.operator);
    revalidatePath("/settings");
    return { ok: true };
  } catch (error) {
    return failure(error);
  }
}
