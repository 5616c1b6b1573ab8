"use client";

import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import {
  cancelRunAction,
  dryRunAction,
  rehearseAction,
  pauseRunAction,
  resumeRunAction,
  rollbackPhaseAction,
  runPhaseAction,
  type DryRun,
} from "@/lib/actions/phases";
import type { ActionResult } from "@/lib/auth/current";
import type { PhaseAction, PhaseStatus } from "@/lib/engine/state-machine";
import { DryRunResult } from "./dry-run-result";

const RUNNABLE: PhaseStatus[] = ["not_started", "failed", "cancelled", "rolled_back", "rollback_failed"];

/**
 * An admin's buttons for one phase: exactly the actions the engine's state machine allows now
 * (`allowedActions`, the same list the CLI prints). The engine has the last word: whatever it
 * refuses when asked comes back as a message here.
 */
export function RunControls({ phase, status, actions, approved }: {
  phase: number;
  status: PhaseStatus;
  actions: PhaseAction[];
  approved: boolean;
}) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  const [dryRun, setDryRun] = useState<DryRun | null>(null);
  const [confirmRollback, setConfirmRollback] = useState(false);

  const act = (work: () => Promise<ActionResult<unknown>>) =>
    start(async () => {
      setConfirmRollback(false);
      setResult(await work());
    });

  const canRun = actions.includes("run");
  const canRollback = actions.includes("rollback");
  // Waiting for a lead: the phase could run but for the approval.
  const awaitsApproval = !canRun && !approved && RUNNABLE.includes(status) && !actions.includes("pause") && !actions.includes("resume");

  return (
    <div>
      <div className="flex flex-wrap items-center gap-2">
        {(canRun || awaitsApproval) && (
          <Button disabled={pending || !canRun} onClick={() => act(() => runPhaseAction(phase))}>
            Run phase {phase}
          </Button>
        )}
        {actions.includes("dry_run") && (
          <Button
            variant="secondary"
            disabled={pending}
            onClick={() =>
              act(async () => {
                const answer = await dryRunAction(phase);
                setDryRun(answer.ok ? (answer.data ?? null) : null);
                return answer;
              })
            }
          >
            Dry run
          </Button>
        )}
        {actions.includes("dry_run") && (
          <Button variant="secondary" disabled={pending} onClick={() => act(() => rehearseAction(phase))} title="Run the steps on a 1% sample, rolled back, to predict the run's time">
            {pending ? "Working…" : "Rehearse on a sample"}
          </Button>
        )}
        {actions.includes("pause") && (
          <Button variant="secondary" disabled={pending} onClick={() => act(() => pauseRunAction(phase))}>
            Pause
          </Button>
        )}
        {actions.includes("resume") && (
          <Button disabled={pending} onClick={() => act(() => resumeRunAction(phase))}>
            Resume
          </Button>
        )}
        {actions.includes("cancel") && (
          <Button variant="secondary" className="text-red-700" disabled={pending} onClick={() => act(() => cancelRunAction(phase))}>
            Cancel run
          </Button>
        )}
        {canRollback && !confirmRollback && (
          <Button variant="secondary" className="text-red-700" disabled={pending} onClick={() => setConfirmRollback(true)}>
            Roll back…
          </Button>
        )}
        {confirmRollback && (
          <span className="flex flex-wrap items-center gap-2 rounded-md bg-red-50 px-3 py-1.5 text-sm text-red-800">
            Drop everything phase {phase} created?
            <Button variant="danger" className="px-2.5 py-1 text-xs" disabled={pending} onClick={() => act(() => rollbackPhaseAction(phase))}>
              Roll back phase {phase}
            </Button>
            <Button variant="ghost" className="px-2.5 py-1 text-xs" onClick={() => setConfirmRollback(false)}>
              Keep it
            </Button>
          </span>
        )}
      </div>
      {awaitsApproval && (
        <p className="mt-2 text-sm text-slate-600">Run is available once a lead approves the current plan.</p>
      )}
      {result && (
        <p role={result.ok ? "status" : "alert"} className={`mt-3 text-sm ${result.ok ? "text-emerald-700" : "text-red-700"}`}>
          {result.ok ? result.message : result.error}
        </p>
      )}
      {dryRun && <DryRunResult dryRun={dryRun} />}
    </div>
  );
}
