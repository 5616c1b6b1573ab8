"use client";

import { useActionState } from "react";
import { setArchiveOptionsAction } from "@/lib/actions/archive";
import type { ActionResult } from "@/lib/auth/current";
import type { ViewChoice } from "@/lib/plan/phase-5/options";
import { Button } from "@/components/ui/button";

type View = Pick<ViewChoice, "view" | "legacy" | "phase" | "keep" | "decidedBy">;

/**
 * Phase 5's plan options: the archive's retention date and, per compatibility view, whether old
 * readers still need it. A lead edits them before approving (they are part of the plan's checksum);
 * everyone else reads them.
 */
export function ArchiveOptionsForm({ retentionUntil, views, canEdit, minDate }: { retentionUntil: string | null; views: View[]; canEdit: boolean; minDate: string }) {
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(setArchiveOptionsAction, null);
  return (
    <form action={action} className="space-y-4" aria-label="Phase 5 plan options">
      <label className="block max-w-xs text-sm font-medium text-slate-700">
        Keep the archive until
        <input
          type="date"
          name="retentionUntil"
          defaultValue={retentionUntil ?? ""}
          min={minDate}
          required
          disabled={!canEdit}
          className="mt-1 block w-full rounded-md border border-slate-300 bg-surface px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500 disabled:bg-slate-50"
        />
        <span className="mt-1 block text-xs font-normal text-slate-600">An admin may drop the archive only after this date.</span>
      </label>
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Compatibility views old readers no longer need</legend>
        <p className="text-xs text-slate-600">A checked view leaves the unified schema with the archive (kept beside it for validation); the rollback brings it back.</p>
        <ul className="mt-2 grid gap-x-6 gap-y-1 sm:grid-cols-2">
          {views.map((v) => (
            <li key={v.view}>
              <input type="hidden" name="view" value={v.view} />
              <label className="flex items-center gap-2 text-sm text-slate-700">
                <input type="checkbox" name="unneeded" value={v.view} defaultChecked={!v.keep} disabled={!canEdit} className="h-4 w-4 rounded border-slate-300" />
                <span className="font-mono">{v.view}</span>
                <span className="text-xs text-slate-600">Phase {v.phase}</span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {canEdit ? (
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={pending}>{pending ? "Saving…" : "Save the plan options"}</Button>
          {state && (
            <p role={state.ok ? "status" : "alert"} className={`text-sm ${state.ok ? "text-emerald-700" : "text-red-600"}`}>
              {state.ok ? state.message : state.error}
            </p>
          )}
        </div>
      ) : (
        <p className="text-sm text-slate-600">A team lead sets these before approving the plan.</p>
      )}
    </form>
  );
}
