"use client";

import { useState, useTransition } from "react";
import { recomputeInventoryAction } from "@/lib/actions/inventory";
import { Button } from "@/components/ui/button";

export function RecomputeButton() {
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  return (
    <div className="flex items-center gap-3">
      {message && <span role="status" className="text-sm text-slate-600">{message}</span>}
      <Button
        variant="secondary"
        disabled={pending}
        onClick={() =>
          start(async () => {
            const result = await recomputeInventoryAction();
            setMessage(result.ok ? (result.message ?? "Recounted") : result.error);
          })
        }
      >
        {pending ? "Counting…" : "Recount now"}
      </Button>
    </div>
  );
}
