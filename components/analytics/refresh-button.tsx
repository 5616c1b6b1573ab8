"use client";

import { useQueryClient } from "@tanstack/react-query";
import { ActionButton } from "@/components/ui/action-button";
import { refreshAnalyticsAction } from "@/lib/actions/analytics";

/** An admin's "refresh now": queued for the worker; the page's figures refetch afterwards. */
export function RefreshButton() {
  const client = useQueryClient();
  return (
    <ActionButton
      action={refreshAnalyticsAction}
      label="Refresh now"
      pendingLabel="Queuing…"
      done="Queued"
      onDone={() => setTimeout(() => void client.invalidateQueries({ queryKey: ["analytics"] }), 3000)}
    />
  );
}
