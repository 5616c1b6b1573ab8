"use client";

import { useActionState } from "react";
import { setFlagAction } from "@/lib/actions/flags";
import type { ActionResult } from "@/lib/auth/current";
import { Button } from "@/components/ui/button";

/** An admin's switch for one flag: a comment is required; turning on is offered only when the interlock allows it. */
export function FlagToggle({ flagKey, on, canTurnOn }: { flagKey: string; on: boolean; canTurnOn: boolean }) {
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(setFlagAction, null);
  const blocked = !on && !canTurnOn;
  return (
    <form action={action} className="flex flex-wrap items-end gap-2" aria-label={`Change ${flagKey}`}>
      <input type="hidden" name="key" value={flagKey} />
      <input type="hidden" name="enabled" value={on ? "off" : "on"} />
      <label className="block min-w-64 flex-1 text-xs font-medium text-slate-600">
        Comment
        <input
          name="comment"
          required
          disabled={blocked}
          placeholder={on ? "Why readers go back to legacy" : "Why readers switch to unified"}
          className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm placeholder:text-slate-400 focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500 disabled:bg-slate-50"
        />
      </label>
      <Button type="submit" variant={on ? "danger" : "primary"} disabled={pending || blocked}>
        {pending ? "Saving…" : on ? "Turn off" : "Turn on"}
      </Button>
      {state && (
        <p role={state.ok ? "status" : "alert"} className={`basis-full text-sm ${state.ok ? "text-emerald-700" : "text-red-600"}`}>
          {state.ok ? state.message : state.error}
        </p>
      )}
    </form>
  );
}
