import { qualified, quoteIdent, quoteLiteral } from "@/lib/db/sql";
import type { Check, PlanContext } from "../types";
import { sourceTable } from "./identity-sql";

/**
 * Every legacy identity row kept as written — the winners of the merge and the rows that lost it
 * alike (their password hashes, logins and dates are not lost); the merge reads these copies and
 * links each to the employee it became part of, and the compatibility views return them, so an old
 * reader sees exactly its rows. The tables are the identity-sync step's; the merge step copies them
 * one bucket of emails at a time with that bucket locked: a live-sync trigger holds the lock of
 * every bucket its write touches until the writer commits, so the copy sees every committed write of
 * its bucket and no uncommitted one, and every later write applies to the exact copy
 * (docs/live-sync.md).
 */
export const SOURCE_TABLES = [
  { legacy: "users", rows: "user_source_rows" },
  { legacy: "people", rows: "person_source_rows" },
] as const;

/** How many statements copyBucketStatements returns. */
export const COPY_STATEMENTS = 4;

/** Forget one bucket's ($1) copies and copy the bucket's legacy rows anew: exact, and idempotent on resume. */
export function copyBucketStatements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return SOURCE_TABLES.flatMap(({ legacy }) => [
    `-- Start the bucket's ${legacy} copies from nothing, so a resumed or repeated run never keeps a row twice.
DELETE FROM ${sourceTable(ctx, legacy)} WHERE ${u}.identity_bucket(email) = $1`,
    `-- Copy the bucket's ${legacy} rows as they are now, every column as written.
INSERT INTO ${sourceTable(ctx, legacy)}
SELECT s.*, nextval(${quoteLiteral(`${u}.identity_source_row_ids`)}), NULL::bigint
  FROM ${qualified(ctx.legacySchema, legacy)} s
 WHERE ${u}.identity_bucket(s.email) = $1`,
  ]);
}

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
