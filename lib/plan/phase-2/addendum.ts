import { qualified, quoteIdent, quoteLiteral, sqlComment } from "@/lib/db/sql";
import { relationExists } from "../catalog";
import { planChecksum, type PhasePlan, type StepPlanView } from "../plan";
import { SYNC_TRIGGER, syncCommonStatements } from "../sync";
import type { PlanContext } from "../types";
import { compatViewName } from "./audit-columns";
import { phase2 } from "./index";

/**
 * A scorecard table registered after Phase 2 ran: discovery finds it usable (so the phase's plan,
 * and its checksum, already include it), but Phase 2 never set it up. The addendum loads just that
 * table with Phase 2's own steps planned for it alone: its scorecards and scorecard_fields rows,
 * live sync on it (and employees for the humans it names, as Phase 1 makes them), the keyset load
 * of its rows and its compatibility view. The audits table, its indexes and foreign keys stay as
 * they are (an insert maintains them); the run's post-validation is the whole Phase 2 suite.
 */
export const ADDENDUM_STEPS = ["scorecard-tables", "audit-sync", "load-audits", "audit-compat-views"] as const;

/**
 * The usable audit tables Phase 2 has not set up: no scorecards row names them, no live-sync
 * trigger is on them, or their compatibility view is missing. Empty while Phase 2 has not created
 * scorecards at all (then the whole phase is still to run).
 */
export async function unloadedAuditTables(ctx: PlanContext): Promise<string[]> {
  if (!ctx.auditTables.length || !(await relationExists(ctx.db, ctx.unifiedSchema, "scorecards"))) return [];
  const u = quoteIdent(ctx.unifiedSchema);
  const { rows } = await ctx.db.query<{ table: string }>(
    `SELECT t.name AS table
       FROM unnest($1::text[], $2::text[]) AS t (name, view)
      WHERE NOT EXISTS (SELECT 1 FROM ${u}.scorecards s WHERE s.source_table = t.name)
         OR NOT EXISTS (SELECT 1 FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE g.tgname = $3 AND g.tgenabled <> 'D' AND n.nspname = $4 AND c.relname = t.name)
         OR NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = $5 AND c.relname = t.view AND c.relkind = 'v')
      ORDER BY t.name`,
    [ctx.auditTables, ctx.auditTables.map(compatViewName), SYNC_TRIGGER, ctx.legacySchema, ctx.unifiedSchema],
  );
  return rows.map((r) => r.table);
}

/** Employees for the humans a newly registered table names that nobody knows yet, as live sync makes them. */
function referencedHumansStatement(ctx: PlanContext, table: string): string {
  const u = quoteIdent(ctx.unifiedSchema);
  return `-- ${sqlComment(`Every human ${table} names and no employee has yet becomes a referenced employee (after its trigger is on, so no write is missed).`)}
SELECT ${u}.sync_referenced_employee(${quoteLiteral(table)}, h.email)
  FROM (SELECT employee_email FROM ${qualified(ctx.legacySchema, table)} UNION SELECT auditor_email FROM ${qualified(ctx.legacySchema, table)}) AS h (email)
 WHERE ${u}.norm_email(h.email) IS NOT NULL`;
}

export interface AddendumPlan extends PhasePlan {
  /** The audit tables it loads. */
  tables: string[];
}

/**
 * Phase 2's steps planned for `tables` alone (`ctx` is the whole discovery: what the run freezes,
 * validates against and a later rollback undoes). Its checksum binds a lead's approval like any plan's.
 */
export async function addendumPlan(ctx: PlanContext, tables: string[]): Promise<AddendumPlan> {
  const only = { ...ctx, auditTables: [...tables].sort() };
  const common = new Set(syncCommonStatements(ctx));
  const steps: StepPlanView[] = [];
  for (const step of phase2.steps(only)) {
    if (!(ADDENDUM_STEPS as readonly string[]).includes(step.id)) continue;
    const plan = await step.plan(only);
    let statements = plan.units ? plan.units.flatMap((u) => u.statements) : plan.statements;
    // The shared sync objects exist since Phase 2 ran; the new table needs its trigger and its humans.
    if (step.id === "audit-sync") statements = [...statements.filter((s) => !common.has(s)), ...only.auditTables.map((t) => referencedHumansStatement(ctx, t))];
    steps.push({ id: step.id, title: step.title, ...plan, statements, unit: step.unit });
  }
  return { phase: 2, title: `Load ${tables.length === 1 ? "the new scorecard table" : `${tables.length} new scorecard tables`}`, available: true, steps, checksum: planChecksum(steps), preflight: [], tables: only.auditTables };
}
