import { quoteIdent, quoteLiteral, sqlComment } from "@/lib/db/sql";
import { compatEmail } from "../compat-email";
import { statementStep } from "../statement-step";
import type { Check, PlanContext } from "../types";
import { compatViewName, readAuditColumns, scorecardOf, type AuditColumn } from "./audit-columns";
import { compatViewSchema } from "../archive-location";

/**
 * For every legacy audit table T, `unified."T_compat"`: T's columns — names, order and types —
 * rebuilt from `audits`, so an old report pointed at it gets T's rows exactly. Emails come back as
 * the legacy rows spelled them (the spelling kept where it differs from the normalised email),
 * scores from parameter_scores, everything else from its column or from legacy_extra.
 */
function columnExpression(u: string, column: AuditColumn): string {
  const cast = (expression: string) => `(${expression})::${column.type}`;
  const extra = cast(`a.legacy_extra ->> ${quoteLiteral(column.name)}`);
  if (column.name === "employee_email") return cast(compatEmail(u, "a", "employee_email_legacy", "e"));
  if (column.name === "auditor_email") return cast(compatEmail(u, "a", "auditor_email_legacy", "r"));
  switch (column.home.kind) {
    case "base":
      return cast(`a.${quoteIdent(column.home.column)}`);
    case "score":
      return cast(`a.parameter_scores ->> ${quoteLiteral(column.home.fieldKey)}`);
    case "base+extra":
    case "extra":
      return extra;
  }
}

export function compatViewStatement(ctx: PlanContext, table: string, columns: AuditColumn[]): string {
  const u = quoteIdent(ctx.unifiedSchema);
  const select = columns.map((c) => `${columnExpression(u, c)} AS ${quoteIdent(c.name)}`).join(",\n       ");
  return `-- ${sqlComment(`The legacy audit table ${table} exactly, column for column, rebuilt from audits for old readers.`)}
CREATE OR REPLACE VIEW ${u}.${quoteIdent(compatViewName(table))} AS
SELECT ${select}
  FROM ${u}.audits a
  LEFT JOIN ${u}.employees e ON e.id = a.employee_id
  LEFT JOIN ${u}.employees r ON r.id = a.auditor_id
 WHERE a.source_table = ${quoteLiteral(table)} AND a.deleted_at IS NULL`;
}

/** Name and type of each column of a relation, in order. */
async function columnSignature(ctx: PlanContext, schema: string, name: string): Promise<string[]> {
  const { rows } = await ctx.db.query<{ item: string }>(
    `SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) AS item
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [schema, name],
  );
  return rows.map((r) => r.item);
}

export const auditCompatViews = statementStep({
  id: "audit-compat-views",
  title: "Create a compatibility view for every audit table",
  async statements(ctx) {
    const statements: string[] = [];
    for (const table of ctx.auditTables) {
      statements.push(compatViewStatement(ctx, table, await readAuditColumns(ctx.db, ctx.legacySchema, table, scorecardOf(ctx, table))));
    }
    return statements;
  },
  async verify(ctx) {
    const checks: Check[] = [];
    for (const table of ctx.auditTables) {
      const legacy = await columnSignature(ctx, ctx.legacySchema, table);
      const view = await columnSignature(ctx, await compatViewSchema(ctx.db, ctx, compatViewName(table)), compatViewName(table));
      const same = legacy.join(",") === view.join(",");
      checks.push({
        name: `${compatViewName(table)} has exactly the columns of ${table}`,
        status: same ? "pass" : "fail",
        detail: same ? `${legacy.length} columns, same names, order and types` : `legacy: ${legacy.join(", ")}; view: ${view.join(", ") || "missing"}`,
      });
    }
    return checks;
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    for (const table of [...ctx.auditTables].reverse()) {
      await ctx.db.query(`DROP VIEW IF EXISTS ${u}.${quoteIdent(compatViewName(table))}`);
    }
  },
});
