import { recordActivity } from "@/lib/activity/log";
import { prisma } from "@/lib/db/prisma";
import { decoyHash, verifyPassword } from "./password";
import { createSession, type SessionOperator } from "./session";

/**
 * Sign-in limits, counted from the activity log's failed sign-ins (docs/security.md). Failures
 * lock an account out only for the client that made them, so nobody else can lock an operator
 * out with five wrong passwords; a looser limit per account across all clients stops a guesser
 * with many addresses, and one per client across all accounts stops a sweep over many emails.
 */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_ACCOUNT_AND_CLIENT = 5;
export const ACCOUNT_WINDOW_MS = 60 * 60 * 1000;
export const MAX_FAILURES_PER_ACCOUNT = 50;
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

type FailureScope = { target: string } | { target: string; ip: string | null } | { ip: string };

/** When the failures in `scope` since `after` fall below `limit` again, or null when they are below it now. */
async function limitedUntil(scope: FailureScope, limit: number, windowMs: number, after = 0): Promise<number | null> {
  const recent = await prisma().activityEntry.findMany({
    where: { action: "auth.login", outcome: "failed", ...scope, at: { gte: new Date(Math.max(after, Date.now() - windowMs)) } },
    orderBy: { at: "desc" },
    take: limit,
    select: { at: true },
  });
  return recent.length >= limit ? recent[limit - 1]!.at.getTime() + windowMs : null;
}

/** A client is its address; sign-ins without one (the CLI on this machine) count as one client. */
async function assertNotRateLimited(email: string, ip: string | null): Promise<void> {
  // An admin's password reset clears the account's lockouts: failures before it do not count.
  const reset = await prisma().activityEntry.findFirst({
    where: { action: "operator.reset_password", outcome: "ok", target: email, at: { gte: new Date(Date.now() - ACCOUNT_WINDOW_MS) } },
    orderBy: { at: "desc" },
    select: { at: true },
  });
  const after = reset?.at.getTime() ?? 0;
  const until = await Promise.all([
    limitedUntil({ target: email, ip }, MAX_FAILURES_PER_ACCOUNT_AND_CLIENT, LOGIN_WINDOW_MS, after),
    limitedUntil({ target: email }, MAX_FAILURES_PER_ACCOUNT, ACCOUNT_WINDOW_MS, after),
    ip ? limitedUntil({ ip }, MAX_FAILURES_PER_IP, LOGIN_WINDOW_MS) : Promise.resolve(null),
  ]);
  const latest = Math.max(...until.map((t) => t ?? 0));
  if (latest > 0) throw new LoginRateLimitedError(Math.max(1, Math.ceil((latest - Date.now()) / 60_000)));
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
