import type { Command } from "commander";
import { connectDatabase } from "@/lib/db/connect";
import { migrationState } from "@/lib/db/migrate";
import { pool } from "@/lib/db/pool";
import { describeDatabaseUrl } from "@/lib/db/url";
import { phaseStatus } from "@/lib/engine/runs";
import { countOperators } from "@/lib/operators/operators";
import { PHASES } from "@/lib/plan/phases";

export interface ConsoleStatus {
  database: string;
  embedded: boolean;
  migrations: { applied: string[]; pending: string[] };
  operators: number;
  phases: { phase: number; title: string; status: string; runId: number | null }[];
}

export async function consoleStatus(): Promise<ConsoleStatus> {
  const connection = await connectDatabase();
  return {
    database: describeDatabaseUrl(connection.url),
    embedded: connection.embedded !== null,
    migrations: await migrationState(pool()),
    operators: await countOperators(),
    phases: await Promise.all(
      PHASES.map(async (p) => ({ phase: p.number, title: p.title, ...(await phaseStatus(p.number)) })),
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
        console.log(`phase ${p.phase}     ${p.title.padEnd(20)} ${p.status.replace("_", " ")}${p.runId ? ` (run #${p.runId})` : ""}`);
      }
    });
}
