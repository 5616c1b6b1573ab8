import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { ApprovalLine } from "./approval-line";
import { formatEta, formatRate } from "./format";
import { ProgressBar } from "./progress-bar";
import { StatusBadge } from "./status-badge";
import type { PhaseSummary } from "@/lib/engine/summary";

function Validation({ validation }: { validation: PhaseSummary["validation"] }) {
  if (!validation) return <span className="text-slate-600">Not validated yet</span>;
  if (validation.rolledBack) return <span className="text-slate-600">Rolled back: the checks of run #{validation.runId} no longer apply</span>;
  if (validation.failed) return <span className="text-red-700">{validation.failed} of {validation.total} checks failed</span>;
  const warned = validation.total - validation.passed - validation.failed;
  return (
    <span className="text-emerald-700">
      Passed {validation.total} of {validation.total} checks{warned ? `, ${warned} with a warning` : ""}
    </span>
  );
}

/** The five phases in order, each with its status, approval, live progress and last validation. */
export function PhasePipeline({ phases }: { phases: PhaseSummary[] }) {
  return (
    <ol className="grid gap-4 md:grid-cols-2 xl:grid-cols-5" aria-label="Migration phases">
      {phases.map((p) => (
        <li
          key={p.number}
          data-testid={`pipeline-phase-${p.number}`}
          className={`relative flex flex-col rounded-lg border bg-surface p-4 shadow-sm ${p.available ? "border-slate-200" : "border-dashed border-slate-300 bg-slate-50/60"}`}
        >
          <div className="flex flex-wrap items-center justify-between gap-2">
            <span className="whitespace-nowrap text-xs font-semibold uppercase tracking-wide text-slate-600">Phase {p.number}</span>
            <Badge tone={p.risk === "medium" ? "warning" : "neutral"}>{p.risk} risk</Badge>
          </div>
          <h2 className="mt-2 text-sm font-semibold text-slate-900">
            <Link href={`/phases/${p.number}`} className="hover:text-brand-700 after:absolute after:inset-0">
              {p.title}
            </Link>
          </h2>
          <p className="mt-1 text-xs leading-5 text-slate-600">{p.summary}</p>
          <div className="mt-3">
            {p.available ? <StatusBadge status={p.status} /> : <Badge>not yet planned</Badge>}
          </div>
          {p.progress && (
            <div className="mt-3 space-y-1">
              <ProgressBar done={p.progress.percent} total={100} label={`Phase ${p.number} progress`} />
              <p className="text-xs text-slate-600">
                {p.progress.percent}% · {p.progress.kind === "rollback" ? "rollback" : "step"} {Math.min(p.progress.stepsDone + 1, p.progress.stepsTotal)} of{" "}
                {p.progress.stepsTotal}
                {p.progress.rowsPerSecond ? ` · ${formatRate(p.progress.rowsPerSecond)}` : ""}
                {p.progress.etaSeconds !== null ? ` · ETA ${formatEta(p.progress.etaSeconds)}` : ""}
              </p>
            </div>
          )}
          {p.available ? (
            <dl className="mt-auto space-y-1 pt-4 text-xs [&_dt]:sr-only">
              <div className="border-t border-slate-100 pt-3">
                <dt>Approval</dt>
                <dd>
                  <ApprovalLine approval={p.approval} />
                </dd>
              </div>
              <div>
                <dt>Last validation</dt>
                <dd>
                  <Validation validation={p.validation} />
                </dd>
              </div>
            </dl>
          ) : (
            <div className="mt-auto pt-4">
              <p className="border-t border-slate-100 pt-3 text-xs text-slate-600">Its steps arrive in a later version of Unify.</p>
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}
