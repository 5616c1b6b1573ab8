"use client";

import type { RunProgress } from "@/lib/engine/progress";
import { formatCount, formatEta, formatRate } from "./format";
import { ProgressBar } from "./progress-bar";
import { StatusBadge } from "./status-badge";
import { useRunProgress } from "./use-run-progress";

/**
 * The run at a glance, at the top of the phase page: one progress bar for the whole phase in rows
 * (a rollback's in the steps it has undone), percent, rate, ETA and the step at work. It shares its query with the steps below, so the
 * banner, the steps and the buttons move together.
 */
export function RunBanner({ run }: { run: RunProgress | null }) {
  const { data } = useRunProgress(run);
  if (!data) return null;
  const { overall } = data;
  const active = data.status === "queued" || data.status === "running" || data.status === "paused";
  const what = data.kind === "rollback" ? `Rollback #${data.id}` : data.onlyStep ? `Run #${data.id} (step ${data.onlyStep})` : `Run #${data.id}`;
  const state = data.status === "running" && data.cancelRequested ? "cancelling" : data.status === "running" && data.pauseRequested ? "pausing" : data.status;
  return (
    <section aria-label="Run progress" data-testid="run-banner" className="rounded-lg border border-slate-200 bg-surface px-4 py-3 shadow-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm font-medium text-slate-900">
          {what} <StatusBadge status={state} />
        </p>
        <p className="text-2xl font-semibold tabular-nums text-slate-900" data-testid="run-percent">
          {overall.percent}%
        </p>
      </div>
      <div className="mt-2">
        <ProgressBar done={overall.percent} total={100} busy={data.status === "running"} label="Whole phase progress" />
      </div>
      <p className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-sm text-slate-600">
        <span data-testid="run-counted">
          {overall.unit === "steps"
            ? `${formatCount(overall.done)} of ${formatCount(overall.total)} steps undone`
            : `${formatCount(overall.done)} of ${formatCount(overall.total)} rows`}
        </span>
        {overall.unit === "rows" && <span>{formatRate(overall.perSecond)}</span>}
        {active && <span>ETA {formatEta(overall.etaSeconds)}</span>}
        {active && overall.currentStep && <span>Now: {overall.currentStep}</span>}
      </p>
    </section>
  );
}
