"use client";

import { ErrorState } from "@/components/analytics/states";

export default function AnalyticsError({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <div className="space-y-3">
      <ErrorState error={error} />
      <button type="button" onClick={reset} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-brand-500">
        Try again
      </button>
    </div>
  );
}
