import { CheckList, type CheckView } from "./check-list";
import { formatDuration, formatTime } from "./format";
import { StatusBadge } from "./status-badge";

interface RunLike {
  id: number;
  status: string;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** The checks after the latest run that reached them, and how long the latest rollback took. */
export function PostValidation({ validated, rollback }: {
  validated: (RunLike & { checks: CheckView[] }) | null;
  rollback: RunLike | null;
}) {
  const failed = validated?.checks.filter((c) => c.status === "fail").length ?? 0;
  const verdictColour = validated?.status === "rolled_back" ? "text-slate-600" : failed ? "text-red-700" : "text-emerald-700";
  return (
    <div className="space-y-4">
      {validated ? (
        <div>
          <p data-testid="post-validation-verdict" className={`mb-3 text-sm font-medium ${verdictColour}`}>
            {validated.status === "rolled_back"
              ? `Run #${validated.id} ${failed ? `failed ${failed} of ${validated.checks.length} checks` : `passed all ${validated.checks.length} checks`}, then was rolled back`
              : failed
                ? `Post-validation failed: ${failed} of ${validated.checks.length} checks`
                : `Post-validation passed: ${validated.checks.length} of ${validated.checks.length} checks`}
            <span className="ml-1 font-normal text-slate-500">(run #{validated.id}, {formatTime(validated.finishedAt)})</span>
          </p>
          <CheckList checks={validated.checks} label="Post-validation checks" wide />
        </div>
      ) : (
        <p className="text-sm text-slate-500">No run has reached post-validation yet.</p>
      )}
      {rollback && (
        <div className="flex flex-wrap items-center gap-2 border-t border-slate-100 pt-3 text-sm text-slate-700">
          <span>Last rollback #{rollback.id}</span>
          <StatusBadge status={rollback.status} />
          <span className="text-slate-500">
            {rollback.startedAt && rollback.finishedAt
              ? `took ${formatDuration(rollback.finishedAt.getTime() - rollback.startedAt.getTime())}`
              : "not finished"}
          </span>
        </div>
      )}
    </div>
  );
}
