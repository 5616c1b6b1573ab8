import { recordActivity } from "@/lib/activity/log";
import { prisma } from "@/lib/db/prisma";
import { decoyHash, verifyPassword } from "./password";
import { createSession, type SessionOperator } from "./session";

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_IP = 30;

export const WRONG_CREDENTIALS = "Email or password is incorrect";

export class LoginRateLimitedError extends Error {
  override name = "LoginRateLimitedError";
  constructor(readonly retryAfterMinutes: number) {
    super(`Too many failed sign-in attempts. Try again in ${retryAfterMinutes} minute${retryAfterMinutes === 1 ? "" : "s"}.`);
  }
}

export class WrongCredentialsError extends Error {
  override name = "WrongCredentialsError";
  constructor() {
    super(WRONG_CREDENTIALS);
  }
}

/** Failed sign-ins are counted from the activity log itself: one source of truth. */
async function assertNotRateLimited(email: string, ip: string | null): Promise<void> {
  const since = new Date(Date.now() - LOGIN_WINDOW_MS);
  const [byEmail, byIp] = await Promise.all([
    prisma().activityEntry.findMany({
      where: { action: "auth.login", outcome: "failed", target: email, at: { gte: since } },
      orderBy: { at: "asc" },
      select: { at: true },
    }),
    ip
      ? prisma().activityEntry.count({ where: { action: "auth.login", outcome: "failed", ip, at: { gte: since } } })
      : Promise.resolve(0),
  ]);
  if (byEmail.length >= MAX_FAILURES_PER_EMAIL || byIp >= MAX_FAILURES_PER_IP) {
    const oldest = byEmail[0]?.at.getTime() ?? Date.now();
    const minutes = Math.max(1, Math.ceil((oldest + LOGIN_WINDOW_MS - Date.now()) / 60_000));
    throw new LoginRateLimitedError(minutes);
  }
}

/**
 * Checks an operator's email and password: the rate limit first, every failure written to the
 * activity log. The console's sign-in and the CLI's `--as` both come through here.
 */
export async function verifyCredentials(
  rawEmail: string,
  password: string,
  meta: { ip?: string | null; userAgent?: string | null } = {},
): Promise<SessionOperator> {
  const email = rawEmail.trim().toLowerCase();
  const ip = meta.ip ?? null;
  await assertNotRateLimited(email, ip);
  const operator = await prisma().operator.findUnique({ where: { email } });
  const ok = operator
    ? await verifyPassword(operator.passwordHash, password)
    : await verifyPassword(await decoyHash(), password).then(() => false);
  if (!operator || !ok || operator.disabledAt) {
    await recordActivity({
      actor: { id: operator?.id ?? null, email },
      action: "auth.login",
      target: email,
      outcome: "failed",
      detail: { reason: !operator ? "unknown email" : !ok ? "wrong password" : "disabled" },
      ip,
    });
    throw new WrongCredentialsError();
  }
  await recordActivity({ actor: { id: operator.id, email }, action: "auth.login", target: email, outcome: "ok", ip, detail: meta.userAgent ? { via: meta.userAgent } : undefined });
  return { id: operator.id, email: operator.email, name: operator.name, roles: operator.roles };
}

/** The console's sign-in: verified credentials open a session. */
export async function login(
  rawEmail: string,
  password: string,
  meta: { ip?: string | null; userAgent?: string | null } = {},
): Promise<{ operator: SessionOperator; token: string; expiresAt: Date }> {
  const operator = await verifyCredentials(rawEmail, password, meta);
  const session = await createSession(operator.id, meta);
  return { operator, ...session };
}
