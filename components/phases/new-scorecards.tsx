import Link from "next/link";
import { ActionButton } from "@/components/ui/action-button";
import { Card } from "@/components/ui/card";
import { runAddendumAction } from "@/lib/actions/phases";
import { AddendumApproveForm } from "./addendum-form";
import type { NewScorecardsView } from "@/lib/engine/addendum";
import { CheckList } from "./check-list";
import { formatCount, formatTime, shortChecksum } from "./format";
import { StepSql } from "./sql-code";

function named(tables: string[]): string {
  const list = tables.map((t) => `“${t}”`).join(", ");
  return tables.length === 1 ? `A new scorecard table ${list} was` : `${tables.length} new scorecard tables (${list}) were`;
}

/** On the Overview, for leads and admins: what changed the plan of Phase 2, and where to load it. */
export function NewScorecardsNotice({ view, isLead, isAdmin }: { view: NewScorecardsView; isLead: boolean; isAdmin: boolean }) {
  const next = view.approval
    ? isAdmin
      ? `${view.approval.by} approved loading it: run the load.`
      : "Approved: an admin runs the load next."
    : isLead
      ? "Review its plan and approve it."
      : "A lead approves its plan first.";
  return (
    <section aria-labelledby="new-scorecards-notice" data-testid="new-scorecards-notice" className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3">
      <h2 id="new-scorecards-notice" className="text-sm font-semibold text-amber-950">
        {named(view.tables)} registered after Phase 2: load it
      </h2>
      <p className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-amber-900">
        <span>Its rows are not in the unified audits yet, and the plan of Phase 2 now includes it. {next}</span>
        <Link href="/phases/2#new-scorecards" className="font-medium text-brand-700 underline underline-offset-2 hover:text-brand-800">
          Load it
        </Link>
      </p>
    </section>
  );
}

/** On the Phase 2 page: the plan that loads just the new tables, its approval and its run. */
export function NewScorecardsCard({ view, isLead, isAdmin, busy }: { view: NewScorecardsView; isLead: boolean; isAdmin: boolean; busy: boolean }) {
  const failing = view.checks.some((c) => c.status === "fail");
  return (
    <div id="new-scorecards" className="scroll-mt-4">
      <Card
        title="New scorecard tables"
        description={`${named(view.tables)} registered after Phase 2 ran. This plan loads just ${view.tables.length === 1 ? "that table" : "those tables"}; the other audits are left as they are.`}
      >
        <div className="space-y-4" data-testid="new-scorecards">
          <CheckList checks={view.checks} label="Checks before loading" />
          <ol aria-label="Steps of the load" className="space-y-2">
            {view.steps.map((step, i) => (
              <li key={step.id}>
                <details className="rounded-md border border-slate-200 bg-slate-50">
                  <summary className="cursor-pointer select-none px-3 py-1.5 text-sm text-slate-800 hover:text-slate-900">
                    {i + 1}. {step.title}
                    <span className="ml-2 text-xs text-slate-600">
                      {step.statements.length} statement{step.statements.length === 1 ? "" : "s"}
                      {step.estimatedRows ? `, about ${formatCount(step.estimatedRows)} rows` : ""}
                    </span>
                  </summary>
                  <div className="border-t border-slate-200 p-3">
                    <StepSql stepId={step.id} statements={step.statements} />
                  </div>
                </details>
              </li>
            ))}
          </ol>
          <p className="text-xs text-slate-600">
            Afterwards the whole post-validation of Phase 2 runs again, over every audit table. Plan checksum{" "}
            <span className="font-mono text-slate-700">{shortChecksum(view.checksum)}</span>.
          </p>
          {view.approval ? (
            <div data-testid="new-scorecards-approval" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
              <p className="font-medium">Approved by {view.approval.by} on {formatTime(view.approval.at)}</p>
              {view.approval.comment && <p className="mt-0.5">“{view.approval.comment}”</p>}
            </div>
          ) : (
            <p data-testid="new-scorecards-approval" className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
              Awaiting a lead&apos;s approval: nothing is loaded before a lead approves this exact plan.
            </p>
          )}
          {isLead && !view.approval && !failing && <AddendumApproveForm checksum={view.checksum} />}
          {isAdmin && view.approval && !failing && (
            <ActionButton action={runAddendumAction} label="Load the new tables" pendingLabel="Queuing…" done="Queued" disabled={busy} />
          )}
        </div>
      </Card>
    </div>
  );
}
