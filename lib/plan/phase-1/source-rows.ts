import { qualified, quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { count } from "@/lib/validation/types";
import { estimateRows, relationExists } from "../catalog";
import { runStatementGroups, type StatementCheckpoint } from "../run-statements";
import type { Check, PlanContext, Step } from "../types";
import { IDENTITY_LOCKS, sourceTable } from "./identity-sql";

/**
 * Every legacy identity row kept as written — the winners of the merge and the rows that lost it
 * alike (their password hashes, logins and dates are not lost); the merge reads these copies and
 * links each to the employee it became part of, and the compatibility views return them, so an old
 * reader sees exactly its rows. The tables are the identity-sync step's; this step copies both
 * tables whole, once, in one transaction that holds IDENTITY_LOCKS.all exclusively: every live-sync
 * trigger takes that lock shared before it touches a copy and keeps it until its writer commits, so
 * the copy sees every committed write and no uncommitted one, and every later write applies to the
 * exact copy (docs/live-sync.md). Copying per bucket instead read both legacy tables whole once per
 * bucket (32 scans each, 2.5 s of the merge's 8 s at 10M audits).
 */
export const SOURCE_TABLES = [
  { legacy: "users", rows: "user_source_rows" },
  { legacy: "people", rows: "person_source_rows" },
] as const;

function copyStatements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- Copy users and people whole, with live sync's writers held off until the copy commits.
SELECT pg_advisory_xact_lock(${IDENTITY_LOCKS.namespace}, ${IDENTITY_LOCKS.all})`,
    ...SOURCE_TABLES.flatMap(({ legacy }) => [
      `-- Start the ${legacy} copies from nothing, so a resumed or repeated run never keeps a row twice.
DELETE FROM ${sourceTable(ctx, legacy)}`,
      `-- Copy every ${legacy} row as it is now, every column as written.
INSERT INTO ${sourceTable(ctx, legacy)}
SELECT s.*, nextval(${quoteLiteral(`${u}.identity_source_row_ids`)}), NULL::bigint
  FROM ${qualified(ctx.legacySchema, legacy)} s`,
      `-- Statistics for the merge's batches, which read the copies one bucket at a time.
ANALYZE ${sourceTable(ctx, legacy)}`,
    ]),
  ];
}

/**
 * The contract promises unique ids in users and people; a table without a key may break it. The
 * merge reports losing rows by id, so the copy stops first, naming the table and the ids.
 */
async function refuseDuplicateIds(ctx: PlanContext): Promise<void> {
  for (const table of ["users", "people"]) {
    const { rows } = await ctx.db.query<{ id: string; n: number }>(
      `SELECT id::text, count(*)::int AS n FROM ${qualified(ctx.legacySchema, table)} GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 21`,
    );
    if (rows.length) {
      const listed = rows.slice(0, 20).map((r) => `${r.id} (${r.n} rows)`).join(", ");
      throw new Error(`${table} has rows that share an id: ${listed}${rows.length > 20 ? ", …" : ""}. The contract requires unique ids in ${table}: give each row its own id, then run the phase again`);
    }
  }
}

export const sourceRows: Step<StatementCheckpoint> = {
  id: "source-rows",
  title: "Copy every users and people row as written, with live sync's writers held off for the copy",
  unit: "statements",
  async plan(ctx) {
    const rows = (await estimateRows(ctx.db, ctx.legacySchema, "users")) + (await estimateRows(ctx.db, ctx.legacySchema, "people"));
    return { statements: copyStatements(ctx), estimatedRows: rows };
  },
  async run(ctx) {
    await refuseDuplicateIds(ctx);
    // One transaction: the lock is held from the first statement to the commit.
    await runStatementGroups(ctx, ctx.statements, () => "copy");
  },
  async verify(ctx) {
    const checks: Check[] = [];
    for (const { legacy } of SOURCE_TABLES) {
      // One statement, one snapshot: a trigger applies each write to the copy in the writer's transaction.
      const { rows } = await ctx.db.query<{ legacy: string; copies: string }>(
        `SELECT (SELECT count(*) FROM ${qualified(ctx.legacySchema, legacy)}) AS legacy, (SELECT count(*) FROM ${sourceTable(ctx, legacy)}) AS copies`,
      );
      const [n, copies] = [Number(rows[0]!.legacy), Number(rows[0]!.copies)];
      checks.push({
        name: `every ${legacy} row is copied once`,
        status: n === copies ? "pass" : "fail",
        detail: `${count(n)} ${legacy} rows, ${count(copies)} copies${n === copies ? "" : " (MISMATCH)"}`,
      });
    }
    return checks;
  },
  async rollback(ctx) {
    // The copies go with the tables (identity-sync's rollback); emptied here so this step alone can be undone and run again.
    for (const { legacy, rows } of SOURCE_TABLES) {
      if (await relationExists(ctx.db, ctx.unifiedSchema, rows)) await ctx.db.query(`DELETE FROM ${sourceTable(ctx, legacy)}`);
    }
  },
};

/** Every legacy row with an email is kept and linked to an employee. */
export async function sourceRowChecks(ctx: PlanContext): Promise<Check[]> {
  const u = quoteIdent(ctx.unifiedSchema);
  const checks: Check[] = [];
  for (const { legacy, rows } of SOURCE_TABLES) {
    const { rows: found } = await ctx.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${qualified(ctx.legacySchema, legacy)} s
        WHERE ${u}.norm_email(s.email) IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ${u}.${quoteIdent(rows)} r WHERE r.id = s.id AND r.employee_id IS NOT NULL)`,
    );
    const unlinked = Number(found[0]?.n ?? 0);
    checks.push({
      name: `every ${legacy} row with an email is kept and linked to an employee`,
      status: unlinked === 0 ? "pass" : "fail",
      detail: unlinked === 0 ? "all linked" : `${unlinked} rows not linked`,
    });
  }
  return checks;
}
