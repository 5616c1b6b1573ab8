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

// PostgreSQL text and jsonb cannot hold a NUL byte; the log records what was sent, written visibly.
const visible = (text: string | null | undefined) => (text == null ? null : text.replace(/\u0000/g, "\\0"));

/** Appends one entry to the activity log (inside `db`'s transaction when given); the table refuses updates and deletes. */
export async function recordActivity(entry: ActivityInput, db: Prisma.TransactionClient = prisma()): Promise<void> {
  await db.activityEntry.create({
    data: {
      actorId: entry.actor.id,
      actorEmail: visible(entry.actor.email),
      action: entry.action,
      target: visible(entry.target),
      outcome: entry.outcome,
      detail: entry.detail === undefined ? undefined : JSON.parse(JSON.stringify(entry.detail).replace(/\\u0000/g, "\\\\0")),
      ip: visible(entry.ip),
    },
  });
}

export const ACTIVITY_PAGE_SIZE = 50;

/** Counting stops here: past it the page says "more than 10,000", and counting costs nothing more. */
const COUNT_CAP = 10_000;

/**
 * One page of the log, newest first, by keyset: `before` is the id of the last entry already
 * shown (the primary key serves the order, so a page costs the same at any depth).
 */
export async function listActivity(filter: { before?: bigint; action?: string; outcome?: Outcome; actor?: string } = {}) {
  const matching = {
    ...(filter.action ? { action: { startsWith: filter.action } } : {}),
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.actor ? { actorEmail: { contains: filter.actor.trim().toLowerCase() } } : {}),
  };
  const where = { ...matching, ...(filter.before !== undefined ? { id: { lt: filter.before } } : {}) };
  const [rows, counted] = await Promise.all([
    prisma().activityEntry.findMany({ where, orderBy: { id: "desc" }, take: ACTIVITY_PAGE_SIZE + 1 }),
    prisma().activityEntry.count({ where: matching, take: COUNT_CAP + 1 }),
  ]);
  const entries = rows.slice(0, ACTIVITY_PAGE_SIZE);
  return {
    entries,
    total: Math.min(counted, COUNT_CAP),
    totalCapped: counted > COUNT_CAP,
    older: rows.length > ACTIVITY_PAGE_SIZE ? entries[entries.length - 1]!.id : null,
  };
}
