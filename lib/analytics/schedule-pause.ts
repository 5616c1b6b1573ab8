import type pg from "pg";
import { recordActivity } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { pool } from "@/lib/db/pool";

/**
 * The scheduled jobs that write to unified tables — the analytics refresh — can be paused: "Roll
 * back to legacy" pauses them (readers are back on the legacy tables, so nothing should keep
 * rewriting unified ones behind them), and an admin resumes them in Settings. While paused the
 * schedule still fires and the worker skips it; an admin's "refresh now" still runs.
 */
export interface SchedulePause {
  pausedAt: Date;
  pausedBy: string;
  reason: string;
}

export async function schedulePause(db: Pick<pg.ClientBase, "query"> = pool()): Promise<SchedulePause | null> {
  const { rows } = await db.query<SchedulePause>(
    `SELECT paused_at AS "pausedAt", paused_by AS "pausedBy", paused_reason AS reason FROM console.analytics_settings WHERE paused_at IS NOT NULL`,
  );
  return rows[0] ?? null;
}

/**
 * Pauses the schedule inside the caller's transaction (the caller has authorized the action that
 * pauses it). True if this call paused it, false if it was already paused (the first pause stays).
 */
export async function pauseScheduleIn(db: Pick<pg.ClientBase, "query">, actor: Principal, reason: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE console.analytics_settings SET paused_at = now(), paused_by = $1, paused_reason = $2 WHERE paused_at IS NULL`,
    [actor.email ?? "unknown", reason],
  );
  return (rowCount ?? 0) > 0;
}

/** An admin resumes the schedule; the next scheduled refresh catches up on every change since. */
export async function resumeSchedule(actor: Principal): Promise<boolean> {
  await authorize(actor, "analytics.configure", "resume the schedule");
  const { rows } = await pool().query<{ pausedBy: string; reason: string }>(
    `UPDATE console.analytics_settings s SET paused_at = NULL, paused_by = NULL, paused_reason = NULL, updated_by = $1, updated_at = now()
       FROM (SELECT paused_by, paused_reason FROM console.analytics_settings WHERE paused_at IS NOT NULL FOR UPDATE) old
      RETURNING old.paused_by AS "pausedBy", old.paused_reason AS reason`,
    [actor.email ?? "unknown"],
  );
  const was = rows[0];
  if (!was) return false;
  await recordActivity({ actor, action: "analytics.resume_schedule", target: "scheduled refresh", outcome: "ok", detail: { pausedBy: was.pausedBy, reason: was.reason } });
  return true;
}
