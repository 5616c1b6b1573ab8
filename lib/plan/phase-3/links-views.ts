import { qualified, quoteIdent } from "@/lib/db/sql";
import { contractTable } from "@/lib/legacy/contract";
import { compatEmail } from "../compat-email";
import { statementStep } from "../statement-step";
import type { Check, PlanContext } from "../types";
import { compatViewSchema } from "../archive-location";

/**
 * `link_orphans`: every reference of an assignment or a notification that resolves to nothing —
 * table, legacy id, which reference, the value it held — read live from the kept legacy values.
 * `audit_assignments_compat` and `notifications_compat`: the legacy tables exactly, for old readers.
 */
async function contractColumnTypes(ctx: PlanContext, table: "audit_assignments" | "notifications"): Promise<{ name: string; type: string }[]> {
  const names = contractTable(table).columns.map((c) => c.name);
  const { rows } = await ctx.db.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY ($3::text[])
      ORDER BY a.attnum`,
    [ctx.legacySchema, table, names],
  );
  return rows;
}

const ASSIGNMENT_EXPRESSIONS = (u: string): Record<string, string> => ({
  id: "x.legacy_id",
  auditor_email: compatEmail(u, "x", "auditor_email_legacy", "r"),
  employee_email: compatEmail(u, "x", "employee_email_legacy", "e"),
  scorecard_table: "COALESCE(x.scorecard_table_legacy, s.source_table)",
  due_date: "x.due_date",
  status: "x.status",
  created_at: "x.created_at",
});

const NOTIFICATION_EXPRESSIONS = (u: string): Record<string, string> => ({
  id: "x.legacy_id",
  recipient_email: compatEmail(u, "x", "recipient_email_legacy", "p"),
  type: "x.type",
  message: "x.message",
  read_at: "x.read_at",
  audit_table: "CASE WHEN x.audit_id IS NULL THEN x.audit_table_legacy ELSE a.source_table END",
  audit_id: "CASE WHEN x.audit_id IS NULL THEN x.audit_source_id_legacy ELSE a.source_id END",
  created_at: "x.created_at",
});

async function statements(ctx: PlanContext): Promise<string[]> {
  const u = quoteIdent(ctx.unifiedSchema);
  const select = (columns: { name: string; type: string }[], expressions: Record<string, string>) =>
    columns.map((c) => `(${expressions[c.name]})::${c.type} AS ${quoteIdent(c.name)}`).join(",\n       ");
  const assignments = await contractColumnTypes(ctx, "audit_assignments");
  const notifications = await contractColumnTypes(ctx, "notifications");
  return [
    `-- Every reference that resolves to nothing, with the value it held: nothing was dropped, a person reviews these.
CREATE OR REPLACE VIEW ${u}.link_orphans AS
SELECT 'audit_assignments'::text AS source_table, legacy_id, 'auditor_email'::text AS reference, auditor_email_legacy AS value
  FROM ${u}.audit_assignments WHERE auditor_id IS NULL AND ${u}.norm_email(auditor_email_legacy) IS NOT NULL AND deleted_at IS NULL
UNION ALL
SELECT 'audit_assignments', legacy_id, 'employee_email', employee_email_legacy
  FROM ${u}.audit_assignments WHERE employee_id IS NULL AND ${u}.norm_email(employee_email_legacy) IS NOT NULL AND deleted_at IS NULL
UNION ALL
SELECT 'audit_assignments', legacy_id, 'scorecard_table', scorecard_table_legacy
  FROM ${u}.audit_assignments WHERE scorecard_id IS NULL AND scorecard_table_legacy IS NOT NULL AND deleted_at IS NULL
UNION ALL
SELECT 'notifications', legacy_id, 'recipient_email', recipient_email_legacy
  FROM ${u}.notifications WHERE recipient_id IS NULL AND ${u}.norm_email(recipient_email_legacy) IS NOT NULL AND deleted_at IS NULL
UNION ALL
SELECT 'notifications', n.legacy_id,
       CASE WHEN n.audit_table_legacy IS NOT NULL AND EXISTS (SELECT 1 FROM ${u}.scorecards s WHERE s.source_table = n.audit_table_legacy)
            THEN 'audit_id' ELSE 'audit_table' END,
       concat_ws('#', n.audit_table_legacy, n.audit_source_id_legacy::text)
  FROM ${u}.notifications n WHERE n.audit_id IS NULL AND (n.audit_table_legacy IS NOT NULL OR n.audit_source_id_legacy IS NOT NULL) AND n.deleted_at IS NULL`,
    `-- The legacy audit_assignments exactly, rebuilt from the foreign keys, for old readers.
CREATE OR REPLACE VIEW ${u}.audit_assignments_compat AS
SELECT ${select(assignments, ASSIGNMENT_EXPRESSIONS(u))}
  FROM ${u}.audit_assignments x
  LEFT JOIN ${u}.employees r ON r.id = x.auditor_id
  LEFT JOIN ${u}.employees e ON e.id = x.employee_id
  LEFT JOIN ${u}.scorecards s ON s.id = x.scorecard_id
 WHERE x.deleted_at IS NULL`,
    `-- The legacy notifications exactly, rebuilt from the foreign keys, for old readers.
CREATE OR REPLACE VIEW ${u}.notifications_compat AS
SELECT ${select(notifications, NOTIFICATION_EXPRESSIONS(u))}
  FROM ${u}.notifications x
  LEFT JOIN ${u}.employees p ON p.id = x.recipient_id
  LEFT JOIN ${u}.audits a ON a.id = x.audit_id
 WHERE x.deleted_at IS NULL`,
  ];
}

export const linksViews = statementStep({
  id: "links-views",
  title: "Create the orphan report and the assignments and notifications compatibility views",
  statements,
  async verify(ctx) {
    const checks: Check[] = [];
    for (const table of ["audit_assignments", "notifications"] as const) {
      const columns = contractTable(table).columns.map((c) => quoteIdent(c.name)).join(", ");
      const a = qualified(ctx.legacySchema, table);
      const b = qualified(await compatViewSchema(ctx.db, ctx, `${table}_compat`), `${table}_compat`);
      const { rows } = await ctx.db.query<{ n: string }>(`SELECT (SELECT count(*) FROM ${a}) - (SELECT count(*) FROM ${b}) AS n`);
      const difference = Number(rows[0]?.n ?? 0);
      checks.push({
        name: `${table}_compat has as many rows as ${table}`,
        status: difference === 0 ? "pass" : "fail",
        detail: difference === 0 ? `columns ${columns.replace(/"/g, "")}` : `${difference} rows apart`,
      });
    }
    return checks;
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    await ctx.db.query(`DROP VIEW IF EXISTS ${u}.notifications_compat, ${u}.audit_assignments_compat, ${u}.link_orphans`);
  },
});
