import type { LegacyDiscovery } from "@/lib/legacy/discovery";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { legacyLocation } from "@/lib/legacy/location";
import { canonicalDiscovery, describeDiscoveryChange, discoveryFingerprint } from "@/lib/plan/fingerprint";
import type { PhasePlan } from "@/lib/plan/plan";
import type { PlanContext, Queryable } from "@/lib/plan/types";
import { PlanChangedError } from "./errors";

/**
 * The plan a run executes, stored with the run when it is requested: the context the steps were
 * planned from (legacy schema, audit tables, the whole discovery) and every statement of every
 * step and unit. The executor and every resume run these statements; nothing is rebuilt.
 */
export interface FrozenPlan {
  checksum: string;
  fingerprint: string;
  context: { legacySchema: string; legacyHome?: string; unifiedSchema: string; auditTables: string[]; discovery: LegacyDiscovery };
  steps: {
    id: string;
    title: string;
    /** Rows the step reads or writes, as the lead saw it: the weight of the step in the run's progress. */
    estimatedRows?: number;
    /** What the step's own progress counts. */
    unit?: "rows" | "statements" | "tables";
    statements: string[];
    units?: { id: string; title: string; statements: string[]; estimatedRows: number }[];
  }[];
}

export function freezePlan(plan: PhasePlan, ctx: PlanContext): FrozenPlan {
  return {
    checksum: plan.checksum,
    fingerprint: discoveryFingerprint(ctx.discovery),
    context: { legacySchema: ctx.legacySchema, legacyHome: ctx.legacyHome ?? ctx.legacySchema, unifiedSchema: ctx.unifiedSchema, auditTables: ctx.auditTables, discovery: ctx.discovery },
    steps: plan.steps.map((s) => ({
      id: s.id,
      title: s.title,
      estimatedRows: s.estimatedRows,
      unit: s.unit,
      statements: s.statements,
      ...(s.units ? { units: s.units.map((u) => ({ id: u.id, title: u.title, statements: u.statements, estimatedRows: u.estimatedRows })) } : {}),
    })),
  };
}

/** The plan context a frozen plan was built from, bound to a session. */
export function frozenContext(frozen: FrozenPlan, db: Queryable): PlanContext {
  return { db, ...frozen.context };
}

/**
 * Throws PlanChangedError when the legacy database no longer matches the discovery the plan was
 * built from. Called before every batch, so a run stops before its next statement. Discovery
 * follows the tables: once Phase 5 has moved them into its archive they are discovered there, and
 * the same tables in another schema are the same discovery (Phase 5's own move voids nothing).
 */
export async function assertPlanCurrent(db: Queryable, frozen: FrozenPlan): Promise<void> {
  const planned = frozen.context.legacySchema;
  const location = await legacyLocation(db, frozen.context.legacyHome ?? planned);
  const found = await discoverLegacy(db, location.schema);
  const now = location.schema === planned ? found : { ...found, schema: planned };
  if (discoveryFingerprint(now) === frozen.fingerprint) return;
  const changes = describeDiscoveryChange(canonicalDiscovery(frozen.context.discovery), canonicalDiscovery(now));
  throw new PlanChangedError(
    `The legacy database no longer matches the approved plan: ${changes.join("; ")}. The run stopped before its next statement; a lead must approve the new plan.`,
  );
}
