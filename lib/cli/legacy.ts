import type { Command } from "commander";
import { connectDatabase } from "@/lib/db/connect";
import { pool } from "@/lib/db/pool";
import { legacySchema } from "@/lib/legacy/contract";
import { discoverLegacy, type Anomaly } from "@/lib/legacy/discovery";
import { SEED_DEFAULTS, SEED_LIMITS, seedLegacy, type SeedSummary } from "@/lib/legacy/generator";
import { computeInventory, readInventory, type Inventory } from "@/lib/legacy/inventory";
import { CliUsageError, printTable } from "./output";

const number = (n: number) => n.toLocaleString("en-US");

function wholeNumber(option: string, value: string, max: number): number {
  const trimmed = value.replace(/_/g, "").trim();
  const n = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new CliUsageError(`${option}: expected a whole number from 1 to ${number(max)}, got "${value}"`);
  }
  return n;
}

/** One line for what was made, then a row count per table. */
export function describeSeed(summary: SeedSummary): string {
  return (
    `seeded schema "${summary.schema}" with seed "${summary.seed}" in ${(summary.durationMs / 1000).toFixed(1)} s: ` +
    `${number(summary.scorecards)} scorecards, ${number(summary.audits)} audits, ${number(summary.humans)} humans`
  );
}

function printAnomalies(anomalies: Anomaly[]): void {
  if (!anomalies.length) {
    console.log("no anomalies: the database follows the legacy contract");
    return;
  }
  printTable(anomalies.map((a) => ({ severity: a.severity, code: a.code, message: a.message })));
}

function printInventory(inventory: Inventory): void {
  console.log(
    `schema "${inventory.schema}", computed ${inventory.computedAt} in ${number(inventory.durationMs)} ms: ${number(inventory.audits)} audits`,
  );
  printTable(
    inventory.scorecards.map((s) => ({
      table: s.table,
      scorecard: s.name,
      rows: number(s.rows),
      from: s.firstAuditDate,
      to: s.lastAuditDate,
      fields: s.fields,
      "employee≠anyone": s.employeeEmailsMatchingNobody,
      "auditor≠anyone": s.auditorEmailsMatchingNobody,
    })),
  );
  const id = inventory.identity;
  if (id) {
    console.log("");
    printTable([
      { emails: "users rows", count: id.usersRows },
      { emails: "people rows", count: id.peopleRows },
      { emails: "distinct in users", count: id.usersEmails },
      { emails: "distinct in people", count: id.peopleEmails },
      { emails: "in both", count: id.inBoth },
      { emails: "only in users", count: id.onlyInUsers },
      { emails: "only in people", count: id.onlyInPeople },
      { emails: "duplicated within users", count: id.usersDuplicateEmails },
      { emails: "duplicated within people", count: id.peopleDuplicateEmails },
      { emails: "users rows without email", count: id.usersWithoutEmail },
      { emails: "people rows without email", count: id.peopleWithoutEmail },
    ]);
  }
  const links = [
    inventory.assignments && {
      table: "audit_assignments",
      rows: number(inventory.assignments.rows),
      "emails matching nobody": number(inventory.assignments.auditorEmailsMatchingNobody + inventory.assignments.employeeEmailsMatchingNobody),
      "unknown scorecard table": number(inventory.assignments.unknownScorecardTable),
    },
    inventory.notifications && {
      table: "notifications",
      rows: number(inventory.notifications.rows),
      "emails matching nobody": number(inventory.notifications.recipientEmailsMatchingNobody),
      "unknown scorecard table": number(inventory.notifications.unknownAuditTable),
    },
  ].filter((row) => row !== null);
  if (links.length) {
    console.log("");
    printTable(links);
  }
  console.log("");
  printAnomalies(inventory.anomalies);
}

export function registerLegacy(program: Command): void {
  const legacy = program
    .command("legacy")
    .description(`the legacy QA-audit schema (UNIFY_LEGACY_SCHEMA, now "${legacySchema()}"): seed, discover, inventory`);

  legacy
    .command("seed")
    .description("create and fill the legacy tables with deterministic demo data")
    .option("--audits <n>", `audit rows across all scorecards (1 to ${number(SEED_LIMITS.audits)})`, String(SEED_DEFAULTS.audits))
    .option("--scorecards <k>", `scorecards, one audit table each (1 to ${SEED_LIMITS.scorecards})`, String(SEED_DEFAULTS.scorecards))
    .option("--seed <s>", "same seed, same data", SEED_DEFAULTS.seed)
    .option("--reset", "drop the existing legacy tables first (refused once the unified schema exists)")
    .action(async (opts: { audits: string; scorecards: string; seed: string; reset?: boolean }) => {
      const audits = wholeNumber("--audits", opts.audits, SEED_LIMITS.audits);
      const scorecards = wholeNumber("--scorecards", opts.scorecards, SEED_LIMITS.scorecards);
      await connectDatabase();
      const summary = await seedLegacy(pool(), { audits, scorecards, seed: opts.seed, reset: Boolean(opts.reset) });
      console.log(describeSeed(summary));
      printTable(summary.tables.map((t) => ({ table: t.table, rows: number(t.rows) })));
    });

  legacy
    .command("discover")
    .description("check the legacy tables against the contract; exits 1 when an error is found")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      // Read-only: no console migrations, and the discovery itself inside a READ ONLY transaction.
      await connectDatabase({ migrate: false });
      const session = await pool().connect();
      let found: Awaited<ReturnType<typeof discoverLegacy>>;
      try {
        await session.query("BEGIN READ ONLY");
        found = await discoverLegacy(session);
        await session.query("COMMIT");
      } finally {
        session.release();
      }
      if (opts.json) {
        console.log(JSON.stringify(found, null, 2));
      } else {
        console.log(`schema "${found.schema}": ${found.scorecards.length} usable scorecards`);
        printTable(found.scorecards.map((s) => ({ id: s.id, scorecard: s.name, table: s.tableName, channel: s.channel, fields: s.fields.length })));
        console.log("");
        printAnomalies(found.anomalies);
      }
      if (found.anomalies.some((a) => a.severity === "error")) process.exitCode = 1;
    });

  legacy
    .command("inventory")
    .description("count the legacy tables (one pass each) and cache the result for the Source page")
    .option("--cached", "print the latest cached inventory instead of counting again")
    .option("--json", "machine-readable output")
    .action(async (opts: { cached?: boolean; json?: boolean }) => {
      await connectDatabase();
      const inventory = opts.cached ? await readInventory() : await computeInventory(pool());
      if (!inventory) throw new CliUsageError("no inventory has been computed yet: run `unify legacy inventory`");
      if (opts.json) console.log(JSON.stringify(inventory, null, 2));
      else printInventory(inventory);
    });
}
