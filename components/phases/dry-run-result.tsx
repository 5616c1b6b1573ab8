import type { DryRun } from "@/lib/actions/phases";
import { formatCount, shortChecksum } from "./format";

/** What a dry run reported: every statement that would run, with row estimates. */
export function DryRunResult({ dryRun }: { dryRun: DryRun }) {
  const statements = dryRun.steps.reduce((n, s) => n + s.statements.length, 0);
  const rows = dryRun.steps.reduce((n, s) => n + s.estimatedRows, 0);
  return (
    <section aria-label="Dry run" className="mt-4 rounded-md border border-slate-200 bg-slate-50 p-3">
      <p className="text-sm text-slate-700">
        <span className="font-medium">Dry run</span> of plan <span className="font-mono text-xs">{shortChecksum(dryRun.checksum)}</span>:{" "}
        {dryRun.steps.length} steps, {statements} statements, about {formatCount(rows)} rows. Nothing was changed.
      </p>
      <ol className="mt-2 space-y-1">
        {dryRun.steps.map((step, i) => (
          <li key={step.id}>
            <details>
              <summary className="cursor-pointer text-xs text-slate-700">
                {i + 1}. <span className="font-mono">{step.id}</span>: {step.statements.length} statement{step.statements.length === 1 ? "" : "s"},
                about {formatCount(step.estimatedRows)} rows
              </summary>
              <div className="mt-1 space-y-2">
                {step.statements.map((sql, j) => (
                  <pre key={j} className="overflow-x-auto rounded bg-terminal p-3 font-mono text-xs leading-5 text-terminal-fg">
                    {sql}
                  </pre>
                ))}
              </div>
            </details>
          </li>
        ))}
      </ol>
    </section>
  );
}
