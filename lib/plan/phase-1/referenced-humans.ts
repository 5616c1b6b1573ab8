import { qualified, quoteIdent, sqlComment } from "@/lib/db/sql";
import { countRows, estimateRows, relationExists } from "../catalog";
import { runStatements, type StatementCheckpoint } from "../run-statements";
import type { Check, PlanContext, Step } from "../types";

/**
 * Humans that audits, assignments or notifications name but neither users nor people know get an
 * employee flagged `referenced`, so the foreign keys of later phases never drop a row. One unit per
 * source table, run in parallel: each inserts in email order (so two units never deadlock on the
 * same new emails) and keeps the smallest spelling seen, so the result does not depend on which
 * unit finishes first.
 */
interface EmailSource {
  table: string;
  columns: string[];
}

function emailSources(ctx: PlanContext): EmailSource[] {
  return [
    ...ctx.auditTables.map((table) => ({ table, columns: ["employee_email", "auditor_email"] })),
    { table: "audit_assignments", columns: ["auditor_email", "employee_email"] },
    { table: "notifications", columns: ["recipient_email"] },
  ];
}

function sourceUnion(ctx: PlanContext, source: EmailSource): string {
  const u = quoteIdent(ctx.unifiedSchema);
  const table = qualified(ctx.legacySchema, source.table);
  return source.columns
    .map((c) => `SELECT btrim(${quoteIdent(c)}) AS email, ${u}.norm_email(${quoteIdent(c)}) AS email_norm FROM ${table}`)
    .join("\n   UNION ALL ");
}

function insertStatement(ctx: PlanContext, source: EmailSource): string {
  const u = quoteIdent(ctx.unifiedSchema);
  return `-- Humans named in ${sqlComment(source.table)} (${sqlComment(source.columns.join(", "))}) and unknown so far become referenced employees.
INSERT INTO ${u}.employees (email, email_normalized, is_active, status, source)
SELECT min(email), email_norm, false, 'unknown', 'referenced'
  FROM (${sourceUnion(ctx, source)}) named
 WHERE email_norm IS NOT NULL
 GROUP BY email_norm
 ORDER BY email_norm
ON CONFLICT (email_normalized) DO UPDATE SET email = EXCLUDED.email
 WHERE ${u}.employees.source = 'referenced' AND EXCLUDED.email < ${u}.employees.email`;
}

export const referencedHumans: Step<StatementCheckpoint> = {
  id: "referenced-humans",
  title: "Add employees for humans named only by audits, assignments or notifications",
  unit: "tables",
  async plan(ctx) {
    const units = [];
    for (const source of emailSources(ctx)) {
      const estimatedRows = (await estimateRows(ctx.db, ctx.legacySchema, source.table)) * source.columns.length;
      units.push({ id: source.table, title: source.table, statements: [insertStatement(ctx, source)], estimatedRows });
    }
    return { statements: units.flatMap((u) => u.statements), estimatedRows: units.reduce((n, u) => n + u.estimatedRows, 0), units };
  },
  run: (ctx) => runStatements(ctx, ctx.statements),
  async verify(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    const checks: Check[] = [];
    for (const source of emailSources(ctx)) {
      const missing = await countRows(
        ctx.db,
        `SELECT count(DISTINCT email_norm) AS n FROM (${sourceUnion(ctx, source)}) named
          WHERE email_norm IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM ${u}.employees e WHERE e.email_normalized = named.email_norm)`,
      );
      checks.push({
        name: `every email in ${source.table} is an employee`,
        status: missing === 0 ? "pass" : "fail",
        detail: missing === 0 ? "all matched" : `${missing} emails without an employee`,
      });
    }
    return checks;
  },
  async rollback(ctx) {
    if (await relationExists(ctx.db, ctx.unifiedSchema, "employees")) {
      const u = quoteIdent(ctx.unifiedSchema);
      await ctx.db.query(`UPDATE ${u}.employees SET manager_id = NULL WHERE manager_id IN (SELECT id FROM ${u}.employees WHERE source = 'referenced')`);
      await ctx.db.query(`DELETE FROM ${u}.employees WHERE source = 'referenced'`);
    }
  },
};
