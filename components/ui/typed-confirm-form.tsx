"use client";

import { useActionState, useState } from "react";
import type { ActionResult } from "@/lib/auth/current";
import { Button } from "./button";

/**
 * A destructive action confirmed by typing a word: the button stays disabled until the word is
 * typed (case-insensitively when `ignoreCase`), the typed text is cleared on submit, and the
 * action's message or error shows below. `note` explains why the form is disabled, when it is.
 */
export function TypedConfirmForm<T = undefined>({ word, action, label, pendingLabel, ignoreCase = false, allowed = true, note, resultTestId, inputClassName = "w-48" }: {
  word: string;
  action: (state: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>;
  label: string;
  pendingLabel: string;
  ignoreCase?: boolean;
  allowed?: boolean;
  note?: string;
  resultTestId?: string;
  inputClassName?: string;
}) {
  const [state, formAction, pending] = useActionState<ActionResult<T> | null, FormData>(action, null);
  const [typed, setTyped] = useState("");
  const norm = (s: string) => (ignoreCase ? s.trim().toLowerCase() : s.trim());
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3" onSubmit={() => setTyped("")}>
      <label className="block text-sm font-medium text-slate-700">
        Type <span className="font-mono">{word}</span> to confirm
        <input
          name="confirmation"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          disabled={!allowed}
          className={`mt-1 block ${inputClassName} rounded-md border border-slate-300 bg-surface px-3 py-2 text-sm shadow-sm focus:border-red-500 focus:outline-none focus:ring-1 focus:ring-red-500 disabled:bg-slate-50`}
        />
      </label>
      <Button type="submit" variant="danger" disabled={!allowed || pending || norm(typed) !== norm(word)}>
        {pending ? pendingLabel : label}
      </Button>
      {note && <p className="basis-full text-sm text-slate-600">{note}</p>}
      {state && (
        <p role={state.ok ? "status" : "alert"} data-testid={resultTestId} className={`basis-full text-sm ${state.ok ? "text-emerald-700" : "text-red-600"}`}>
          {state.ok ? state.message : state.error}
        </p>
      )}
    </form>
  );
}
