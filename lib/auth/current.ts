import "server-only";
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { recordActivity } from "@/lib/activity/log";
import { hasAnyRole, rolesFor, type AreaHref, type Role } from "./roles";
import { operatorForSession, SESSION_COOKIE, type SessionOperator } from "./session";

export async function requestMeta(): Promise<{ ip: string | null; userAgent: string | null }> {
  const h = await headers();
  const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  return { ip: forwarded || h.get("x-real-ip") || null, userAgent: h.get("user-agent") };
}

export async function currentOperator(): Promise<SessionOperator | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return operatorForSession(token);
}

/** For pages: no session → the login page; wrong role → the 403 page. */
export async function requireArea(href: AreaHref): Promise<SessionOperator> {
  return requireRole(rolesFor(href));
}

export async function requireRole(roles: readonly Role[]): Promise<SessionOperator> {
  const operator = await currentOperator();
  if (!operator) redirect("/login");
  if (!hasAnyRole(operator.roles, roles)) forbidden();
  return operator;
}

export type ActionResult<T = undefined> =
  | { ok: true; data?: T; message?: string }
  | { ok: false; status: 400 | 401 | 403 | 409 | 500; error: string; fieldErrors?: Record<string, string> };

export type Guarded = { ok: true; operator: SessionOperator } | Extract<ActionResult, { ok: false }>;

/**
 * For server actions: returns the caller when they hold one of `roles`; otherwise a 401/403 result,
 * and the refusal is written to the activity log.
 */
export async function guardAction(roles: readonly Role[], action: string, target?: string): Promise<Guarded> {
  const operator = await currentOperator();
  const { ip } = await requestMeta();
  if (operator && hasAnyRole(operator.roles, roles)) return { ok: true, operator };
  await recordActivity({
    actor: { id: operator?.id ?? null, email: operator?.email ?? null },
    action,
    target: target ?? null,
    outcome: "denied",
    detail: { required: [...roles], held: operator?.roles ?? [] },
    ip,
  });
  return operator
    ? { ok: false, status: 403, error: "Your role does not allow this action" }
    : { ok: false, status: 401, error: "Your session has ended: sign in again" };
}
