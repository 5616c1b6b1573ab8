import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { IndexEvidence } from "@/components/analytics/index-evidence";
import { ArchiveManifestView } from "@/components/archive/archive-manifest";
import { ArchiveOptionsForm } from "@/components/archive/archive-options-form";
import { DropArchiveForm } from "@/components/archive/drop-archive-form";
import { ApprovalPanel } from "@/components/phases/approval-panel";
import { CheckList } from "@/components/phases/check-list";
import { LiveLog } from "@/components/phases/live-log";
import { LiveSteps } from "@/components/phases/live-steps";
import { NewScorecardsCard } from "@/components/phases/new-scorecards";
import { PendingWork } from "@/components/phases/pending-work";
import { PlanChanges } from "@/components/phases/plan-changes";
import { PostValidation } from "@/components/phases/post-validation";
import { RunBanner } from "@/components/phases/run-banner";
import { SyncStatus } from "@/components/phases/sync-status";
import { RunControls } from "@/components/phases/run-controls";
import { RunsTable } from "@/components/phases/runs-table";
import { formatTime } from "@/components/phases/format";
import { StepSql } from "@/components/phases/sql-code";
import { StatusBadge } from "@/components/phases/status-badge";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { indexEvidence } from "@/lib/analytics/refreshes";
import { requireArea } from "@/lib/auth/current";
import { hasAnyRole } from "@/lib/auth/roles";
import { newScorecards } from "@/lib/engine/addendum";
import { currentValidation } from "@/lib/engine/current-validation";
import { loadPhaseView } from "@/lib/engine/phase-view";
import { rehearsalSummary } from "@/lib/engine/rehearsal-view";
import { PHASES } from "@/lib/plan/phases";
import { archiveManifest, dropConfirmationWord, readArchiveOptions } from "@/lib/plan/phase-5/archive";
import { today } from "@/lib/plan/phase-5/options";

type Props = { params: Promise<{ phase: string }> };

function phaseOf(param: string) {
  return PHASES.find((p) => String(p.number) === param) ?? null;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const meta = phaseOf((await params).phase);
  return { title: meta ? `Phase ${meta.number} · ${meta.title}` : "Phase" };
}

export default async function PhasePage({ params }: Props) {
  const operator = await requireArea("/phases");
  const meta = phaseOf((await params).phase);
  if (!meta) notFound();
  const n = meta.number;
  const view = await loadPhaseView(n, operator.roles);
  const { plan, status, runs, history } = view;
  const isAdmin = hasAnyRole(operator.roles, ["admin"]);
  const isLead = hasAnyRole(operator.roles, ["lead"]);

  const header = (
    <PageHeader
      title={`Phase ${n} · ${meta.title}`}
      description={meta.summary}
      actions={
        <div className="flex items-center gap-2">
          <Badge tone={meta.risk === "medium" ? "warning" : "neutral"}>{meta.risk} risk</Badge>
          {plan.available ? <StatusBadge status={status} /> : <Badge>not yet planned</Badge>}
        </div>
      }
    />
  );
  if (!plan.available || !view.approval) {
    return (
      <>
        {header}
        <EmptyState title="Not yet planned in this version of Unify">
          Phase {n} has no steps yet, so there is nothing to approve, run or roll back. Its plan arrives in a later version.{" "}
          <Link href="/phases" className="font-medium text-brand-600 hover:text-brand-700">Back to the phases</Link>
        </EmptyState>
      </>
    );
  }

  const { approval, live, actions, preflight: report, sync } = view;
  const latest = runs[0] ?? null;
  const activeRun = latest && (["queued", "running", "paused"] as const).find((s) => s === latest.status);
  const validation = currentValidation(runs);
  const rollback = runs.find((r) => r.kind === "rollback") ?? null;
  const failingChecks = plan.preflight.filter((c) => c.status === "fail").length;
  const stepsMs = live ? live.steps.reduce((sum, s) => sum + (s.durationMs ?? 0), 0) : 0;
  const rehearsal = await rehearsalSummary(
    n,
    plan.checksum,
    latest ? { kind: latest.kind, status: latest.status, planChecksum: latest.planChecksum, stepsSeconds: live?.id === latest.id && stepsMs > 0 ? stepsMs / 1000 : null } : null,
  );
  // Scorecard tables registered after Phase 2 ran: the small plan that loads just them.
  const added = n === 2 && (isAdmin || isLead) ? await newScorecards() : null;
  const [archiveOptions, manifest] = n === 5 ? await Promise.all([readArchiveOptions(), archiveManifest()]) : [null, null];

  return (
    <>
      {header}
      <div className="space-y-6">
        {live && <RunBanner run={live} />}
        {view.work && (isAdmin || isLead) && <PendingWork work={view.work} isAdmin={isAdmin} isLead={isLead} busy={Boolean(activeRun)} phaseRan={status === "succeeded"} />}
        {added && <NewScorecardsCard view={added} isLead={isLead} isAdmin={isAdmin} busy={Boolean(activeRun)} />}
        {isAdmin ? (
          <Card title="Run" description="Runs happen in the background worker; this page follows them live.">
            <RunControls key={`${status}:${activeRun ?? ""}:${actions.join(",")}`} phase={n} status={status} actions={actions} approved={approval.current?.decision === "approved"} />
          </Card>
        ) : (
          !isLead && (
            <p className="rounded-md border border-slate-200 bg-surface px-4 py-3 text-sm text-slate-600">
              You can follow this phase. Leads approve its plan and admins run it.
            </p>
          )
        )}
        {archiveOptions && (
          <Card title="Plan options" description="Part of the plan a lead approves: changing them changes its checksum, so the plan is approved again.">
            <ArchiveOptionsForm
              retentionUntil={archiveOptions.retentionUntil}
              views={archiveOptions.views}
              canEdit={isLead && !activeRun}
              minDate={today()}
            />
          </Card>
        )}
        {manifest && (
          <Card title="Archive manifest" description="Every legacy table Phase 5 archived, with its row count and checksum as counted in the archive.">
            <ArchiveManifestView manifest={manifest} />
          </Card>
        )}
        {manifest && manifest.status === "archived" && isAdmin && (
          <Card title="Drop the archive" description="Deletes the archived legacy tables for good; Phase 5 can no longer be rolled back after it. The manifest is kept.">
            <DropArchiveForm
              word={dropConfirmationWord(manifest)}
              allowed={manifest.droppable}
              reason={manifest.droppable ? `The retention date (${manifest.retentionUntil}) has passed.` : `Kept until ${manifest.retentionUntil}, the date a lead set: it can be dropped from the day after.`}
            />
          </Card>
        )}
        <div className="grid gap-6 lg:grid-cols-3">
          <Card title="Approval" description={`The plan: ${plan.steps.length} steps, their SQL below.`} className="lg:col-span-2">
            <ApprovalPanel
              phase={n}
              checksum={plan.checksum}
              state={approval}
              rolledBack={status === "rolled_back"}
              history={history}
              canDecide={isLead}
              failingChecks={failingChecks}
              preflight={report}
              canRunPreflight={isLead || isAdmin}
              rehearsal={rehearsal}
            />
          </Card>
          {/* Once decided, the checks the lead decided on; the live ones only while a decision is pending. */}
          {approval.current && !approval.stale ? (
            <Card title="Pre-flight checks" description={`As they were when ${approval.current.decidedBy} decided, ${formatTime(approval.current.decidedAt)}.`}>
              <CheckList checks={approval.current.preflight} label="Pre-flight checks" />
            </Card>
          ) : (
            <Card title="Pre-flight checks" description="Checked against the legacy database as this page loaded.">
              <CheckList checks={plan.preflight} label="Pre-flight checks" />
            </Card>
          )}
        </div>
        {sync && (sync.live || sync.writes > 0) && (
          <Card title="Live sync" description="The legacy application keeps writing; triggers apply each write to the unified side in the writer's own transaction.">
            <SyncStatus sync={sync} expected={sync.expected} />
          </Card>
        )}
        {view.changes && <PlanChanges {...view.changes} />}
        <LiveSteps
          phase={n}
          run={live}
          steps={plan.steps}
          canRunSteps={isAdmin}
          sql={Object.fromEntries(plan.steps.map((s) => [s.id, <StepSql key={s.id} stepId={s.id} statements={s.statements} />]))}
          changed={Object.fromEntries(
            (view.changes?.diffs ?? []).flatMap((d) => (d.change === "changed" ? [[d.id, "changed"]] : d.change === "added" ? [[d.id, "new step"]] : [])),
          )}
        />
        <Card title="Post-validation" description="Checks after the run: nothing lost, nothing duplicated.">
          <PostValidation validation={validation} rollback={rollback} />
        </Card>
        {n === 4 && (
          <Card title="Index review" description="EXPLAIN (ANALYZE, BUFFERS) of the analytics pages' main queries, recorded by the index-review step.">
            <IndexEvidence rows={await indexEvidence()} />
          </Card>
        )}
        <LiveLog run={live} />
        <Card title="Runs" description="Recent runs and rollbacks of this phase.">
          <RunsTable runs={runs} />
        </Card>
      </div>
    </>
  );
}
