import type pg from "pg";
import { archiveViewsSchema } from "@/lib/legacy/location";
import type { PlanContext, Queryable } from "./types";

/**
 * True while Phase 5's archive holds the legacy tables: the context reads them from the archive
 * schema, live sync is gone by design and unneeded compatibility views are in the archive too.
 */
export function archived(ctx: PlanContext): boolean {
  return ctx.legacyHome !== undefined && ctx.legacyHome !== ctx.legacySchema;
}

/**
 * Where a compatibility view is now: in the unified schema, or — once Phase 5 moved it out as
 * unneeded — in the archive's views schema, where validation still reads it.
 */
export async function compatViewSchema(db: Queryable | pg.ClientBase, ctx: PlanContext, view: string): Promise<string> {
  if (!archived(ctx)) return ctx.unifiedSchema;
  const { rows } = await db.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND n.nspname = ANY ($2::text[]) AND c.relkind = 'v' ORDER BY n.nspname = $3 DESC LIMIT 1`,
    [view, [ctx.unifiedSchema, archiveViewsSchema(ctx.legacySchema)], ctx.unifiedSchema],
  );
  return rows[0]?.schema ?? ctx.unifiedSchema;
}

/** A live-sync check once Phase 5 removed live sync on purpose: passes, saying where the tables went. */
export function syncRemovedByArchive(ctx: PlanContext, what: string) {
  return { name: `live sync for ${what} was removed by Phase 5`, status: "pass" as const, detail: `the legacy tables are archived in ${ctx.legacySchema}; nothing writes to them` };
}
