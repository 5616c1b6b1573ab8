import { qualified, quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { estimateRows, relationExists } from "../catalog";
import type { Check, PlanContext, Step } from "../types";
import { BUCKETS, IDENTITY_LOCKS, sourceTable } from "./identity-sql";

/**
 * Every legacy identity row kept as written — the winners of the merge and the rows that lost it
 * alike (their password hashes, logins and dates are not lost); the merge reads these copies and
 * links each to the employee it became part of, and the compatibility views return them, so an old
 * reader sees exactly its rows.
 *
 * Copied one bucket of emails at a time with that bucket locked: a live-sync trigger holds the lock
 * of every bucket its write touches until the writer commits, so the copy sees every committed write
 * of its bucket and no uncommitted one, and every later write applies to the exact copy
 * (docs/live-sync.md).
 */
export const SOURCE_TABLES = [
  { legacy: "users", rows: "user_source_rows" },
  { legacy: "people", rows: "person_source_rows" },
] as const;

function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- Copy one bucket ($1) of emails at a time, with live sync's writers to it held off until the copy commits.
SELECT pg_advisory_xact_lock(${IDENTITY_LOCKS.namespace}, $1::integer)`,
    ...SOURCE_TABLES.flatMap(({ legacy }) => [
      `-- Start the bucket from nothing, so a resumed or repeated run never keeps a row twice.
DELETE FROM ${sourceTable(ctx, legacy)} WHERE ${u}.identity_bucket(email) = $1`,
      `-- Copy the bucket's ${legacy} rows as they are now; the merge links them to employees.
INSERT INTO ${sourceTable(ctx, legacy)}
SELECT s.*, nextval(${quoteLiteral(`${u}.identity_source_row_ids`)}), NULL::bigint
  FROM ${qualified(ctx.legacySchema, legacy)} s
 WHERE ${u}.identity_bucket(s.email) = $1`,
    ]),
  ];
}

export const sourceRows: Step<{ bucket: number }> = {
  id: "source-rows",
  title: "Keep every legacy users and people row as written, a bucket of emails at a time",
  unit: "rows",
  async plan(ctx) {
    const rows = (await estimateRows(ctx.db, ctx.legacySchema, "users")) + (await estimateRows(ctx.db, ctx.legacySchema, "people"));
    return { statements: statements(ctx), estimatedRows: rows };
  },
  async run(ctx) {
    const [lock, ...copy] = ctx.statements;
    await ctx.setTotal((await estimateRows(ctx.db, ctx.legacySchema, "users")) + (await estimateRows(ctx.db, ctx.legacySchema, "people")));
    // Buckets 0..BUCKETS-1 hold the emails, BUCKETS the rows without one.
    for (let bucket = ctx.checkpoint?.bucket ?? 0; bucket <= BUCKETS; bucket++) {
      if (await ctx.interrupted()) return;
      await ctx.batch(async (db) => {
        await db.query(lock!, [bucket]);
        let rows = 0;
        // Per table: forget the bucket, then copy it (the copy's count is the progress).
        for (const [i, sql] of copy.entries()) {
          const result = await db.query(sql, [bucket]);
          if (i % 2 === 1) rows += result.rowCount ?? 0;
        }
        return { checkpoint: { bucket: bucket + 1 }, rows };
      });
    }
  },
  async verify(ctx) {
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
  },
  async rollback(ctx) {
    // The tables belong to the identity-sync step (dropped after its triggers); the merge step's
    // rollback empties them together with employees, which they reference.
    const u = quoteIdent(ctx.unifiedSchema);
    for (const { rows } of SOURCE_TABLES) {
      if (await relationExists(ctx.db, ctx.unifiedSchema, rows)) await ctx.db.query(`TRUNCATE ${u}.${quoteIdent(rows)}`);
    }
  },
};
