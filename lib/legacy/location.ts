import type { Queryable } from "@/lib/plan/types";
import { legacySchema } from "./contract";

/**
 * Where the legacy tables are now. Before Phase 5 (and after its rollback) in their home schema
 * (UNIFY_LEGACY_SCHEMA); while Phase 5's archive is in place, in the archive schema it moved them
 * to. Discovery, the plans, the validation suites, the adapter's legacy path, the Schema page and
 * the Inventory all read the legacy tables where they are, so an archived database still validates.
 */
export function archiveSchema(): string {
  return process.env.UNIFY_ARCHIVE_SCHEMA?.trim() || "legacy_archive";
}

/**
 * Where Phase 5 moves the compatibility views a lead marked unneeded: a schema of their own beside
 * the archive, so discovery in the archive sees exactly the legacy tables it saw at home.
 */
export function archiveViewsSchema(archive: string = archiveSchema()): string {
  return `${archive}_views`;
}

export interface LegacyLocation {
  /** The schema the legacy tables belong to (UNIFY_LEGACY_SCHEMA). */
  home: string;
  /** The schema they are in now. */
  schema: string;
  /** The Phase 5 run whose archive holds them, or null when they are at home. */
  archivedBy: number | null;
}

export async function legacyLocation(db: Queryable, home: string = legacySchema()): Promise<LegacyLocation> {
  // Before the console's migrations there is no archive table, and then no archive.
  const { rows: exists } = await db.query<{ ok: boolean }>(`SELECT to_regclass('console.archives') IS NOT NULL AS ok`);
  if (!exists[0]?.ok) return { home, schema: home, archivedBy: null };
  const { rows } = await db.query<{ archive_schema: string; run_id: number }>(
    `SELECT archive_schema, run_id FROM console.archives WHERE home_schema = $1 AND status = 'archived'`,
    [home],
  );
  const current = rows[0];
  return current ? { home, schema: current.archive_schema, archivedBy: current.run_id } : { home, schema: home, archivedBy: null };
}
