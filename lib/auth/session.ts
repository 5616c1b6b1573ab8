import { createHash, randomBytes } from "node:crypto";
import { prisma } from "@/lib/db/prisma";
import type { Role } from "./roles";

export const SESSION_COOKIE = "unify_session";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** A session unused for this long ends (UNIFY_SESSION_IDLE_MINUTES, default 30), whatever its 12-hour limit. */
export function sessionIdleMs(): number {
  const raw = process.env.UNIFY_SESSION_IDLE_MINUTES ?? "30";
  const minutes = Number(raw);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`UNIFY_SESSION_IDLE_MINUTES must be a positive number of minutes (got "${raw}")`);
  return minutes * 60_000;
}

// Remembering each use costs a write: at most one per session per minute.
const SEEN_RESOLUTION_MS = 60_000;

export interface SessionOperator {
  id: number;
  email: string;
  name: string;
  roles: Role[];
}

// Only a hash of the token is stored, so a leaked sessions table opens no session.
function tokenId(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createSession(
  operatorId: number,
  meta: { ip?: string | null; userAgent?: string | null } = {},
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await prisma().session.create({
    data: { id: tokenId(token), operatorId, expiresAt, ip: meta.ip ?? null, userAgent: meta.userAgent ?? null },
  });
  return { token, expiresAt };
}

/** The active operator behind a session token, or null (expired, unknown, disabled). */
export async function operatorForSession(token: string | undefined): Promise<SessionOperator | null> {
  if (!token) return null;
  const session = await prisma().session.findUnique({
    where: { id: tokenId(token) },
    include: { operator: { select: { id: true, email: true, name: true, roles: true, disabledAt: true } } },
  });
  const now = Date.now();
  if (!session || session.expiresAt.getTime() <= now || session.operator.disabledAt) return null;
  if (now - session.lastSeenAt.getTime() > sessionIdleMs()) {
    await prisma().session.deleteMany({ where: { id: session.id } });
    return null;
  }
  if (now - session.lastSeenAt.getTime() > SEEN_RESOLUTION_MS) {
    await prisma().session.update({ where: { id: session.id }, data: { lastSeenAt: new Date(now) } });
  }
  const { id, email, name, roles } = session.operator;
  return { id, email, name, roles };
}

export async function deleteSession(token: string): Promise<void> {
  await prisma().session.deleteMany({ where: { id: tokenId(token) } });
}
