"use client";

import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/current";
import { Button } from "./button";

/**
 * A button that calls one server action with no input and says how it went beside it: the
 * action's message (or `done`) on success, its error otherwise. `onDone` runs after a success.
 */
export function ActionButton({ action, label, pendingLabel, done, onDone, disabled = false }: {
  action: () => Promise<ActionResult>;
  label: string;
  pendingLabel: string;
  /** What to say when the action succeeds without a message of its own. */
  done: string;
  onDone?: () => void;
  disabled?: boolean;
}) {
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  return (
    <div className="flex items-center gap-3">
      {message && <span role="status" className="text-sm text-slate-600">{message}</span>}
      <Button
        variant="secondary"
        disabled={pending || disabled}
        onClick={() =>
          start(async () => {
            const result = await action();
            setMessage(result.ok ? (result.message ?? done) : result.error);
            if (result.ok) onDone?.();
          })
        }
      >
        {pending ? pendingLabel : label}
      </Button>
    </div>
  );
}
