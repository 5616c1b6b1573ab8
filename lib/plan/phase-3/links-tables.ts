import { quoteIdent } from "@/lib/db/sql";
import { relationExists } from "../catalog";
import { statementStep } from "../statement-step";
import type { PlanContext } from "../types";

/**
 * `audit_assignments` and `notifications` with foreign keys instead of email strings and table
 * names. Every legacy row is kept: a reference that resolves to nothing leaves its foreign key NULL
 * and keeps the legacy value in a `*_legacy` column, where the orphan report finds it. Created
 * bare; indexes and foreign keys come after the load.
 */
function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- Who audits whom on which scorecard, by foreign keys; the legacy value kept only where it differs or resolves to nothing.
CREATE TABLE IF NOT EXISTS ${u}.audit_assignments (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  legacy_id              integer NOT NULL,
  auditor_id             bigint,
  employee_id            bigint,
  scorecard_id           integer,
  due_date               date,
  status                 text,
  created_at             timestamptz,
  deleted_at             timestamptz,
  auditor_email_legacy   text,
  employee_email_legacy  text,
  scorecard_table_legacy text,
  CONSTRAINT audit_assignments_legacy_id_key UNIQUE (legacy_id)
)`,
    `-- Notifications to employees, about an audit when the legacy row names one.
CREATE TABLE IF NOT EXISTS ${u}.notifications (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  legacy_id              integer NOT NULL,
  recipient_id           bigint,
  type                   text,
  message                text,
  read_at                timestamptz,
  audit_id               bigint,
  created_at             timestamptz,
  deleted_at             timestamptz,
  recipient_email_legacy text,
  audit_table_legacy     text,
  audit_source_id_legacy bigint,
  CONSTRAINT notifications_legacy_id_key UNIQUE (legacy_id)
)`,
  ];
}

export const linksTables = statementStep({
  id: "links-tables",
  title: "Create audit_assignments and notifications",
  statements,
  async verify(ctx) {
    const both = (await relationExists(ctx.db, ctx.unifiedSchema, "audit_assignments")) && (await relationExists(ctx.db, ctx.unifiedSchema, "notifications"));
    return [{ name: "audit_assignments and notifications exist", status: both ? "pass" : "fail", detail: both ? "both created" : "missing" }];
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    for (const table of ["notifications", "audit_assignments"]) {
      if (await relationExists(ctx.db, ctx.unifiedSchema, table)) await ctx.db.query(`DROP TABLE ${u}.${table}`);
    }
  },
});
