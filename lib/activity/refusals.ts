import { prisma } from "@/lib/db/prisma";
import { recordActivity, type ActivityInput } from "./log";

/**
 * Calls without a session are refused every time, but a client cannot fill the activity log with
 * them: at most ANONYMOUS_REFUSALS_PER_MINUTE are written per client address in any minute, then
 * one entry saying the client's further refusals are not logged one by one, then nothing until the
 * minute since its earlier entries has passed.
 */
export const ANONYMOUS_REFUSALS_PER_MINUTE = 20;
export const REFUSALS_WINDOW_MS = 60_000;
export const REFUSALS_THROTTLED = "activity.refusals_throttled";

export type RefusalLogging = "logged" | "summarised" | "not logged";

export async function recordAnonymousRefusal(entry: Omit<ActivityInput, "actor" | "outcome">): Promise<RefusalLogging> {
  const ip = entry.ip ?? null;
  return prisma().$transaction(async (tx) => {
    // Serialises one client's refusals, so concurrent calls cannot overshoot the limit.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`unify-refusals:${ip ?? ""}`}, 0))`;
    const recent = await tx.activityEntry.count({
      where: { actorId: null, actorEmail: null, outcome: "denied", ip, at: { gte: new Date(Date.now() - REFUSALS_WINDOW_MS) } },
    });
    if (recent > ANONYMOUS_REFUSALS_PER_MINUTE) return "not logged";
    if (recent === ANONYMOUS_REFUSALS_PER_MINUTE) {
      await recordActivity(
        {
          actor: { id: null, email: null },
          action: REFUSALS_THROTTLED,
          target: null,
          outcome: "denied",
          detail: { limit: ANONYMOUS_REFUSALS_PER_MINUTE, windowSeconds: REFUSALS_WINDOW_MS / 1000, note: "further calls without a session from this client are refused but not logged one by one" },
          ip,
        },
        tx,
      );
      return "summarised";
    }
    await recordActivity({ ...entry, actor: { id: null, email: null }, outcome: "denied", ip }, tx);
    return "logged";
  });
}
