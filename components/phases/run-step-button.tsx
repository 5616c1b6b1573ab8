"use client";

import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { runStepAction } from "@/lib/actions/phases";

/** Runs one step again (an admin's tool, e.g. to apply leads' overrides with the merge step). */
export function RunStepButton({ phase, stepId, disabled, label }: {
  phase: number;
  stepId: string;
  disabled: boolean;
  /** Visible text that names the step itself (e.g. "Re-run merge step"); "Run step" otherwise. */
  label?: string;
}) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        variant="secondary"
        className="px-2 py-1 text-xs"
        disabled={disabled || pending}
        aria-label={label ? undefined : `Run step ${stepId}`}
        onClick={() =>
          start(async () => {
            const result = await runStepAction(phase, stepId);
            setError(result.ok ? null : result.error);
          })
        }
      >
        {pending ? "Queuing…" : (label ?? "Run step")}
      </Button>
      {error && (
        <p role="alert" className="max-w-56 whitespace-normal text-right text-xs text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
