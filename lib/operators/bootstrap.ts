import { randomBytes } from "node:crypto";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import type { Role } from "@/lib/auth/roles";
import { countOperators, createOperator } from "./operators";

export interface CreatedCredential {
  email: string;
  password: string;
  roles: Role[];
  generated: boolean;
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
  const wanted: { email: string; name: string; roles: Role[]; env?: string }[] = [
    { email: "admin@unify.local", name: "Admin", roles: ["admin"], env: process.env.UNIFY_ADMIN_PASSWORD },
  ];
  if (options.demo) {
    wanted.push(
      { email: "lead@unify.local", name: "Team Lead", roles: ["lead"], env: process.env.UNIFY_DEMO_PASSWORD },
      { email: "analyst@unify.local", name: "Analyst", roles: ["analyst"], env: process.env.UNIFY_DEMO_PASSWORD },
    );
  }
  const created: CreatedCredential[] = [];
  for (const w of wanted) {
    const password = w.env || generatedPassword();
    await createOperator({ email: w.email, name: w.name, roles: w.roles, password }, SYSTEM_ACTOR);
    created.push({ email: w.email, password, roles: w.roles, generated: !w.env });
  }
  return created;
}
