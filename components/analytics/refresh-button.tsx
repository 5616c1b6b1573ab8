"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { refreshAnalyticsAction } from "@/lib/actions/analytics";

/** An admin's "refresh now": queued for the worker; the page's figures refetch afterwards. */
export function RefreshButton() {
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const client = useQueryClient();
  return (
    <div className="flex items-center gap-3">
      {message && <span role="status" className="text-sm text-slate-600">{message}</span>}
      <Button
        variant="secondary"
        disabled={pending}
        onClick={() =>
          start(async () => {
            const result = await refreshAnalyticsAction();
            setMessage(result.ok ? (result.message ?? "Queued") : result.error);
            if (result.ok) setTimeout(() => void client.invalidateQueries({ queryKey: ["analytics"] }), 3000);
          })
        }
      >
        {pending ? "Queuing…" : "Refresh now"}
      </Button>
    </div>
  );
}
