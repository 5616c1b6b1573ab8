import { prisma } from "@/lib/db/prisma";
import { refreshInterval } from "./jobs";

/** The last refreshes for the Analytics page and Settings: start, end, duration, groups, rows. */
export async function recentRefreshes(take = 8) {
  const rows = await prisma().analyticsRefresh.findMany({ orderBy: { id: "desc" }, take });
  return rows.map((r) => ({
    id: r.id,
    mode: r.mode,
    reason: r.reason,
    requestedBy: r.requestedBy,
    status: r.status,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    durationMs: r.durationMs,
    changes: r.changes,
    statisticsGroups: r.statisticsGroups,
    auditorMonths: r.auditorMonths,
    statisticsRows: r.statisticsRows === null ? null : Number(r.statisticsRows),
    performanceRows: r.performanceRows === null ? null : Number(r.performanceRows),
    error: r.error,
  }));
}

export type RefreshRow = Awaited<ReturnType<typeof recentRefreshes>>[number];

export { refreshInterval };

/** Phase 4's index review for the phase page. */
export async function indexEvidence() {
  const rows = await prisma().analyticsIndexEvidence.findMany({ orderBy: { query: "asc" } });
  return rows.map((r) => ({ ...r, capturedAt: r.capturedAt.toISOString() }));
}
