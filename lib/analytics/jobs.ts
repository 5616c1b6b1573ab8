import { recordActivity } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { pool } from "@/lib/db/pool";
import { ensureQueue, queue } from "@/lib/engine/queue";
import { REFRESH_LOCK, RefreshRunningError, summariesExist, AnalyticsNotReadyError } from "./refresh";

/** The refresh job's queue: the schedule (pg-boss cron) and an admin's "refresh now" both send to it. */
export const ANALYTICS_QUEUE = "unify-analytics-refresh";
export const REFRESH_INTERVALS = [15, 30, 60, 120, 360, 720, 1440] as const;
export type RefreshInterval = (typeof REFRESH_INTERVALS)[number];

export interface RefreshJob {
  reason: "schedule" | "admin";
  requestedBy: string;
}

/** Every `minutes` minutes, on the hour's boundaries (UTC). */
export function cronFor(minutes: RefreshInterval): string {
  if (minutes < 60) return `*/${minutes} * * * *`;
  if (minutes === 60) return "0 * * * *";
  if (minutes === 1440) return "0 0 * * *";
  return `0 */${minutes / 60} * * *`;
}

export async function refreshInterval(): Promise<RefreshInterval> {
  const { rows } = await pool().query<{ minutes: number }>(`SELECT refresh_minutes AS minutes FROM console.analytics_settings`);
  const minutes = rows[0]?.minutes ?? 60;
  return (REFRESH_INTERVALS as readonly number[]).includes(minutes) ? (minutes as RefreshInterval) : 60;
}

/** (Re)states the schedule in pg-boss from the setting; the worker calls it at start, Settings after a change. */
export async function applySchedule(): Promise<void> {
  const boss = await queue();
  await ensureQueue(boss, ANALYTICS_QUEUE);
  await boss.schedule(ANALYTICS_QUEUE, cronFor(await refreshInterval()), { reason: "schedule", requestedBy: "system" } satisfies RefreshJob, { tz: "UTC", singletonKey: "analytics-refresh" });
}

/** True while a refresh holds the lock (in any process). */
export async function refreshRunning(): Promise<boolean> {
  const { rows } = await pool().query<{ running: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND granted) AS running`,
    [REFRESH_LOCK[0] >>> 0, REFRESH_LOCK[1]],
  );
  return rows[0]?.running ?? false;
}

/** An admin's "refresh now": queued for the worker, refused while one runs or before Phase 4. */
export async function requestRefresh(actor: Principal): Promise<void> {
  await authorize(actor, "analytics.refresh", "incremental");
  if (!(await summariesExist())) throw new AnalyticsNotReadyError("There is nothing to refresh before Phase 4 has run: run Phase 4 on the Phases page");
  if (await refreshRunning()) throw new RefreshRunningError("A refresh is running now: its figures will be on the page when it ends");
  const boss = await queue();
  await ensureQueue(boss, ANALYTICS_QUEUE);
  await boss.send(ANALYTICS_QUEUE, { reason: "admin", requestedBy: actor.email ?? "admin" } satisfies RefreshJob, { singletonKey: "analytics-refresh-now", retryLimit: 1 });
  await recordActivity({ actor, action: "analytics.refresh", target: "incremental", outcome: "ok" });
}

export async function setRefreshInterval(actor: Principal, minutes: RefreshInterval): Promise<void> {
  await authorize(actor, "analytics.configure", String(minutes));
  await pool().query(`UPDATE console.analytics_settings SET refresh_minutes = $1, updated_by = $2, updated_at = now()`, [minutes, actor.email]);
  await applySchedule();
  await recordActivity({ actor, action: "analytics.configure", target: `every ${minutes} minutes`, outcome: "ok" });
}
