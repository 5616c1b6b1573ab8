import type { Command } from "commander";
import { connectDatabase } from "@/lib/db/connect";
import { createApiKey, listApiKeys, revokeApiKey } from "@/lib/flags/api-keys";
import { listFlags, retiredFlags, retireFlag, rollbackToLegacy, ROLLBACK_WORD, setFlag } from "@/lib/flags/store";
import { CliUsageError, printTable } from "./output";
import { signInAs } from "./auth";

/** `unify flags …` and `unify apikeys …`: the same flag store and keys as the console's Flags and Settings pages. */
export function registerFlags(program: Command): void {
  const flags = program.command("flags").description("feature flags that switch readers from legacy to unified");

  flags
    .command("list")
    .description("every flag: stored state, what readers get (an environment override wins), and whether it may be turned on")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      await connectDatabase();
      const [rows, retired] = await Promise.all([listFlags(), retiredFlags()]);
      if (opts.json) {
        console.log(JSON.stringify([...rows, ...retired.map((f) => ({ ...f, retired: true }))], null, 2));
        return;
      }
      printTable([
        ...rows.map((f) => ({
          flag: f.key,
          stored: f.stored ? "on" : "off",
          effective: `${f.effective ? "on" : "off"}${f.source === "environment" ? " (env)" : ""}`,
          phase: f.phase ?? "",
          "can turn on": f.interlock.canTurnOn ? "yes" : `no: ${f.interlock.reason}`,
          changed: f.changedAt ? `${f.changedAt.toISOString()} by ${f.changedBy}` : "",
        })),
        ...retired.map((f) => ({
          flag: f.key,
          stored: f.value ? "on" : "off",
          effective: `${f.value ? "on" : "off"} (retired${f.env.set ? ", env ignored" : ""})`,
          phase: f.phase ?? "",
          "can turn on": "no: retired",
          changed: `retired ${f.retiredAt.toISOString()} by ${f.retiredBy}`,
        })),
      ]);
    });

  flags
    .command("set <flag> <state>")
    .description("turn a flag on or off (on only while its phase succeeded with a passing post-run validation)")
    .requiredOption("--comment <text>", "why: kept in the flag's history")
    .requiredOption("--as <email>", "the admin doing it (password from UNIFY_PASSWORD or asked)")
    .action(async (key: string, state: string, opts: { comment: string; as: string }) => {
      if (!["on", "off"].includes(state)) throw new CliUsageError(`the state is on or off; got "${state}"`);
      await connectDatabase();
      const flag = await setFlag({ key, enabled: state === "on", comment: opts.comment, actor: await signInAs(opts.as) });
      console.log(`${flag.key} is ${flag.stored ? "on" : "off"}${flag.source === "environment" ? ` (readers here get ${flag.effective ? "on" : "off"}: ${flag.key} is set in the environment)` : ""}`);
    });

  flags
    .command("retire <flag>")
    .description("after Phase 5 succeeded: fix a flag at its final value for good (kept in history, no longer a switch)")
    .requiredOption("--comment <text>", "why: kept in the flag's history")
    .requiredOption("--as <email>", "the admin doing it (password from UNIFY_PASSWORD or asked)")
    .action(async (key: string, opts: { comment: string; as: string }) => {
      await connectDatabase();
      const flag = await retireFlag({ key, comment: opts.comment, actor: await signInAs(opts.as) });
      console.log(`${flag.key} is retired: it always evaluates to ${flag.value ? "on" : "off"}${flag.env.set ? ` (its environment variable ${flag.key} is ignored now: remove it)` : ""}`);
    });

  flags
    .command("rollback")
    .description(`roll back to legacy: every flag off at once, timed (confirm with --confirm ${ROLLBACK_WORD})`)
    .requiredOption("--confirm <word>", `type ${ROLLBACK_WORD}`)
    .requiredOption("--as <email>", "the admin doing it (password from UNIFY_PASSWORD or asked)")
    .action(async (opts: { confirm: string; as: string }) => {
      await connectDatabase();
      const result = await rollbackToLegacy({ actor: await signInAs(opts.as), confirmation: opts.confirm });
      console.log(`rolled back to legacy in ${result.durationMs} ms: ${result.turnedOff.length ? `turned ${result.turnedOff.join(", ")} off` : "every flag was already off"}`);
      if (result.forcedOnByEnvironment.length) console.log(`still forced on by this environment: ${result.forcedOnByEnvironment.join(", ")}`);
      if (result.pausedJobs.length) console.log(`paused ${result.pausedJobs.join(", ")} until an admin resumes it (Settings, or unify analytics resume)`);
    });

  const keys = program.command("apikeys").description("API keys applications use to read flags over OFREP");

  keys
    .command("create")
    .description("issue a key: it is printed once and only its hash is kept")
    .requiredOption("--name <name>", "the application that will use it")
    .requiredOption("--as <email>", "the admin doing it (password from UNIFY_PASSWORD or asked)")
    .action(async (opts: { name: string; as: string }) => {
      await connectDatabase();
      const { key, apiKey } = await createApiKey({ name: opts.name, actor: await signInAs(opts.as) });
      console.error(`issued "${apiKey.name}" — copy it now, it is not shown again:`);
      console.log(key);
    });

  keys
    .command("list")
    .description("every key with its last use; revoked keys included")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      await connectDatabase();
      const rows = await listApiKeys();
      if (opts.json) console.log(JSON.stringify(rows, null, 2));
      else printTable(rows.map((k) => ({ name: k.name, key: `${k.prefix}…`, created: k.createdAt, by: k.createdBy, "last used": k.lastUsedAt ?? "never", revoked: k.revokedAt ?? "" })));
    });

  keys
    .command("revoke <name>")
    .description("revoke the live key of that name: requests with it get 401")
    .requiredOption("--as <email>", "the admin doing it (password from UNIFY_PASSWORD or asked)")
    .action(async (name: string, opts: { as: string }) => {
      await connectDatabase();
      const k = await revokeApiKey({ name, actor: await signInAs(opts.as) });
      console.log(`revoked "${k.name}" (${k.prefix}…)`);
    });
}
