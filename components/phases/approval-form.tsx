"use client";

import { startTransition, useActionState, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { decidePlanAction, withdrawDecisionAction } from "@/lib/actions/phases";
import type { ActionResult } from "@/lib/auth/current";
import { CommentField } from "./comment-field";

/** A lead's decision on the plan on screen; the checksum ties it to exactly that plan. */
export function ApprovalForm({ phase, checksum, failingChecks, warnings }: {
  phase: number;
  checksum: string;
  failingChecks: number;
  /** The warnings of the plan's pre-flight report: each must be acknowledged to approve. */
  warnings: string[];
}) {
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(decidePlanAction, null);
  // Controlled, so a refused decision (e.g. a rejection without a comment) keeps what was typed and ticked.
  const [comment, setComment] = useState("");
  const [acknowledged, setAcknowledged] = useState<string[]>([]);
  const error = state && !state.ok ? state.error : null;
  return (
    <form
      className="space-y-3"
      onSubmit={(event) => {
        // Submitted by hand, not through `action`: React resets a form after its action, which
        // would untick what the lead ticked when the decision is refused.
        event.preventDefault();
        const data = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
        startTransition(() => action(data));
      }}
    >
      <input type="hidden" name="phase" value={phase} />
      <input type="hidden" name="checksum" value={checksum} />
      <CommentField
        id="approval-comment"
        placeholder="What you checked; required to reject"
        value={comment}
        onChange={setComment}
        invalid={error?.includes("comment") ?? false}
        describedBy={error ? "approval-error" : undefined}
      />
      {warnings.length > 0 && (
        <fieldset className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2">
          <legend className="px-1 text-sm font-medium text-amber-900">Acknowledge the pre-flight warnings to approve</legend>
          <ul className="mt-1 space-y-1">
            {warnings.map((w) => (
              <li key={w}>
                <label className="flex items-start gap-2 text-sm text-amber-950">
                  <input
                    type="checkbox"
                    name="acknowledge"
                    value={w}
                    checked={acknowledged.includes(w)}
                    onChange={(e) => setAcknowledged(e.target.checked ? [...acknowledged, w] : acknowledged.filter((a) => a !== w))}
                    className="mt-0.5"
                  />
                  {w}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
      )}
      {failingChecks > 0 && (
        <p className="text-sm text-amber-700">
          {failingChecks} pre-flight check{failingChecks === 1 ? "" : "s"} fail: the run will most likely fail until the legacy data is fixed.
        </p>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" name="decision" value="approved" disabled={pending}>
          Approve plan
        </Button>
        <Button type="submit" name="decision" value="rejected" variant="secondary" className="text-red-700" disabled={pending}>
          Reject plan
        </Button>
        {state && (
          <p id="approval-error" role={state.ok ? "status" : "alert"} className={`text-sm ${state.ok ? "text-emerald-700" : "text-red-700"}`}>
            {state.ok ? state.message : state.error}
          </p>
        )}
      </div>
    </form>
  );
}

/** Once the plan is decided the form gives way to the decision; a lead may take it back while nothing ran. */
export function WithdrawDecision({ phase, decision }: { phase: number; decision: string }) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult | null>(null);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button variant="secondary" disabled={pending} onClick={() => start(async () => setResult(await withdrawDecisionAction(phase)))}>
        Withdraw {decision === "approved" ? "approval" : "rejection"}
      </Button>
      <span className="text-xs text-slate-600">Possible until the phase runs under this decision.</span>
      {result && (
        <p role={result.ok ? "status" : "alert"} className={`text-sm ${result.ok ? "text-emerald-700" : "text-red-700"}`}>
          {result.ok ? result.message : result.error}
        </p>
      )}
    </div>
  );
}
