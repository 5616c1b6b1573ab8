import { qualified, quoteIdent } from "@/lib/db/sql";
import { CONTRACT_TABLES } from "@/lib/legacy/contract";
import { statementStep } from "../statement-step";
import type { Check, PlanContext } from "../types";
import { SOURCE_TABLES } from "./source-rows";
import { compatViewSchema } from "../archive-location";

/**
 * users_compat and people_compat: the legacy tables exactly — every id, every value as written —
 * read from the source rows Phase 1 keeps, so an old reader pointed at them sees what it saw.
 */
const VIEWS = [
  { legacy: "users", view: "users_compat" },
  { legacy: "people", view: "people_compat" },
] as const;

function contractColumns(table: string): string[] {
  return CONTRACT_TABLES.find((t) => t.name === table)!.columns.map((c) => c.name);
}

function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return VIEWS.map(({ legacy, view }) => {
    const rows = SOURCE_TABLES.find((s) => s.legacy === legacy)!.rows;
    const columns = contractColumns(legacy).map(quoteIdent).join(", ");
    return `-- The legacy ${legacy} table as it was, column for column, for old readers.
CREATE OR REPLACE VIEW ${u}.${quoteIdent(view)} AS
SELECT ${columns} FROM ${u}.${quoteIdent(rows)}`;
  });
}

/** Rows in one relation and not in the other, as multisets, on the legacy columns. */
async function exceptAll(ctx: PlanContext, legacy: string, view: string): Promise<[number, number]> {
  const columns = contractColumns(legacy).map(quoteIdent).join(", ");
  const a = qualified(ctx.legacySchema, legacy);
  const b = qualified(await compatViewSchema(ctx.db, ctx, view), view);
  const { rows } = await ctx.db.query<{ missing: string; extra: string }>(
    `SELECT (SELECT count(*) FROM (SELECT ${columns} FROM ${a} EXCEPT ALL SELECT ${columns} FROM ${b}) x) AS missing,
            (SELECT count(*) FROM (SELECT ${columns} FROM ${b} EXCEPT ALL SELECT ${columns} FROM ${a}) y) AS extra`,
  );
  return [Number(rows[0]?.missing ?? 0), Number(rows[0]?.extra ?? 0)];
}

export const compatViews = statementStep({
  id: "compat-views",
  title: "Create the users_compat and people_compat views",
  statements,
  async verify(ctx) {
    const checks: Check[] = [];
    for (const { legacy, view } of VIEWS) {
      const [missing, extra] = await exceptAll(ctx, legacy, view);
      checks.push({
        name: `${view} returns exactly the rows of the legacy ${legacy} table`,
        status: missing + extra === 0 ? "pass" : "fail",
        detail: missing + extra === 0 ? "EXCEPT ALL is empty both ways" : `${missing} legacy rows missing, ${extra} rows not in ${legacy}`,
      });
    }
    return checks;
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    await ctx.db.query(`DROP VIEW IF EXISTS ${u}.people_compat, ${u}.users_compat`);
  },
});
