"use client";

import { useEffect, useState } from "react";
import { formatCount, formatFreshness } from "@/lib/analytics/format";
import type { Freshness } from "@/lib/analytics/types";

/** "as of 10:00 UTC, 14 min ago", kept current every minute, with what is waiting for the next refresh. */
export function FreshnessLabel({ freshness }: { freshness: Freshness }) {
  const [now, setNow] = useState<Date | null>(null);
  useEffect(() => {
    // The server's render says "as of" against its own clock; the browser's takes over once mounted.
    const first = setTimeout(() => setNow(new Date()), 0);
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, []);
  if (!freshness.asOf) return <p className="text-sm text-slate-500" data-testid="freshness">Not refreshed yet</p>;
  return (
    <p className="text-sm text-slate-600" data-testid="freshness">
      <span className="font-medium text-slate-800">Figures {formatFreshness(freshness.asOf, now ?? new Date(freshness.asOf))}</span>
      {freshness.refreshing ? " · refreshing now" : ""}
      {freshness.pendingChanges > 0 ? ` · ${formatCount(freshness.pendingChanges)} changed groups wait for the next refresh` : ""}
    </p>
  );
}
