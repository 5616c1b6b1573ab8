"use client";

import { useActionState, useState } from "react";
import { dropArchiveAction } from "@/lib/actions/archive";
import type { ActionResult } from "@/lib/auth/current";
import { Button } from "@/components/ui/button";

/** Drops the archive for good, confirmed by typing the archive schema's name; disabled (with why) before the retention date. */
export function DropArchiveForm({ word, allowed, reason }: { word: string; allowed: boolean; reason: string }) {
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(dropArchiveAction, null);
  const [typed, setTyped] = useState("");
  return (
    <form action={action} className="flex flex-wrap items-end gap-3">
      <label className="block text-sm font-medium text-slate-700">
        Type <span className="font-mono">{word}</span> to confirm
        <input
          name="confirmation"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          disabled={!allowed}
          className="mt-1 block w-56 rounded-md border border-slate-300 bg-surface px-3 py-2 text-sm shadow-sm focus:border-red-500 focus:outline-none focus:ring-1 focus:ring-red-500 disabled:bg-slate-50"
        />
      </label>
      <Button type="submit" variant="danger" disabled={!allowed || pending || typed.trim() !== word}>
        {pending ? "Dropping…" : "Drop the archive"}
      </Button>
      <p className="basis-full text-sm text-slate-600">{reason}</p>
      {state && (
        <p role={state.ok ? "status" : "alert"} className={`basis-full text-sm ${state.ok ? "text-emerald-700" : "text-red-600"}`}>
          {state.ok ? state.message : state.error}
        </p>
      )}
    </form>
  );
}
