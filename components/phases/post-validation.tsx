import type { CurrentValidation } from "@/lib/engine/current-validation";
import { CheckList } from "./check-list";
import { formatDuration, formatTime } from "./format";
import { StatusBadge } from "./status-badge";

interface RunLike {
  id: number;
  status: string;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * Post-validation of the phase as it stands: the checks of the run whose objects are in place.
 * Once a rollback undid that run, its checks are kept folded as that run's, not the phase's.
 */
export function PostValidation({ validation, rollback }: { validation: CurrentValidation; rollback: RunLike | null }) {
  const failed = validation.state === "none" ? 0 : validation.checks.filter((c) => c.status === "fail").length;
  const warned = validation.state === "none" ? 0 : validation.checks.filter((c) => c.status === "warn").length;
  const warnings = warned ? `, ${warned} with a warning` : "";
  return (
    <div className="space-y-4">
      {validation.state === "current" && (
        <div>
          <p data-testid="post-validation-verdict" className={`mb-3 text-sm font-medium ${failed ? "text-red-700" : "text-emerald-700"}`}>
            {failed
              ? `Post-validation failed: ${failed} of ${validation.checks.length} checks`
              : `Post-validation passed: ${validation.checks.length} of ${validation.checks.length} checks${warnings}`}
            <span className="ml-1 font-normal text-slate-600">(run #{validation.run.id}, {formatTime(validation.run.finishedAt)})</span>
          </p>
          <CheckList checks={validation.checks} label="Post-validation checks" wide />
        </div>
      )}
      {validation.state === "rolled_back" && (
        <div>
          <p data-testid="post-validation-verdict" className="mb-3 text-sm font-medium text-slate-700">
            Nothing to validate: the phase was rolled back{validation.rollbackId ? ` by rollback #${validation.rollbackId}` : ""}, so no run&apos;s objects are in place.
          </p>
          <details className="rounded-md border border-slate-200">
            <summary className="cursor-pointer px-3 py-1.5 text-sm text-slate-700">
              Checks of run #{validation.run.id}, rolled back: {failed ? `failed ${failed}` : `passed ${validation.checks.length}`} of {validation.checks.length}
            </summary>
            <div className="border-t border-slate-200 p-3">
              <CheckList checks={validation.checks} label={`Post-validation checks of run #${validation.run.id}, rolled back`} wide />
            </div>
          </details>
        </div>
      )}
      {validation.state === "none" && <p className="text-sm text-slate-600">No run has reached post-validation yet.</p>}
      {rollback && (
        <div className="flex flex-wrap items-center gap-2 border-t border-slate-100 pt-3 text-sm text-slate-700">
          <span>Last rollback #{rollback.id}</span>
          <StatusBadge status={rollback.status} />
          <span className="text-slate-600">
            {rollback.startedAt && rollback.finishedAt
              ? `took ${formatDuration(rollback.finishedAt.getTime() - rollback.startedAt.getTime())}`
              : "not finished"}
          </span>
        </div>
      )}
    </div>
  );
}
