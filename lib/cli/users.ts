import type { Command } from "commander";
import { ROLES, type Role } from "@/lib/auth/roles";
import { connectDatabase } from "@/lib/db/connect";
import { createOperator, listOperators, resetOperatorPassword, setOperatorDisabled } from "@/lib/operators/operators";
import { CliUsageError, printTable } from "./output";
import { bootstrapOrSignIn, recoveryOrSignIn, signInAs } from "./auth";
import { readSecret } from "./prompt";

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
    .option("--as <email>", "the admin creating it (not needed while the console has no active admin)")
    .action(async (opts: { email: string; role: string; name?: string; as?: string }) => {
      const roles = parseRoles(opts.role);
      await connectDatabase();
      const actor = await bootstrapOrSignIn(opts.as);
      const password = process.env.UNIFY_NEW_PASSWORD || (opts.as ? await readSecret(`Password for the new operator ${opts.email}: `) : process.env.UNIFY_PASSWORD || (await readSecret(`Password for ${opts.email}: `)));
      const created = await createOperator(
        { email: opts.email, name: opts.name ?? opts.email.split("@")[0] ?? opts.email, roles, password },
        actor,
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
    .requiredOption("--as <email>", "the admin doing it (password from UNIFY_PASSWORD or asked)")
    .action(async (email: string, opts: { as: string }) => {
      await connectDatabase();
      const o = await setOperatorDisabled(email, true, await signInAs(opts.as));
      console.log(`disabled ${o.email}`);
    });

  users
    .command("enable <email>")
    .description("re-enable a disabled operator")
    .requiredOption("--as <email>", "the admin doing it (password from UNIFY_PASSWORD or asked)")
    .action(async (email: string, opts: { as: string }) => {
      await connectDatabase();
      const o = await setOperatorDisabled(email, false, await signInAs(opts.as));
      console.log(`enabled ${o.email}`);
    });

  users
    .command("reset-password <email>")
    .description("give an operator a new password (from UNIFY_NEW_PASSWORD or asked; never printed) and end their sessions")
    .option("--as <email>", "the admin doing it (not needed to reset the only active admin's password)")
    .action(async (email: string, opts: { as?: string }) => {
      await connectDatabase();
      const actor = await recoveryOrSignIn(opts.as, email);
      const password = process.env.UNIFY_NEW_PASSWORD || (await readSecret(`New password for ${email.trim().toLowerCase()}: `));
      const o = await resetOperatorPassword(email, password, actor);
      console.log(`reset the password of ${o.email}; their sessions have ended`);
    });
}
