"use client";

import { useActionState, useRef, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { overrideConflictAction, withdrawOverrideAction } from "@/lib/actions/phases";
import type { ActionResult } from "@/lib/auth/current";
import { DecisionReason } from "./decision-reason";

export interface OverrideTarget {
  emailNormalized: string;
  /** The employee field the override sets. */
  overrideField: string;
  chosenValue: string | null;
  alternativeValue: string | null;
  current: string | null;
}

/** A lead picks the recorded value the merge should use for this person's field, or types one. */
export function OverrideForm({ target, onClose }: { target: OverrideTarget; onClose: () => void }) {
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(overrideConflictAction, null);
  const [withdrawn, setWithdrawn] = useState<ActionResult | null>(null);
  const [withdrawing, startWithdraw] = useTransition();
  const recorded = [
    { label: "Keep the rule's choice", value: target.chosenValue },
    { label: "Use the alternative", value: target.alternativeValue },
  ].filter((o): o is { label: string; value: string } => o.value !== null && o.value !== "");
  const matches = recorded.find((o) => o.value === target.current);
  // Uncontrolled on purpose: after a save React resets the form to these defaults, which then
  // describe the override just recorded.
  const checked = target.current === null ? (recorded.at(-1) ? `recorded:${recorded.at(-1)!.value}` : "other") : matches ? `recorded:${matches.value}` : "other";
  const other = useRef<HTMLInputElement>(null);
  const id = `override-${target.emailNormalized}-${target.overrideField}`;
  return (
    <form action={action} onSubmit={() => setWithdrawn(null)} aria-label={`Override ${target.overrideField} of ${target.emailNormalized}`} className="space-y-3">
      <input type="hidden" name="emailNormalized" value={target.emailNormalized} />
      <input type="hidden" name="field" value={target.overrideField} />
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">
          Value of <span className="font-mono">{target.overrideField}</span> for {target.emailNormalized}
        </legend>
        <div className="mt-2 flex flex-wrap items-center gap-x-5 gap-y-2">
          {recorded.map((o) => (
            <label key={o.label} className="flex items-center gap-2 text-sm text-slate-700">
              <input
                type="radio"
                name="choice"
                value={`recorded:${o.value}`}
                defaultChecked={checked === `recorded:${o.value}`}
              />
              {o.label}: <span className="font-medium">{o.value}</span>
            </label>
          ))}
          <span className="flex items-center gap-2">
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input ref={other} type="radio" name="choice" value="other" defaultChecked={checked === "other"} />
              Another value
            </label>
            <input
              name="other"
              aria-label="Typed value"
              defaultValue={matches || target.current === null ? "" : target.current}
              onFocus={() => {
                if (other.current) other.current.checked = true;
              }}
              className="w-56 rounded-md border border-slate-300 px-2 py-1 text-sm focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500"
            />
          </span>
        </div>
      </fieldset>
      <div className="flex flex-wrap items-end gap-3">
        <DecisionReason id={`${id}-comment`} placeholder="e.g. confirmed with HR" />
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save override"}
        </Button>
        {target.current !== null && (
          <Button
            type="button"
            variant="secondary"
            disabled={pending || withdrawing}
            onClick={() => startWithdraw(async () => setWithdrawn(await withdrawOverrideAction(target.emailNormalized, target.overrideField)))}
          >
            {withdrawing ? "Withdrawing…" : "Withdraw override"}
          </Button>
        )}
        <Button type="button" variant="ghost" onClick={onClose}>
          Close
        </Button>
      </div>
      {(withdrawn ?? state) && (
        <p role={(withdrawn ?? state)!.ok ? "status" : "alert"} className={`text-sm ${(withdrawn ?? state)!.ok ? "text-emerald-700" : "text-red-600"}`}>
          {message(withdrawn ?? state!)}
        </p>
      )}
    </form>
  );
}

function message(result: ActionResult): string | undefined {
  return result.ok ? result.message : result.error;
}
