"use client";

import { useState, useTransition } from "react";
import { setOperatorDisabledAction, setOperatorRolesAction } from "@/lib/actions/operators";
import { ROLE_LABELS, ROLES, type Role } from "@/lib/auth/roles";
import { Button } from "@/components/ui/button";

export function OperatorRowActions({ email, roles, disabled, self }: { email: string; roles: Role[]; disabled: boolean; self: boolean }) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Role[]>(roles);
  const [confirming, setConfirming] = useState(false);
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
      {!self && disabled && (
        <Button variant="secondary" className="px-2.5 py-1 text-xs" disabled={pending} onClick={() => run(() => setOperatorDisabledAction(email, false))}>
          Enable
        </Button>
      )}
      {!self && !disabled && !confirming && (
        <Button variant="secondary" className="px-2.5 py-1 text-xs text-red-700" disabled={pending} onClick={() => setConfirming(true)}>
          Disable…
        </Button>
      )}
      {!self && !disabled && confirming && (
        <span className="flex items-center gap-2 rounded-md bg-red-50 px-2 py-1 text-xs text-red-800">
          Disable {email} and end their sessions?
          <Button
            variant="danger"
            className="px-2 py-0.5 text-xs"
            disabled={pending}
            onClick={() => {
              setConfirming(false);
              run(() => setOperatorDisabledAction(email, true));
            }}
          >
            Disable
          </Button>
          <Button variant="ghost" className="px-2 py-0.5 text-xs" onClick={() => setConfirming(false)}>
            Keep
          </Button>
        </span>
      )}
      {error && <span role="alert" className="text-xs text-red-700">{error}</span>}
    </div>
  );
}
