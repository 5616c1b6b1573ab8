"use client";

import { useQuery } from "@tanstack/react-query";
import type { RunProgress } from "@/lib/engine/progress";

async function fetchRun(id: number): Promise<RunProgress> {
  const response = await fetch(`/api/runs/${id}`, { cache: "no-store" });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error ?? `The server answered ${response.status}`);
  return body as RunProgress;
}

/** How often to poll: every second while work happens, slowly while paused, not at all once done. */
function pollEvery(status: string | undefined): number | false {
  if (status === "queued" || status === "running") return 1000;
  if (status === "paused") return 5000;
  return false;
}

/**
 * A run's progress, starting from what the server rendered and polled while the run is active.
 * Components that show the same run share one query, so one request feeds them all. The server's
 * status is part of the key: a re-render after an action starts from the server's fresh state.
 */
export function useRunProgress(initial: RunProgress | null) {
  return useQuery({
    queryKey: ["run", initial?.id ?? null, initial?.status ?? null],
    queryFn: () => fetchRun(initial!.id),
    initialData: initial ?? undefined,
    enabled: initial !== null,
    refetchInterval: (query) => pollEvery(query.state.data?.status),
  });
}
