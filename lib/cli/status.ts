import type { Command } from "commander";
import { connectDatabase } from "@/lib/db/connect";
import { migrationState } from "@/lib/db/migrate";
import { pool } from "@/lib/db/pool";
import { describeDatabaseUrl } from "@/lib/db/url";
import { nextActions } from "@/lib/engine/next-actions";
import { phaseStatus } from "@/lib/engine/runs";
import { ACTION_ROLES, type PhaseAction } from "@/lib/engine/state-machine";
import { cachedPlan } from "@/lib/plan/plan-cache";
import { countOperators } from "@/lib/operators/operators";
import { PHASES } from "@/lib/plan/phases";

export interface ConsoleStatus {
  database: string;
  embedded: boolean;
  migrations: { applied: string[]; pending: string[] };
  operators: number;
  /** Each phase with what may happen next and who may do it (the console shows the same buttons). */
  phases: { phase: number; title: string; status: string; runId: number | null; next: { action: PhaseAction; roles: string[] }[] }[];
}

export async function consoleStatus(): Promise<ConsoleStatus> {
  const connection = await connectDatabase();
  return {
    database: describeDatabaseUrl(connection.url),
    embedded: connection.embedded !== null,
    migrations: await migrationState(pool()),
    operators: await countOperators(),
    phases: await Promise.all(
      PHASES.map(async (p) => {
        const plan = await cachedPlan(p.number, pool());
        const next = await nextActions(p.number, plan);
        return { phase: p.number, title: p.title, ...(await phaseStatus(p.number)), next: next.map((action) => ({ action, roles: ACTION_ROLES[action] })) };
      }),
    ),
  };
}

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("database, migration state and operator count")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      const status = await consoleStatus();
      if (opts.json) {
        console.log(JSON.stringify(status, null, 2));
        return;
      }
      console.log(`database    ${status.database}${status.embedded ? " (embedded)" : ""}`);
      console.log(
        `migrations  ${status.migrations.applied.length} applied, ${status.migrations.pending.length} pending`,
      );
      console.log(`operators   ${status.operators}`);
      for (const p of status.phases) {
        const next = p.next.map((n) => `${n.action.replace("_", " ")} (${n.roles.join("/")})`).join(", ");
        console.log(`phase ${p.phase}     ${p.title.padEnd(20)} ${p.status.replace("_", " ").padEnd(14)}${p.runId ? ` run #${p.runId}` : ""}${next ? `  next: ${next}` : ""}`);
      }
    });
}
