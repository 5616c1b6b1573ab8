import { prisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";

export type Outcome = "ok" | "denied" | "failed";

export interface Actor {
  id: number | null;
  email: string | null;
}

/**
 * The installation itself (first-start bootstrap, tests that drive the engine directly): it holds
 * every role, and what it does is logged as "system".
 */
export const SYSTEM_ACTOR: Actor & { roles: readonly ("admin" | "lead" | "analyst")[] } = { id: null, email: "system", roles: ["admin", "lead", "analyst"] };

export interface ActivityInput {
  actor: Actor;
  action: string;
  target?: string | null;
  outcome: Outcome;
  detail?: Prisma.InputJsonValue;
  ip?: string | null;
}

/** Appends one entry to the activity log; the table refuses updates and deletes. */
export async function recordActivity(entry: ActivityInput): Promise<void> {
  await prisma().activityEntry.create({
    data: {
      actorId: entry.actor.id,
      actorEmail: entry.actor.email,
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome,
      detail: entry.detail,
      ip: entry.ip ?? null,
    },
  });
}

export const ACTIVITY_PAGE_SIZE = 50;

export async function listActivity(page: number, filter: { action?: string } = {}) {
  const where = filter.action ? { action: { startsWith: filter.action } } : {};
  const [entries, total] = await Promise.all([
    prisma().activityEntry.findMany({
      where,
      orderBy: { id: "desc" },
      skip: Math.max(0, page - 1) * ACTIVITY_PAGE_SIZE,
      take: ACTIVITY_PAGE_SIZE,
    }),
    prisma().activityEntry.count({ where }),
  ]);
  return { entries, total, page, pages: Math.max(1, Math.ceil(total / ACTIVITY_PAGE_SIZE)) };
}
