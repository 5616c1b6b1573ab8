import { quoteIdent } from "@/lib/db/sql";
import { countRows, foreignKeyValidatedCheck, relationExists } from "../catalog";
import { foreignKeyGroup, foreignKeyStatements } from "../foreign-keys";
import { statementStep } from "../statement-step";
import type { Check, PlanContext } from "../types";

/**
 * After the load: the primary key, the indexes the report paths use, the foreign keys added NOT VALID and then
 * validated (one scan each, no lock that stops readers), and fresh statistics.
 */
export const AUDIT_INDEXES = [
  { name: "audits_parameter_scores_idx", definition: "USING gin (parameter_scores jsonb_path_ops)", intent: "Containment queries on scores (parameter_scores @> '{\"q1\": 5}')." },
  { name: "audits_employee_id_audit_date_idx", definition: "(employee_id, audit_date)", intent: "One employee's audits over time." },
  { name: "audits_auditor_id_audit_date_idx", definition: "(auditor_id, audit_date)", intent: "One auditor's audits over time." },
  { name: "audits_scorecard_id_audit_date_idx", definition: "(scorecard_id, audit_date)", intent: "One scorecard's audits over time." },
] as const;

export const AUDIT_FOREIGN_KEYS = [
  { name: "audits_scorecard_id_fkey", column: "scorecard_id", references: "scorecards" },
  { name: "audits_channel_id_fkey", column: "channel_id", references: "channels" },
  { name: "audits_employee_id_fkey", column: "employee_id", references: "employees" },
  { name: "audits_auditor_id_fkey", column: "auditor_id", references: "employees" },
] as const;

function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  const out: string[] = [
    `-- The primary key, built in one pass now that the rows are in (dropped first so the pair can run again).\nALTER TABLE ${u}.audits DROP CONSTRAINT IF EXISTS audits_pkey`,
    `ALTER TABLE ${u}.audits ADD CONSTRAINT audits_pkey PRIMARY KEY (id)`,
    ...AUDIT_INDEXES.map((i) => `-- ${i.intent}\nCREATE INDEX IF NOT EXISTS ${i.name} ON ${u}.audits ${i.definition}`),
  ];
  for (const fk of AUDIT_FOREIGN_KEYS) out.push(...foreignKeyStatements(u, { table: "audits", ...fk }, `${fk.column} must point at ${fk.references}`));
  for (const fk of AUDIT_FOREIGN_KEYS) {
    out.push(`-- Check every existing row against ${fk.references}, without blocking writers.\nALTER TABLE ${u}.audits VALIDATE CONSTRAINT ${fk.name}`);
  }
  out.push(`-- Autovacuum back on for audits, now that the load is done (audits-table held it off).\nALTER TABLE ${u}.audits RESET (autovacuum_enabled)`);
  out.push(`-- Statistics for the planner after the load.\nANALYZE ${u}.audits, ${u}.scorecards, ${u}.scorecard_fields`);
  return out;
}

export const auditIndexes = statementStep({
  id: "audit-indexes",
  title: "Build the report indexes and validate the foreign keys of audits",
  statements,
  scalesWith: "audits",
  groupOf: foreignKeyGroup,
  async verify(ctx) {
    const checks: Check[] = [];
    const keyed = await countRows(
      ctx.db,
      `SELECT count(*) AS n FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = $1 AND k.conname = 'audits_pkey' AND k.contype = 'p'`,
      [ctx.unifiedSchema],
    );
    checks.push({ name: "audits has its primary key", status: keyed === 1 ? "pass" : "fail", detail: keyed === 1 ? "audits_pkey on id" : "missing" });
    for (const index of AUDIT_INDEXES) {
      const valid = await countRows(
        ctx.db,
        `SELECT count(*) AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = $2 AND i.indisvalid`,
        [ctx.unifiedSchema, index.name],
      );
      checks.push({ name: `index ${index.name} is built`, status: valid === 1 ? "pass" : "fail", detail: valid === 1 ? "valid" : "missing or invalid" });
    }
    for (const fk of AUDIT_FOREIGN_KEYS) checks.push(await foreignKeyValidatedCheck(ctx.db, ctx.unifiedSchema, fk.name));
    return checks;
  },
  async rollback(ctx) {
    if (!(await relationExists(ctx.db, ctx.unifiedSchema, "audits"))) return;
    const u = quoteIdent(ctx.unifiedSchema);
    for (const fk of AUDIT_FOREIGN_KEYS) await ctx.db.query(`ALTER TABLE ${u}.audits DROP CONSTRAINT IF EXISTS ${fk.name}`);
    for (const index of AUDIT_INDEXES) await ctx.db.query(`DROP INDEX IF EXISTS ${u}.${index.name}`);
    await ctx.db.query(`ALTER TABLE ${u}.audits DROP CONSTRAINT IF EXISTS audits_pkey`);
  },
});
