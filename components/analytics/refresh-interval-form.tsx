"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { setRefreshIntervalAction } from "@/lib/actions/analytics";

const LABELS: Record<number, string> = { 15: "every 15 minutes", 30: "every 30 minutes", 60: "hourly", 120: "every 2 hours", 360: "every 6 hours", 720: "every 12 hours", 1440: "daily" };

/** Settings: how often the scheduled analytics refresh runs. */
export function RefreshIntervalForm({ minutes, intervals }: { minutes: number; intervals: readonly number[] }) {
  const [state, action, pending] = useActionState(setRefreshIntervalAction, null);
  return (
    <form action={action} className="flex flex-wrap items-end gap-3">
      <label className="text-sm font-medium text-slate-700">
        Refresh the analytics
        <select name="minutes" defaultValue={minutes} className="mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-brand-500">
          {intervals.map((m) => (
            <option key={m} value={m}>{LABELS[m] ?? `every ${m} minutes`}</option>
          ))}
        </select>
      </label>
      <Button type="submit" variant="secondary" disabled={pending}>{pending ? "Saving…" : "Save"}</Button>
      {state && <span role="status" className={`text-sm ${state.ok ? "text-slate-600" : "text-red-700"}`}>{state.ok ? state.message : state.error}</span>}
    </form>
  );
}
