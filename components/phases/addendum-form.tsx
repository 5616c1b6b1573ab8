"use client";

import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { approveAddendumAction } from "@/lib/actions/phases";
import type { ActionResult } from "@/lib/auth/current";
import { CommentField } from "./comment-field";

/** A lead's approval of loading the new scorecard tables; the checksum ties it to the plan on screen. */
export function AddendumApproveForm({ checksum }: { checksum: string }) {
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(approveAddendumAction, null);
  // Controlled, so a refused approval keeps what was typed.
  const [comment, setComment] = useState("");
  const error = state && !state.ok ? state.error : null;
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="checksum" value={checksum} />
      <CommentField id="addendum-comment" placeholder="What you checked" value={comment} onChange={setComment} describedBy={error ? "addendum-error" : undefined} />
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
