"use client";

import { useActionState, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { decideRuleAction, withdrawRuleDecisionAction } from "@/lib/actions/phases";
import type { ActionResult } from "@/lib/auth/current";
import { DecisionReason } from "./decision-reason";
import type { RuleSide } from "@/lib/plan/phase-1/conflict-rules";

const SIDES: { side: RuleSide; label: string }[] = [
  { side: "users", label: "Prefer users (logins)" },
  { side: "people", label: "Prefer people (the directory)" },
];

/** A lead decides which side wins a field for every human, or withdraws the decision in force. */
export function RuleDecisionForm({ field, label, inForce, onClose }: {
  field: string;
  /** The field as people say it. */
  label: string;
  inForce: RuleSide | null;
  onClose: () => void;
}) {
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(decideRuleAction, null);
  const [withdrawn, setWithdrawn] = useState<ActionResult | null>(null);
  const [withdrawing, startWithdraw] = useTransition();
  // Uncontrolled: after a save React resets the form to these defaults, which then describe the
  // decision just recorded. Without one, the side the rule does not already prefer is offered.
  const checked = inForce ?? "users";
  const result = withdrawn ?? state;
  return (
    <form action={action} onSubmit={() => setWithdrawn(null)} aria-label={`Rule-wide decision on ${field}`} className="space-y-3">
      <input type="hidden" name="field" value={field} />
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">
          {label} (<span className="font-mono">{field}</span>) for every employee whose users and people rows disagree
        </legend>
        <div className="mt-2 flex flex-wrap items-center gap-x-5 gap-y-2">
          {SIDES.map((s) => (
            <label key={s.side} className="flex items-center gap-2 text-sm text-slate-700">
              <input type="radio" name="prefer" value={s.side} defaultChecked={checked === s.side} />
              {s.label}
            </label>
          ))}
        </div>
        <p className="mt-1 text-xs text-slate-500">
          A person&apos;s own override still wins. The merge step applies the decision the next time it runs.
        </p>
      </fieldset>
      <div className="flex flex-wrap items-end gap-3">
        <DecisionReason id={`rule-${field}-comment`} placeholder="e.g. HR confirmed logins carry the preferred names" />
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save decision"}
        </Button>
        {inForce !== null && (
          <Button
            type="button"
            variant="secondary"
            disabled={pending || withdrawing}
            onClick={() => startWithdraw(async () => setWithdrawn(await withdrawRuleDecisionAction(field)))}
          >
            {withdrawing ? "Withdrawing…" : "Withdraw decision"}
          </Button>
        )}
        <Button type="button" variant="ghost" onClick={onClose}>
          Close
        </Button>
      </div>
      {result && (
        <p role={result.ok ? "status" : "alert"} className={`text-sm ${result.ok ? "text-emerald-700" : "text-red-600"}`}>
          {result.ok ? result.message : result.error}
        </p>
      )}
    </form>
  );
}
