"use client";

import { useActionState } from "react";
import { createOperatorAction } from "@/lib/actions/operators";
import type { ActionResult } from "@/lib/auth/current";
import { ROLE_LABELS, ROLES } from "@/lib/auth/roles";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

export function CreateOperatorForm() {
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(createOperatorAction, null);
  const fieldErrors = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  // A refused form comes back with what was typed (not the password), beside its errors.
  const typed = state && !state.ok ? (state.values ?? {}) : {};
  const typedRoles = [typed.roles ?? []].flat();
  return (
    <form action={action} key={state && !state.ok ? JSON.stringify(typed) : "fresh"} className="grid gap-4 md:grid-cols-2" noValidate>
      <Field id="new-email" name="email" type="email" label="Email" error={fieldErrors.email} defaultValue={String(typed.email ?? "")} required />
      <Field id="new-name" name="name" label="Name" error={fieldErrors.name} defaultValue={String(typed.name ?? "")} required />
      <Field id="new-password" name="password" type="password" label="Initial password" autoComplete="new-password" error={fieldErrors.password} required />
      <fieldset>
        <legend className="block text-sm font-medium text-slate-700">Roles</legend>
        <div className="mt-2 flex gap-4">
          {ROLES.map((role) => (
            <label key={role} className="flex items-center gap-2 text-sm text-slate-700">
              <input type="checkbox" name="roles" value={role} defaultChecked={typedRoles.includes(role)} className="h-4 w-4 rounded border-slate-300" />
              {ROLE_LABELS[role]}
            </label>
          ))}
        </div>
        {fieldErrors.roles && <p className="mt-1 text-xs text-red-700">{fieldErrors.roles}</p>}
      </fieldset>
      <div className="flex items-center gap-3 md:col-span-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create operator"}
        </Button>
        {state && (
          <p role={state.ok ? "status" : "alert"} className={`text-sm ${state.ok ? "text-emerald-700" : "text-red-700"}`}>
            {state.ok ? state.message : state.error}
          </p>
        )}
      </div>
    </form>
  );
}
