import { randomBytes } from "node:crypto";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import type { Role } from "@/lib/auth/roles";
import { countOperators, createOperator } from "./operators";

export interface CreatedCredential {
  email: string;
  roles: Role[];
  /** The generated password, shown once; null when it was taken from the environment. */
  generatedPassword: string | null;
  /** The environment variable the password came from, when it did. */
  fromEnv: string | null;
}

/** The start-up line for a created operator: a generated password once, never one from the environment. */
export function credentialLine(c: CreatedCredential): string {
  return c.generatedPassword !== null
    ? `unify: created ${c.roles.join(",")} ${c.email} password ${c.generatedPassword} (generated, shown once)`
    : `unify: created ${c.roles.join(",")} ${c.email} with the password from ${c.fromEnv}`;
}

/**
 * What start-up prints last, once the console listens: where to sign in and, on the first start,
 * with what; on later starts, how to reset a forgotten password.
 */
export function signInLines(url: string, created: CreatedCredential[]): string[] {
  if (created.length > 0) return [`unify: sign in at ${url}`, ...created.map(credentialLine)];
  return [
    `unify: sign in at ${url} as one of the console's operators`,
    "unify: a forgotten password is reset with `npm run unify -- users reset-password <email> --as <admin email>` (the only admin's without --as)",
  ];
}

function generatedPassword(): string {
  return randomBytes(12).toString("base64url");
}

/**
 * On an empty console, creates the first admin (password from UNIFY_ADMIN_PASSWORD or generated)
 * and, in demo mode, a lead and an analyst. Returns what it created so the caller prints it once.
 */
export async function ensureFirstOperators(options: { demo: boolean }): Promise<CreatedCredential[]> {
  if ((await countOperators()) > 0) return [];
  const wanted: { email: string; name: string; roles: Role[]; env: string }[] = [
    { email: "admin@unify.local", name: "Admin", roles: ["admin"], env: "UNIFY_ADMIN_PASSWORD" },
  ];
  if (options.demo) {
    wanted.push(
      { email: "lead@unify.local", name: "Team Lead", roles: ["lead"], env: "UNIFY_DEMO_PASSWORD" },
      { email: "analyst@unify.local", name: "Analyst", roles: ["analyst"], env: "UNIFY_DEMO_PASSWORD" },
    );
  }
  const created: CreatedCredential[] = [];
  for (const w of wanted) {
    const given = process.env[w.env];
    const password = given || generatedPassword();
    await createOperator({ email: w.email, name: w.name, roles: w.roles, password }, SYSTEM_ACTOR);
    created.push({ email: w.email, roles: w.roles, generatedPassword: given ? null : password, fromEnv: given ? w.env : null });
  }
  return created;
}
