"use client";

import { useRouter } from "next/navigation";
import { ActionButton } from "@/components/ui/action-button";
import { resumeScheduleAction } from "@/lib/actions/analytics";

/** Settings, while "Roll back to legacy" has the scheduled refresh paused: who paused it, when, and Resume. */
export function SchedulePaused({ pausedAt, pausedBy, reason }: { pausedAt: string; pausedBy: string; reason: string }) {
  const router = useRouter();
  return (
    <div role="status" data-testid="schedule-paused" className="mb-4 flex flex-wrap items-center justify-between gap-3 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
      <p>
        <span className="font-semibold">The scheduled refresh is paused</span> since {pausedAt} by {pausedBy} ({reason}). An admin&apos;s refresh on the Analytics page still runs.
      </p>
      <ActionButton action={resumeScheduleAction} label="Resume the schedule" pendingLabel="Resuming…" done="Resumed" onDone={() => router.refresh()} />
    </div>
  );
}
