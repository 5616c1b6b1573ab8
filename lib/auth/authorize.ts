import { recordActivity, type Actor } from "@/lib/activity/log";
import { PERMISSIONS, type Permission } from "./permissions";
import { hasAnyRole, type Role } from "./roles";

/** Who is acting, with the roles that decide what they may do: an operator, the CLI's signed-in operator, or the system. */
export interface Principal extends Actor {
  roles: readonly Role[];
}

/** A refusal a person can act on; server actions answer it with 403, the CLI prints it. */
export class ForbiddenError extends Error {
  override name = "ForbiddenError";
  readonly expected = true;
  readonly status = 403;
}

const ROLE_WORDS: Record<Role, string> = { admin: "an admin", lead: "a team lead", analyst: "an analyst" };

/**
 * Every lib function that changes state starts here, whoever calls it (a server action, the CLI,
 * a test): a caller without a role that `action` allows (lib/auth/permissions.ts) is refused with
 * ForbiddenError, and the refusal is written to the activity log once.
 */
export async function authorize(actor: Principal, action: Permission, target: string | null = null, ip: string | null = null): Promise<void> {
  const allowed = PERMISSIONS[action].roles;
  if (hasAnyRole(actor.roles, allowed)) return;
  await recordActivity({
    actor: { id: actor.id, email: actor.email },
    action,
    target,
    outcome: "denied",
    detail: { required: [...allowed], held: [...actor.roles] },
    ip,
  });
  throw new ForbiddenError(`Only ${allowed.map((r) => ROLE_WORDS[r]).join(" or ")} can do this (${action})`);
}
