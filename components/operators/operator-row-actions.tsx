"use client";

import { useState, useTransition } from "react";
import { setOperatorDisabledAction, setOperatorRolesAction } from "@/lib/actions/operators";
import { ROLE_LABELS, ROLES, type Role } from "@/lib/auth/roles";
import { Button } from "@/components/ui/button";

export function OperatorRowActions({ email, roles, disabled, self }: { email: string; roles: Role[]; disabled: boolean; self: boolean }) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Role[]>(roles);
  const changed = selected.length !== roles.length || selected.some((r) => !roles.includes(r));

  const run = (work: () => Promise<{ ok: boolean; error?: string }>) =>
    start(async () => {
      const result = await work();
      setError(result.ok ? null : (result.error ?? "Failed"));
    });

  return (
    <div className="flex flex-wrap items-center gap-3">
      <div className="flex gap-3" role="group" aria-label={`Roles of ${email}`}>
        {ROLES.map((role) => (
          <label key={role} className="flex items-center gap-1.5 text-xs text-slate-700">
            <input
              type="checkbox"
              className="h-3.5 w-3.5 rounded border-slate-300"
              checked={selected.includes(role)}
              onChange={(e) => setSelected(e.target.checked ? [...selected, role] : selected.filter((r) => r !== role))}
            />
            {ROLE_LABELS[role]}
          </label>
        ))}
      </div>
      <Button variant="secondary" className="px-2.5 py-1 text-xs" disabled={!changed || pending} onClick={() => run(() => setOperatorRolesAction(email, selected))}>
        Save roles
      </Button>
      {!self && (
        <Button
          variant={disabled ? "secondary" : "danger"}
          className="px-2.5 py-1 text-xs"
          disabled={pending}
          onClick={() => run(() => setOperatorDisabledAction(email, !disabled))}
        >
          {disabled ? "Enable" : "Disable"}
        </Button>
      )}
      {error && <span role="alert" className="text-xs text-red-600">{error}</span>}
    </div>
  );
}
