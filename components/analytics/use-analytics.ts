"use client";

import { useQuery } from "@tanstack/react-query";
import { viewKey, type AnalyticsViewName } from "@/lib/analytics/keys";
import type { Loaded } from "@/lib/analytics/types";

/** A view's data: hydrated from the server's prefetch on first render, then fetched from /api/analytics. */
export function useAnalytics<T>(view: AnalyticsViewName, query: string) {
  const params = new URLSearchParams(query);
  return useQuery<Loaded<T>>({
    queryKey: viewKey(view, params),
    queryFn: async () => {
      const response = await fetch(`/api/analytics/${view}?${params.toString()}`, { cache: "no-store" });
      if (!response.ok) throw new Error(((await response.json().catch(() => null)) as { error?: string } | null)?.error ?? `The server answered ${response.status}`);
      return (await response.json()) as Loaded<T>;
    },
    staleTime: 60_000,
  });
}
