"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { recordActivity } from "@/lib/activity/log";
import { guardAction, type ActionResult } from "@/lib/auth/current";
import { REFRESH_INTERVALS, requestRefresh, setRefreshInterval, type RefreshInterval } from "@/lib/analytics/jobs";
import { resumeSchedule } from "@/lib/analytics/schedule-pause";

/** An admin's "refresh now": queued for the worker; one already running is a clear 409. */
export async function refreshAnalyticsAction(): Promise<ActionResult> {
  const guard = await guardAction("analytics.refresh", "incremental");
  if (!guard.ok) return guard;
  try {
    await requestRefresh(guard.operator);
  } catch (error) {
    if (!(error as { expected?: boolean }).expected) throw error;
    await recordActivity({ actor: guard.operator, action: "analytics.refresh", target: "incremental", outcome: "failed", detail: { error: (error as Error).message } });
    return { ok: false, status: 409, error: (error as Error).message };
  }
  revalidatePath("/analytics");
  return { ok: true, message: "Refresh queued: the figures update when it ends" };
}

const interval = z.coerce
  .number()
  .refine((n): n is RefreshInterval => (REFRESH_INTERVALS as readonly number[]).includes(n), "Choose one of the listed intervals");

/** Settings: how often the scheduled refresh runs. */
export async function setRefreshIntervalAction(_: ActionResult | null, form: FormData): Promise<ActionResult> {
  const guard = await guardAction("analytics.configure", String(form.get("minutes") ?? ""));
  if (!guard.ok) return guard;
  const parsed = interval.safeParse(form.get("minutes"));
  if (!parsed.success) return { ok: false, status: 400, error: parsed.error.issues[0]?.message ?? "Choose an interval", fieldErrors: { minutes: "Choose an interval" } };
  await setRefreshInterval(guard.operator, parsed.data as RefreshInterval);
  revalidatePath("/settings");
  return { ok: true, message: `The analytics refresh every ${parsed.data} minutes` };
}

/** Settings: resume the scheduled refresh that "Roll back to legacy" paused. */
export async function resumeScheduleAction(): Promise<ActionResult> {
  const guard = await guardAction("analytics.configure", "resume the schedule");
  if (!guard.ok) return guard;
  const resumed = await resumeSchedule(guard.operator);
  revalidatePath("/settings");
  return { ok: true, message: resumed ? "The scheduled refresh runs again: the next one catches up on every change" : "The schedule was not paused" };
}
