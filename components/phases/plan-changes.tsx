import { Card } from "@/components/ui/card";
import type { StepDiff } from "@/lib/plan/plan-diff";
import { formatTime } from "./format";
import { SqlDiff } from "./sql-code";

const CHANGE = { added: "new step", removed: "step dropped", changed: "changed" } as const;

/** What changed in the plan since a lead last approved it, step by step, as a diff of its SQL. */
export function PlanChanges({ approvedBy, approvedAt, diffs }: { approvedBy: string; approvedAt: Date; diffs: StepDiff[] }) {
  const changed = diffs.filter((d): d is Extract<StepDiff, { lines: unknown }> => d.change !== "same");
  return (
    <Card
      title="Changed since the last approved plan"
      description={`Against the plan ${approvedBy} approved on ${formatTime(approvedAt)}: ${changed.length} of ${diffs.length} steps differ.`}
    >
      {changed.length === 0 ? (
        <p className="text-sm text-slate-700">The statements are the same; only the plan&apos;s checksum inputs (e.g. the step order) changed.</p>
      ) : (
        <ul aria-label="Changed steps" className="space-y-2">
          {changed.map((d) => (
            <li key={d.id}>
              <details data-testid={`plan-diff-${d.id}`} className="rounded-md border border-slate-200">
                <summary className="cursor-pointer px-3 py-1.5 text-sm text-slate-800">
                  <span className="font-medium">{d.title}</span> <span className="font-mono text-xs text-slate-600">{d.id}</span>: {CHANGE[d.change]},{" "}
                  <span className="text-emerald-800">+{d.added}</span> <span className="text-red-700">−{d.removed}</span> lines
                </summary>
                <div className="border-t border-slate-200 p-3">
                  <SqlDiff diff={d} />
                </div>
              </details>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
