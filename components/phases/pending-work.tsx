import Link from "next/link";
import type { MergeWork } from "@/lib/plan/pending-work";
import { formatCount } from "./format";
import { RunStepButton } from "./run-step-button";

/**
 * What Phase 1's merge leaves for people, shown to whoever must act: leads review conflicts and
 * override choices, an admin applies pending overrides by running the merge step again.
 */
export function PendingWork({ work, isAdmin, isLead, busy, phaseRan }: {
  work: MergeWork;
  isAdmin: boolean;
  isLead: boolean;
  busy: boolean;
  /** Phase 1 succeeded, so its merge step can run on its own; otherwise overrides wait for a whole run. */
  phaseRan: boolean;
}) {
  if (work.conflicts === 0 && work.pendingOverrides === 0) return null;
  const overrides = work.pendingOverrides;
  return (
    <section aria-labelledby="pending-work-title" data-testid="pending-work" className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3">
      <h2 id="pending-work-title" className="text-sm font-semibold text-amber-950">
        Pending work from Phase 1&apos;s merge
      </h2>
      <ul className="mt-2 space-y-2 text-sm text-amber-900">
        {work.conflicts > 0 && (
          <li className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <span data-testid="pending-conflicts">
              {formatCount(work.conflicts)} merge conflict{work.conflicts === 1 ? "" : "s"} recorded{isLead ? ": override a choice where the rule picked the wrong value" : ""}.
            </span>
            <Link href="/conflicts" className="font-medium text-brand-700 underline underline-offset-2 hover:text-brand-800">
              Review the conflicts
            </Link>
          </li>
        )}
        {overrides > 0 && (
          <li className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <span data-testid="pending-overrides">
              {formatCount(overrides)} override{overrides === 1 ? "" : "s"} by leads wait{overrides === 1 ? "s" : ""} for the next run of{" "}
              {phaseRan ? "the merge step" : "Phase 1"}
              {isAdmin ? "." : ": an admin runs it."}
            </span>
            {isAdmin && phaseRan && <RunStepButton phase={1} stepId={work.step.id} disabled={busy} label="Re-run merge step" />}
          </li>
        )}
      </ul>
    </section>
  );
}
