"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import { Button } from "@/components/ui/button";
import { runValidationAction } from "@/lib/actions/validation";
import type { ActionResult } from "@/lib/auth/current";

const select =
  "mt-1 block rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500";

/** Admins and leads start a suite; the browser goes to its report, which follows it live. */
export function RunValidationForm({ phases }: { phases: { number: number; title: string }[] }) {
  const router = useRouter();
  const [state, action, pending] = useActionState<ActionResult<{ id: number }> | null, FormData>(runValidationAction, null);
  useEffect(() => {
    if (state?.ok && state.data) router.push(`/validation/${state.data.id}`);
  }, [state, router]);
  return (
    <form action={action} className="flex flex-wrap items-end gap-3">
      <div>
        <label htmlFor="validation-phase" className="block text-sm font-medium text-slate-700">Phase</label>
        <select id="validation-phase" name="phase" className={select} defaultValue={phases[0]?.number}>
          {phases.map((p) => (
            <option key={p.number} value={p.number}>
              {p.number} · {p.title}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="validation-kind" className="block text-sm font-medium text-slate-700">Suite</label>
        <select id="validation-kind" name="kind" className={select} defaultValue="preflight">
          <option value="preflight">Pre-flight (legacy data quality)</option>
          <option value="post_run">Post-run (nothing lost)</option>
        </select>
      </div>
      <Button type="submit" disabled={pending}>Run validation</Button>
      {state && !state.ok && (
        <p role="alert" className="text-sm text-red-700">{state.error}</p>
      )}
    </form>
  );
}
