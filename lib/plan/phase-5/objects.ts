import { CONTRACT_TABLE_NAMES } from "@/lib/legacy/contract";
import { archiveSchema, archiveViewsSchema } from "@/lib/legacy/location";
import { IDENTITY_TABLES } from "../phase-1/identity-sync";
import { compatViewName } from "../phase-2/audit-columns";
import { LINK_TABLES } from "../phase-3/load-links";
import { syncFunctionName } from "../sync";
import type { PlanContext, Queryable } from "../types";

export { archived, compatViewSchema } from "../archive-location";

/**
 * What Phase 5 touches, derived from discovery (never hard-coded): every legacy table discovery
 * found (the contract's tables, every audit table, and tables it reported but did not migrate, so
 * the archive holds the whole legacy schema as discovery saw it), the live-sync triggers of
 * Phases 1, 2 and 3, and the compatibility views a lead may mark unneeded.
 */

/** The home of the legacy tables: where Phase 5 moves them from and its rollback moves them back to. */
export function homeSchema(ctx: PlanContext): string {
  return ctx.legacyHome ?? ctx.legacySchema;
}

export { archiveSchema, archiveViewsSchema };

/** Every table discovery names (whether or not it exists), sorted as the catalog sorts names. */
export function namedLegacyTables(ctx: PlanContext): string[] {
  const named = new Set<string>([...CONTRACT_TABLE_NAMES, ...ctx.auditTables, ...ctx.discovery.conformingTables]);
  for (const anomaly of ctx.discovery.anomalies) if (anomaly.table) named.add(anomaly.table);
  return [...named].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every table discovery names, that exists where the legacy tables are now, in a stable order. */
export async function legacyTables(ctx: PlanContext, db: Queryable = ctx.db): Promise<string[]> {
  const named = namedLegacyTables(ctx);
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY ($2::text[]) AND c.relkind IN ('r', 'p') ORDER BY c.relname COLLATE "C"`,
    [ctx.legacySchema, named],
  );
  return rows.map((r) => r.name);
}

/** The legacy tables live sync put a trigger on (Phase 1: users and people; Phase 2: every audit table; Phase 3: the links), with its function. */
export function syncedTables(ctx: PlanContext): { table: string; fn: string }[] {
  return [
    ...IDENTITY_TABLES.map((table) => ({ table, fn: syncFunctionName("identities", table) })),
    ...ctx.auditTables.map((table) => ({ table, fn: syncFunctionName("audits", table) })),
    ...LINK_TABLES.map((table) => ({ table, fn: syncFunctionName("links", table) })),
  ];
}

export interface CompatView {
  view: string;
  /** The legacy table it reads back. */
  legacy: string;
  phase: number;
}

/** Every compatibility view the earlier phases create, in phase order. */
export function compatViews(ctx: PlanContext): CompatView[] {
  return [
    { view: "users_compat", legacy: "users", phase: 1 },
    { view: "people_compat", legacy: "people", phase: 1 },
    ...ctx.auditTables.map((table) => ({ view: compatViewName(table), legacy: table, phase: 2 })),
    ...LINK_TABLES.map((table) => ({ view: `${table}_compat`, legacy: table, phase: 3 })),
  ];
}
