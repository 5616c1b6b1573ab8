"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { runPreflightAction } from "@/lib/actions/validation";
import type { ActionResult } from "@/lib/auth/current";

/** Queues the phase's pre-flight suite; the panel follows the report until it is in. */
export function RunPreflightButton({ phase, again }: { phase: number; again: boolean }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<{ id: number }> | null>(null);
  return (
    <span className="flex items-center gap-2">
      <Button
        variant="secondary"
        className="px-2.5 py-1 text-xs"
        disabled={pending}
        onClick={() =>
          start(async () => {
            const answer = await runPreflightAction(phase);
            setResult(answer);
            if (answer.ok) router.refresh();
          })
        }
      >
        {again ? "Run pre-flight again" : "Run pre-flight suite"}
      </Button>
      {result && !result.ok && <span role="alert" className="text-xs text-red-700">{result.error}</span>}
    </span>
  );
}
