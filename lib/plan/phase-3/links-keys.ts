import { quoteIdent } from "@/lib/db/sql";
import { foreignKeyValidatedCheck, relationExists } from "../catalog";
import { foreignKeyGroup, foreignKeyStatements } from "../foreign-keys";
import { statementStep } from "../statement-step";
import type { Check, PlanContext } from "../types";

/** After the load: the indexes the console's pages and the foreign keys use, keys validated, statistics. */
export const LINK_INDEXES = [
  { table: "audit_assignments", name: "audit_assignments_auditor_id_due_date_idx", columns: "(auditor_id, due_date)", intent: "An auditor's assignments by due date." },
  { table: "audit_assignments", name: "audit_assignments_employee_id_idx", columns: "(employee_id)", intent: "An employee's assignments." },
  { table: "audit_assignments", name: "audit_assignments_scorecard_id_idx", columns: "(scorecard_id)", intent: "A scorecard's assignments." },
  { table: "notifications", name: "notifications_recipient_id_created_at_idx", columns: "(recipient_id, created_at)", intent: "A recipient's notifications, newest first." },
  { table: "notifications", name: "notifications_audit_id_idx", columns: "(audit_id)", intent: "The notifications about an audit." },
  {
    table: "notifications",
    name: "notifications_unresolved_audit_idx",
    columns: "(audit_table_legacy, audit_source_id_legacy) WHERE audit_id IS NULL",
    intent: "Live sync finds the notifications that named an audit before it existed (only the unresolved ones: a small index).",
  },
] as const;

export const LINK_FOREIGN_KEYS = [
  { table: "audit_assignments", name: "audit_assignments_auditor_id_fkey", column: "auditor_id", references: "employees" },
  { table: "audit_assignments", name: "audit_assignments_employee_id_fkey", column: "employee_id", references: "employees" },
  { table: "audit_assignments", name: "audit_assignments_scorecard_id_fkey", column: "scorecard_id", references: "scorecards" },
  { table: "notifications", name: "notifications_recipient_id_fkey", column: "recipient_id", references: "employees" },
  { table: "notifications", name: "notifications_audit_id_fkey", column: "audit_id", references: "audits" },
] as const;

/**
 * While the load ran, live sync may have made an employee of an email a batch (with an older
 * snapshot) could not resolve yet, or deleted an audit a batch had just resolved. Settled once the
 * load is done; from then on the triggers keep it so (docs/live-sync.md).
 */
function settleStatements(u: string): string[] {
  const email = (table: string, key: string, kept: string) => `UPDATE ${u}.${table} x SET ${key} = e.id,
       ${kept} = CASE WHEN x.${kept} = e.email_normalized THEN NULL ELSE x.${kept} END
  FROM ${u}.employees e
 WHERE x.${key} IS NULL AND e.email_normalized = ${u}.norm_email(x.${kept})`;
  return [
    `-- Links loaded before their human became an employee point at that employee now.
${email("audit_assignments", "auditor_id", "auditor_email_legacy")}`,
    email("audit_assignments", "employee_id", "employee_email_legacy"),
    email("notifications", "recipient_id", "recipient_email_legacy"),
    `-- Notifications loaded before their audit existed point at it now; those about a deleted audit point at nothing.
UPDATE ${u}.notifications n SET audit_id = a.id, audit_table_legacy = NULL, audit_source_id_legacy = NULL
  FROM ${u}.audits a
 WHERE n.audit_id IS NULL AND a.source_table = n.audit_table_legacy AND a.source_id = n.audit_source_id_legacy AND a.deleted_at IS NULL`,
    `UPDATE ${u}.notifications n SET audit_id = NULL, audit_table_legacy = a.source_table, audit_source_id_legacy = a.source_id
  FROM ${u}.audits a
 WHERE n.audit_id = a.id AND a.deleted_at IS NOT NULL`,
  ];
}

function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  const out: string[] = [
    ...settleStatements(u),
    ...LINK_INDEXES.map((i) => `-- ${i.intent}\nCREATE INDEX IF NOT EXISTS ${i.name} ON ${u}.${i.table} ${i.columns}`),
  ];
  for (const fk of LINK_FOREIGN_KEYS) out.push(...foreignKeyStatements(u, fk, `${fk.table}.${fk.column} must point at ${fk.references}`));
  for (const fk of LINK_FOREIGN_KEYS) out.push(`-- Check every row against ${fk.references}, without blocking writers.\nALTER TABLE ${u}.${fk.table} VALIDATE CONSTRAINT ${fk.name}`);
  out.push(`-- Statistics for the planner after the load.\nANALYZE ${u}.audit_assignments, ${u}.notifications`);
  return out;
}

export const linksKeys = statementStep({
  id: "links-keys",
  title: "Build the indexes and validate the foreign keys of assignments and notifications",
  statements,
  scalesWith: "links",
  groupOf: foreignKeyGroup,
  async verify(ctx) {
    const checks: Check[] = [];
    for (const fk of LINK_FOREIGN_KEYS) checks.push(await foreignKeyValidatedCheck(ctx.db, ctx.unifiedSchema, fk.name));
    return checks;
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    for (const fk of [...LINK_FOREIGN_KEYS].reverse()) {
      if (await relationExists(ctx.db, ctx.unifiedSchema, fk.table)) await ctx.db.query(`ALTER TABLE ${u}.${fk.table} DROP CONSTRAINT IF EXISTS ${fk.name}`);
    }
    for (const index of LINK_INDEXES) await ctx.db.query(`DROP INDEX IF EXISTS ${u}.${index.name}`);
  },
});
