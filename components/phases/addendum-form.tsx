"use client";

import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { approveAddendumAction } from "@/lib/actions/phases";
import type { ActionResult } from "@/lib/auth/current";

/** A lead's approval of loading the new scorecard tables; the checksum ties it to the plan on screen. */
export function AddendumApproveForm({ checksum }: { checksum: string }) {
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(approveAddendumAction, null);
  // Controlled, so a refused approval keeps what was typed.
  const [comment, setComment] = useState("");
  const error = state && !state.ok ? state.error : null;
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="checksum" value={checksum} />
      <div>
        <label htmlFor="addendum-comment" className="block text-sm font-medium text-slate-700">
          Comment
        </label>
        <textarea
          id="addendum-comment"
          name="comment"
          rows={2}
          maxLength={2000}
          placeholder="What you checked"
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          aria-describedby={error ? "addendum-error" : undefined}
          className="mt-1 block w-full rounded-md border border-slate-300 bg-surface px-3 py-2 text-sm shadow-sm placeholder:text-slate-600 focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500"
        />
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" disabled={pending}>
          Approve loading
        </Button>
        {error && (
          <p id="addendum-error" role="alert" className="text-sm text-red-700">
            {error}
          </p>
        )}
        {state?.ok && <p role="status" className="text-sm text-emerald-700">{state.message}</p>}
      </div>
    </form>
  );
}
