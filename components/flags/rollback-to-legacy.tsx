"use client";

import { useActionState, useState } from "react";
import { rollbackToLegacyAction } from "@/lib/actions/flags";
import type { ActionResult } from "@/lib/auth/current";
import { Button } from "@/components/ui/button";

type Result = ActionResult<{ durationMs: number; turnedOff: string[] }>;

/** "Roll back to legacy": every flag off at once, confirmed by typing the word; shows the measured time. */
export function RollbackToLegacy({ word }: { word: string }) {
  const [state, action, pending] = useActionState<Result | null, FormData>(rollbackToLegacyAction, null);
  const [typed, setTyped] = useState("");
  return (
    <form action={action} className="flex flex-wrap items-end gap-3" onSubmit={() => setTyped("")}>
      <label className="block text-sm font-medium text-slate-700">
        Type <span className="font-mono">{word}</span> to confirm
        <input
          name="confirmation"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          className="mt-1 block w-48 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-red-500 focus:outline-none focus:ring-1 focus:ring-red-500"
        />
      </label>
      <Button type="submit" variant="danger" disabled={pending || typed.trim().toLowerCase() !== word}>
        {pending ? "Rolling back…" : "Roll back to legacy"}
      </Button>
      {state && (
        <p role={state.ok ? "status" : "alert"} data-testid="rollback-result" className={`basis-full text-sm ${state.ok ? "text-emerald-700" : "text-red-600"}`}>
          {state.ok ? state.message : state.error}
        </p>
      )}
    </form>
  );
}
