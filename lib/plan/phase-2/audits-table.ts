import { quoteIdent } from "@/lib/db/sql";
import { relationExists } from "../catalog";
import { statementStep } from "../statement-step";
import type { PlanContext } from "../types";

/**
 * `audits`, one table for every scorecard's audits. Created bare: the primary key, the report
 * indexes and the foreign keys come after the load (twice as fast, ../shared/PERFORMANCE.md; the
 * ids come from a sequence that hands each session a thousand at a time). From the start it has
 * the unique origin (source_table, source_id), so no re-run or resume can ever add a legacy row
 * twice, and the checks that make an unmatched email an error, never a silent NULL.
 */
function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- Every legacy audit row, once: scores in parameter_scores keyed by field_key, the origin unique.
-- Autovacuum waits until the load is done (audit-indexes turns it back on): otherwise it rescans
-- the growing table every 20% of inserts, taking a core from the load.
CREATE TABLE IF NOT EXISTS ${u}.audits (
  id                    bigint GENERATED ALWAYS AS IDENTITY (CACHE 1000) NOT NULL,
  scorecard_id          integer NOT NULL,
  channel_id            integer,
  employee_id           bigint,
  auditor_id            bigint,
  audit_date            date,
  status                text,
  total_score           numeric,
  passed                boolean,
  comments              text,
  parameter_scores      jsonb NOT NULL,
  created_at            timestamptz,
  updated_at            timestamptz,
  deleted_at            timestamptz,
  source_table          text NOT NULL,
  source_id             bigint NOT NULL,
  employee_email_legacy text,
  auditor_email_legacy  text,
  legacy_extra          jsonb,
  CONSTRAINT audits_source_table_source_id_key UNIQUE (source_table, source_id),
  CONSTRAINT audits_parameter_scores_check CHECK (jsonb_typeof(parameter_scores) = 'object'),
  CONSTRAINT audits_employee_known_check CHECK (employee_id IS NOT NULL OR ${u}.norm_email(employee_email_legacy) IS NULL),
  CONSTRAINT audits_auditor_known_check CHECK (auditor_id IS NOT NULL OR ${u}.norm_email(auditor_email_legacy) IS NULL)
) WITH (autovacuum_enabled = false)`,
  ];
}

export const auditsTable = statementStep({
  id: "audits-table",
  title: "Create the audits table",
  statements,
  async verify(ctx) {
    const exists = await relationExists(ctx.db, ctx.unifiedSchema, "audits");
    return [{ name: "audits exists", status: exists ? "pass" : "fail", detail: exists ? `${ctx.unifiedSchema}.audits` : "missing" }];
  },
  async rollback(ctx) {
    if (await relationExists(ctx.db, ctx.unifiedSchema, "audits")) await ctx.db.query(`DROP TABLE ${quoteIdent(ctx.unifiedSchema)}.audits`);
  },
});
