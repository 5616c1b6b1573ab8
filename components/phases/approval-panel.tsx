import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import type { ApprovalState } from "@/lib/engine/approvals";
import Link from "next/link";
import { FollowReport } from "@/components/validation/follow-report";
import { RunPreflightButton } from "@/components/validation/run-preflight-button";
import { ApprovalForm, WithdrawDecision } from "./approval-form";
import { StatusBadge } from "./status-badge";
import { formatCount, formatTime, shortChecksum } from "./format";

export interface ApprovalRecord {
  id: number;
  planChecksum: string;
  decision: string;
  comment: string;
  decidedBy: string;
  decidedAt: Date;
}

function Verdict({ tone, children }: { tone: "success" | "danger" | "warning" | "neutral"; children: ReactNode }) {
  const colours = {
    success: "border-emerald-200 bg-emerald-50 text-emerald-800",
    danger: "border-red-200 bg-red-50 text-red-800",
    warning: "border-amber-200 bg-amber-50 text-amber-900",
    neutral: "border-slate-200 bg-slate-50 text-slate-700",
  };
  return <div data-testid="approval-state" className={`rounded-md border px-3 py-2 text-sm ${colours[tone]}`}>{children}</div>;
}

function CurrentDecision({ phase, state, rolledBack }: { phase: number; state: ApprovalState; rolledBack: boolean }) {
  const current = state.current;
  if (current?.decision === "approved" && state.stale) {
    return (
      <Verdict tone="warning">
        <p className="font-medium">
          Approved by {current.decidedBy} on {formatTime(current.decidedAt)}, but stale: the legacy data changed size since. A lead must approve again.
        </p>
        <table aria-label="Approved and current row estimates" className="mt-2 text-xs">
          <thead>
            <tr className="text-left">
              <th className="pr-4 font-medium">Step</th>
              <th className="pr-4 text-right font-medium">Approved at</th>
              <th className="text-right font-medium">Now</th>
            </tr>
          </thead>
          <tbody>
            {state.stale.map((s) => (
              <tr key={s.stepId}>
                <td className="pr-4 font-mono">{s.stepId}</td>
                <td className="pr-4 text-right tabular-nums">{formatCount(s.approved)} rows</td>
                <td className="text-right tabular-nums">{formatCount(s.current)} rows</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Verdict>
    );
  }
  if (current?.decision === "approved") {
    return (
      <Verdict tone="success">
        <p className="font-medium">Approved by {current.decidedBy} on {formatTime(current.decidedAt)}</p>
        {current.comment && <p className="mt-0.5">“{current.comment}”</p>}
      </Verdict>
    );
  }
  if (current?.decision === "rejected") {
    return (
      <Verdict tone="danger">
        <p className="font-medium">Rejected by {current.decidedBy} on {formatTime(current.decidedAt)}</p>
        <p className="mt-0.5">“{current.comment}”</p>
      </Verdict>
    );
  }
  if (rolledBack && !current) {
    return (
      <Verdict tone="warning">
        Phase {phase} was rolled back, and an approval is for one run: the last decision no longer counts
        {state.voidedByChange ? ", and the plan has changed since" : ""}. A lead reviews the plan and what the rolled-back run did, then approves it
        again before an admin can run phase {phase} again.
      </Verdict>
    );
  }
  if (state.voidedReason) {
    return <Verdict tone="warning">The last decision no longer counts ({state.voidedReason}): a lead must review the plan and decide again.</Verdict>;
  }
  if (state.voidedByChange) {
    return <Verdict tone="warning">The plan changed after the last decision, which no longer counts: a lead must review and decide again.</Verdict>;
  }
  return <Verdict tone="neutral">Awaiting a lead&apos;s approval. Nothing runs before a lead approves this exact plan.</Verdict>;
}

export interface PreflightSummary {
  id: number;
  status: string;
  verdict: string | null;
  pass: number;
  warn: number;
  fail: number;
  warnings: string[];
}

/** The plan's pre-flight report, on which an approval stands; admins and leads can run it. */
function PreflightReport({ phase, report, canRun }: { phase: number; report: PreflightSummary | null; canRun: boolean }) {
  const running = report?.status === "queued" || report?.status === "running";
  return (
    <div data-testid="preflight-report" className="flex flex-wrap items-center gap-2 rounded-md border border-slate-200 px-3 py-2 text-sm">
      <FollowReport running={running} />
      {report ? (
        <>
          <span className="font-medium text-slate-800">Pre-flight report</span>
          <Link href={`/validation/${report.id}`} className="text-brand-700 hover:text-brand-800">#{report.id}</Link>
          <StatusBadge status={running ? report.status : (report.verdict ?? report.status)} />
          {!running && (
            <span className="text-slate-600">
              {report.pass} passed, {report.warn} warnings, {report.fail} failed
            </span>
          )}
        </>
      ) : (
        <span className="text-slate-700">No pre-flight report for this plan yet: an approval stands on one.</span>
      )}
      {canRun && !running && <RunPreflightButton phase={phase} again={report !== null} />}
    </div>
  );
}

export interface RehearsalSummary {
  /** "expected to take about …", or why the last rehearsal failed. */
  line: string;
  failed: boolean;
  /** The rehearsal was of an earlier plan. */
  older: boolean;
  /** After a run of the rehearsed plan: its steps' time beside the prediction. */
  outcome: string | null;
}

function RehearsalLine({ rehearsal }: { rehearsal: RehearsalSummary }) {
  return (
    <div data-testid="rehearsal" className={`rounded-md border px-3 py-2 text-sm ${rehearsal.failed ? "border-red-200 bg-red-50 text-red-800" : "border-slate-200 text-slate-700"}`}>
      <p>
        <span className="font-medium text-slate-800">Rehearsal</span>: {rehearsal.line}
        {rehearsal.older && <span className="text-slate-600"> — of an earlier plan</span>}
      </p>
      {rehearsal.outcome && <p data-testid="rehearsal-outcome" className="mt-0.5 text-slate-700">Last run: {rehearsal.outcome}</p>}
    </div>
  );
}

/** Where the current plan stands, a lead's form to decide it, and every past decision. */
export function ApprovalPanel({ phase, checksum, state, rolledBack, history, canDecide, failingChecks, preflight, canRunPreflight, rehearsal }: {
  phase: number;
  checksum: string;
  state: ApprovalState;
  /** The phase's status is rolled back: its last approval was for the run that was undone. */
  rolledBack: boolean;
  history: ApprovalRecord[];
  canDecide: boolean;
  failingChecks: number;
  preflight: PreflightSummary | null;
  canRunPreflight: boolean;
  rehearsal: RehearsalSummary | null;
}) {
  const reportReady = preflight !== null && preflight.status === "finished" && preflight.verdict !== "fail";
  return (
    <div className="space-y-4">
      <CurrentDecision phase={phase} state={state} rolledBack={rolledBack} />
      <PreflightReport phase={phase} report={preflight} canRun={canRunPreflight} />
      {rehearsal && <RehearsalLine rehearsal={rehearsal} />}
      <p className="text-xs text-slate-600">
        Plan checksum <span className="font-mono text-slate-700">{shortChecksum(checksum)}</span>: a decision binds to it, and any change to
        the plan&apos;s SQL voids it.
      </p>
      {canDecide && (!state.current || state.stale) && (
        reportReady ? (
          <ApprovalForm phase={phase} checksum={checksum} failingChecks={failingChecks} warnings={preflight.warnings} />
        ) : (
          <p className="text-sm text-slate-600">
            {preflight?.verdict === "fail"
              ? "The pre-flight report has failing checks: approval is refused until the legacy data is fixed and the suite runs clean."
              : "Approving needs a finished pre-flight report of this plan."}
          </p>
        )
      )}
      {canDecide && state.current && !state.stale && state.withdrawable && <WithdrawDecision phase={phase} decision={state.current.decision} />}
      <div>
        <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">History</h3>
        {history.length ? (
          <Table label="Approval history">
            <thead className="bg-slate-50">
              <tr>
                <Th>Decision</Th>
                <Th>By</Th>
                <Th>Comment</Th>
                <Th>Plan</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {history.map((h) => (
                <tr key={h.id}>
                  <Td>
                    <Badge tone={h.decision === "approved" ? "success" : "danger"}>{h.decision}</Badge>
                  </Td>
                  <Td className="text-xs">
                    {h.decidedBy}
                    <span className="block text-slate-600">{formatTime(h.decidedAt)}</span>
                  </Td>
                  <Td className="text-xs">
                    <p className="max-w-xs whitespace-normal">{h.comment || <span className="text-slate-600">–</span>}</p>
                  </Td>
                  <Td className="font-mono text-xs">
                    {shortChecksum(h.planChecksum)}
                    {h.planChecksum === checksum ? <span className="ml-1 font-sans text-emerald-700">current</span> : <span className="ml-1 font-sans text-slate-600">older</span>}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : (
          <p className="text-sm text-slate-600">No decision yet.</p>
        )}
      </div>
    </div>
  );
}
