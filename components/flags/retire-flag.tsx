"use client";

import { useActionState } from "react";
import { retireFlagAction } from "@/lib/actions/flags";
import type { ActionResult } from "@/lib/auth/current";
import { Button } from "@/components/ui/button";

/** Retires one flag with a comment: after Phase 5 it is fixed at its final value and no longer a switch. */
export function RetireFlag({ flagKey }: { flagKey: string }) {
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(retireFlagAction, null);
  return (
    <form action={action} className="flex flex-wrap items-end gap-3" aria-label={`Retire ${flagKey}`}>
      <input type="hidden" name="key" value={flagKey} />
      <label className="block min-w-64 flex-1 text-sm font-medium text-slate-700">
        Why retire <span className="font-mono">{flagKey}</span>
        <input
          name="comment"
          required
          maxLength={2000}
          className="mt-1 block w-full rounded-md border border-slate-300 bg-surface px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500"
        />
      </label>
      <Button type="submit" variant="secondary" disabled={pending}>{pending ? "Retiring…" : "Retire"}</Button>
      {state && (
        <p role={state.ok ? "status" : "alert"} className={`basis-full text-sm ${state.ok ? "text-emerald-700" : "text-red-600"}`}>
          {state.ok ? state.message : state.error}
        </p>
      )}
    </form>
  );
}
