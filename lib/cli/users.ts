import { userInfo } from "node:os";
import type { Command } from "commander";
import type { Actor } from "@/lib/activity/log";
import { ROLES, type Role } from "@/lib/auth/roles";
import { connectDatabase } from "@/lib/db/connect";
import { createOperator, listOperators, setOperatorDisabled } from "@/lib/operators/operators";
import { CliUsageError, printTable } from "./output";
import { readSecret } from "./prompt";

/** Changes made from the terminal are logged under the OS user who ran them. */
export function cliActor(): Actor {
  return { id: null, email: `cli:${userInfo().username}` };
}

function parseRoles(value: string): Role[] {
  const roles = value.split(",").map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length || roles.length === 0) {
    throw new CliUsageError(`--role takes ${ROLES.join(", ")} (comma-separated); got "${value}"`);
  }
  return roles as Role[];
}

export function registerUsers(program: Command): void {
  const users = program.command("users").description("operator accounts");

  users
    .command("add")
    .description("create an operator (password from UNIFY_PASSWORD or asked on the terminal)")
    .requiredOption("--email <email>", "login email")
    .requiredOption("--role <roles>", `one or more of ${ROLES.join(", ")}, comma-separated`)
    .option("--name <name>", "display name (defaults to the part of the email before @)")
    .action(async (opts: { email: string; role: string; name?: string }) => {
      const roles = parseRoles(opts.role);
      await connectDatabase();
      const password = process.env.UNIFY_PASSWORD || (await readSecret(`Password for ${opts.email}: `));
      const created = await createOperator(
        { email: opts.email, name: opts.name ?? opts.email.split("@")[0] ?? opts.email, roles, password },
        cliActor(),
      );
      console.log(`created ${created.email} (${created.roles.join(", ")})`);
    });

  users
    .command("list")
    .description("list operators")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      await connectDatabase();
      const rows = await listOperators();
      if (opts.json) console.log(JSON.stringify(rows, null, 2));
      else printTable(rows.map((o) => ({ email: o.email, name: o.name, roles: o.roles, disabled: o.disabledAt ? "yes" : "" })));
    });

  users
    .command("disable <email>")
    .description("disable an operator and end their sessions")
    .action(async (email: string) => {
      await connectDatabase();
      const o = await setOperatorDisabled(email, true, cliActor());
      console.log(`disabled ${o.email}`);
    });

  users
    .command("enable <email>")
    .description("re-enable a disabled operator")
    .action(async (email: string) => {
      await connectDatabase();
      const o = await setOperatorDisabled(email, false, cliActor());
      console.log(`enabled ${o.email}`);
    });
}
