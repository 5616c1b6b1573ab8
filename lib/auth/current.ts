import "server-only";
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { recordAnonymousRefusal } from "@/lib/activity/refusals";
import { CLIENT_ADDRESS_HEADER } from "@/lib/http/client-address";
import { authorize, ForbiddenError } from "./authorize";
import { rolesAllowed, type Permission } from "./permissions";
import { hasAnyRole, rolesFor, type AreaHref, type Role } from "./roles";
import { operatorForSession, SESSION_COOKIE, type SessionOperator } from "./session";

/**
 * The caller's address as the console's HTTP server determined it from the socket (through a
 * trusted proxy only when UNIFY_TRUSTED_PROXY names it, lib/http/client-address.ts); what the
 * client itself claims in X-Forwarded-For is never read here.
 */
export async function requestMeta(): Promise<{ ip: string | null; userAgent: string | null }> {
  const h = await headers();
  return { ip: h.get(CLIENT_ADDRESS_HEADER) || null, userAgent: h.get("user-agent") };
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
  | {
      ok: false;
      status: 400 | 401 | 403 | 409 | 500;
      error: string;
      fieldErrors?: Record<string, string>;
      /** What was typed (never a password), so a form shown again keeps it. */
      values?: Record<string, string | string[]>;
    };

export type Guarded = { ok: true; operator: SessionOperator } | Extract<ActionResult, { ok: false }>;

/**
 * For server actions, before they parse input: the caller's session (401 without one) and the
 * same permission check the lib function repeats (403), each refusal written to the activity log
 * once (calls without a session: at most a few per client a minute, lib/activity/refusals.ts). The lib function stays the authority: the CLI reaches it without passing here.
 */
export async function guardAction(action: Permission, target?: string): Promise<Guarded> {
  const operator = await currentOperator();
  const { ip } = await requestMeta();
  if (!operator) {
    await recordAnonymousRefusal({ action, target: target ?? null, detail: { required: [...rolesAllowed(action)], held: [] }, ip });
    return { ok: false, status: 401, error: "Your session has ended: sign in again" };
  }
  try {
    await authorize(operator, action, target ?? null, ip);
  } catch (error) {
    if (error instanceof ForbiddenError) return { ok: false, status: 403, error: "Your role does not allow this action" };
    throw error;
  }
  return { ok: true, operator };
}
