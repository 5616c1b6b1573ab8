import { userInfo } from "node:os";
import type { Principal } from "@/lib/auth/authorize";
import { verifyCredentials } from "@/lib/auth/login";
import { prisma } from "@/lib/db/prisma";
import { CliUsageError } from "./output";
import { readSecret } from "./prompt";

/**
 * An operator acting from the terminal signs in with the console's own check (same rate limit,
 * failed attempts in the activity log); the lib functions then check their roles as for the console.
 */
export async function signInAs(email: string | undefined): Promise<Principal> {
  if (!email) throw new CliUsageError("say who you are: --as <email> (password from UNIFY_PASSWORD or asked)");
  const password = process.env.UNIFY_PASSWORD || (await readSecret(`Password for ${email.trim().toLowerCase()}: `));
  const operator = await verifyCredentials(email, password, { userAgent: "unify-cli" });
  return { id: operator.id, email: operator.email, roles: operator.roles };
}

/**
 * Setting up a console that has no active admin yet (the person holding the database credentials
 * creates the first one): the OS user, as an admin. Once an admin exists, `--as` is required.
 */
export async function bootstrapOrSignIn(email: string | undefined): Promise<Principal> {
  if (email) return signInAs(email);
  const admins = await prisma().operator.count({ where: { disabledAt: null, roles: { has: "admin" } } });
  if (admins > 0) throw new CliUsageError("an admin exists: say who you are with --as <admin email>");
  return { id: null, email: `cli:${userInfo().username}`, roles: ["admin"] };
}

/**
 * Resetting a password: an admin does it with `--as`. Without `--as` it is the recovery of a
 * console no other admin can sign in to — the target is the only active admin, or there is none —
 * done by the person holding the database credentials, logged as the OS user.
 */
export async function recoveryOrSignIn(email: string | undefined, target: string): Promise<Principal> {
  if (email) return signInAs(email);
  const others = await prisma().operator.count({
    where: { disabledAt: null, roles: { has: "admin" }, email: { not: target.trim().toLowerCase() } },
  });
  if (others > 0) throw new CliUsageError("another admin can do this: say who you are with --as <admin email>");
  return { id: null, email: `cli:${userInfo().username}`, roles: ["admin"] };
}
