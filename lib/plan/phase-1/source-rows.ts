import { qualified, quoteIdent } from "@/lib/db/sql";
import { estimateRows, relationExists } from "../catalog";
import { runStatements, type StatementCheckpoint } from "../run-statements";
import type { Check, PlanContext, Step } from "../types";

/**
 * Every legacy identity row kept as written — the winners of the merge and the rows that lost it
 * alike (their password hashes, logins and dates are not lost) — each linked to the employee it
 * became part of. The compatibility views read these, so an old reader sees exactly its rows.
 */
export const SOURCE_TABLES = [
  { legacy: "users", rows: "user_source_rows" },
  { legacy: "people", rows: "person_source_rows" },
] as const;

function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return SOURCE_TABLES.flatMap(({ legacy, rows }) => {
    const source = qualified(ctx.legacySchema, legacy);
    const target = `${u}.${quoteIdent(rows)}`;
    return [
      `-- Legacy ${legacy} rows as written (every column, its type), each with the employee it became part of.
CREATE TABLE IF NOT EXISTS ${target} (
  LIKE ${source},
  source_row_id bigint PRIMARY KEY,
  employee_id   bigint REFERENCES ${u}.employees (id)
)`,
      `-- Start from nothing, so a resumed or repeated run never keeps a row twice.\nTRUNCATE ${target}`,
      `-- Copy every ${legacy} row; rows without an email belong to no employee.
INSERT INTO ${target}
SELECT s.*, row_number() OVER (), e.id
  FROM ${source} s
  LEFT JOIN ${u}.employees e ON e.email_normalized = ${u}.norm_email(s.email)`,
      `-- The compatibility view and the employee pages find a person's source rows by employee.\nCREATE INDEX IF NOT EXISTS ${quoteIdent(`${rows}_employee_id_idx`)} ON ${target} (employee_id)`,
    ];
  });
}

export const sourceRows: Step<StatementCheckpoint> = {
  id: "source-rows",
  title: "Keep every legacy users and people row as written, linked to its employee",
  unit: "statements",
  async plan(ctx) {
    const rows = (await estimateRows(ctx.db, ctx.legacySchema, "users")) + (await estimateRows(ctx.db, ctx.legacySchema, "people"));
    return { statements: statements(ctx), estimatedRows: rows };
  },
  run: (ctx) => runStatements(ctx, ctx.statements),
  async verify(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    const checks: Check[] = [];
    for (const { legacy, rows } of SOURCE_TABLES) {
      const { rows: found } = await ctx.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${qualified(ctx.legacySchema, legacy)} s
          WHERE nullif(btrim(s.email), '') IS NOT NULL
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
    const u = quoteIdent(ctx.unifiedSchema);
    if (await relationExists(ctx.db, ctx.unifiedSchema, "user_source_rows")) await ctx.db.query(`DROP TABLE ${u}.user_source_rows`);
    if (await relationExists(ctx.db, ctx.unifiedSchema, "person_source_rows")) await ctx.db.query(`DROP TABLE ${u}.person_source_rows`);
  },
};
