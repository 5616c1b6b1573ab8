import { quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { SYNC_TRIGGER } from "../sync";
import { statementStep } from "../statement-step";
import type { PlanContext } from "../types";
import { archiveSchema, homeSchema, legacyTables, syncedTables } from "./objects";
import { archiveOptions } from "./options";

/** The Phase 5 run being executed (the engine allows one running run): the archive it makes is keyed by it. */
export const RUNNING_PHASE_5 = "(SELECT id FROM console.phase_runs WHERE phase = 5 AND kind = 'run' AND status = 'running')";

const textArray = (values: string[]) => (values.length ? `ARRAY[${values.map(quoteLiteral).join(", ")}]::text[]` : "ARRAY[]::text[]");

/** The compatibility views a lead marked unneeded in the plan's options, in phase order. */
export async function unneededViews(ctx: PlanContext): Promise<string[]> {
  const options = await archiveOptions(ctx.db, ctx);
  return options.views.filter((v) => !v.keep).map((v) => v.view);
}

async function statements(ctx: PlanContext): Promise<string[]> {
  const options = await archiveOptions(ctx.db, ctx);
  const home = homeSchema(ctx);
  const tables = await legacyTables(ctx);
  const views = options.views.filter((v) => !v.keep).map((v) => v.view);
  const synced = syncedTables(ctx).filter((s) => tables.includes(s.table));
  const moved = [
    ...tables.map((t, i) => `('table', ${quoteLiteral(t)}, ${i + 1}, ${quoteLiteral(home)})`),
    ...views.map((v, i) => `('view', ${quoteLiteral(v)}, ${tables.length + i + 1}, ${quoteLiteral(ctx.unifiedSchema)})`),
  ];
  const out = [
    `-- Open this run's archive: the legacy tables go from ${quoteIdent(home)} to ${quoteIdent(archiveSchema())}, kept at least until ${options.retentionUntil ?? "(no retention date set)"}.
INSERT INTO console.archives (run_id, home_schema, archive_schema, archived_by, retention_until)
SELECT r.id, ${quoteLiteral(home)}, ${quoteLiteral(archiveSchema())}, r.requested_by, ${options.retentionUntil ? `DATE ${quoteLiteral(options.retentionUntil)}` : "NULL"}
  FROM console.phase_runs r WHERE r.id = ${RUNNING_PHASE_5}
ON CONFLICT (run_id) DO NOTHING`,
    `-- The ${tables.length} legacy tables and ${views.length} unneeded compatibility views it will hold.
INSERT INTO console.archive_objects (run_id, kind, name, position, home_schema)
SELECT ${RUNNING_PHASE_5}, o.kind, o.name, o.position, o.home_schema
  FROM (VALUES ${moved.join(",\n               ")}) AS o (kind, name, position, home_schema)
ON CONFLICT (run_id, kind, name) DO NOTHING`,
  ];
  if (synced.length) {
    out.push(
      `-- The live-sync triggers it removes, exactly as the catalog defines them, so the rollback recreates each.
INSERT INTO console.archive_objects (run_id, kind, name, position, home_schema, table_name, definition)
SELECT ${RUNNING_PHASE_5}, 'trigger', c.relname, 1000 + row_number() OVER (ORDER BY c.relname COLLATE "C"), n.nspname, c.relname, pg_get_triggerdef(t.oid)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE t.tgname = ${quoteLiteral(SYNC_TRIGGER)} AND n.nspname = ${quoteLiteral(home)} AND c.relname = ANY (${textArray(synced.map((s) => s.table))})
ON CONFLICT (run_id, kind, name) DO NOTHING`,
      `-- And the trigger functions, definitions included.
INSERT INTO console.archive_objects (run_id, kind, name, position, home_schema, definition)
SELECT ${RUNNING_PHASE_5}, 'function', p.proname, 2000 + row_number() OVER (ORDER BY p.proname COLLATE "C"), n.nspname, pg_get_functiondef(p.oid)
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = ${quoteLiteral(ctx.unifiedSchema)} AND p.pronargs = 0 AND p.proname = ANY (${textArray(synced.map((s) => s.fn))})
ON CONFLICT (run_id, kind, name) DO NOTHING`,
    );
  }
  return out;
}

export const archiveRecord = statementStep({
  id: "archive-record",
  title: "Record what Phase 5 moves and removes, so its rollback restores it exactly",
  statements,
  async verify(ctx) {
    const { rows } = await ctx.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM console.archive_objects o JOIN console.archives a ON a.run_id = o.run_id WHERE a.status = 'archived' AND o.kind = 'table'`,
    );
    const n = rows[0]?.n ?? 0;
    return [{ name: "the archive records the tables it holds", status: n > 0 ? "pass" : "fail", detail: n > 0 ? `${n} tables recorded` : "no archive in place records any table" }];
  },
  // What was recorded stays as the archive's history; the archive's status says it was restored.
  async rollback() {},
});
