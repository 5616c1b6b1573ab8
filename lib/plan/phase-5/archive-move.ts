import { qualified, quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { SYNC_TRIGGER } from "../sync";
import type { Check, PlanContext, Step, StepContext } from "../types";
import { RUNNING_PHASE_5, unneededViews } from "./archive-record";
import { archiveSchema, archiveViewsSchema, homeSchema, legacyTables, syncedTables } from "./objects";

/**
 * The move, in one transaction: live sync off (its triggers and their functions dropped), every
 * legacy table into the archive schema (ALTER TABLE … SET SCHEMA: a catalog change, no row is
 * read or written, indexes and sequences go with it), the unneeded compatibility views into the
 * archive's views schema, and the archive marked in place. A legacy write lands before (synced) or fails after
 * (the table is gone from its schema): never silently lost.
 */
async function statements(ctx: PlanContext): Promise<string[]> {
  const home = homeSchema(ctx);
  const archive = quoteIdent(archiveSchema());
  const tables = await legacyTables(ctx);
  const synced = syncedTables(ctx).filter((s) => tables.includes(s.table));
  const views = await unneededViews(ctx);
  return [
    `-- The archive: a schema of its own beside ${quoteIdent(home)}.\nCREATE SCHEMA IF NOT EXISTS ${archive}`,
    ...synced.map((s, i) => `${i === 0 ? "-- Live sync ends: nothing is written to the legacy tables any more.\n" : ""}DROP TRIGGER IF EXISTS ${SYNC_TRIGGER} ON ${qualified(home, s.table)}`),
    ...tables.map((t, i) => `${i === 0 ? "-- Every legacy table into the archive, rows, indexes and sequences untouched.\n" : ""}ALTER TABLE IF EXISTS ${qualified(home, t)} SET SCHEMA ${archive}`),
    ...synced.map((s, i) => `${i === 0 ? "-- The live-sync functions, now called by nothing.\n" : ""}DROP FUNCTION IF EXISTS ${qualified(ctx.unifiedSchema, s.fn)}()`),
    ...(views.length ? [`-- The compatibility views a lead marked unneeded leave the unified schema for one of their own.\nCREATE SCHEMA IF NOT EXISTS ${quoteIdent(archiveViewsSchema())}`] : []),
    ...views.map((v) => `ALTER VIEW IF EXISTS ${qualified(ctx.unifiedSchema, v)} SET SCHEMA ${quoteIdent(archiveViewsSchema())}`),
    `-- From here on discovery, validation and the legacy readers find the tables in the archive.
UPDATE console.archives SET status = 'archived', archived_at = now() WHERE run_id = ${RUNNING_PHASE_5} AND status = 'archiving'`,
  ];
}

async function relationsIn(ctx: PlanContext, schema: string, names: string[], kinds: string[]): Promise<string[]> {
  const { rows } = await ctx.db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY ($2::text[]) AND c.relkind = ANY ($3::"char"[])`,
    [schema, names, kinds],
  );
  return rows.map((r) => r.name);
}

interface ArchiveRow {
  run_id: number;
  status: string;
  home_schema: string;
  archive_schema: string;
}

/** The archive a Phase 5 rollback restores: the one in place or still being made. */
async function archiveToRestore(ctx: StepContext): Promise<ArchiveRow | null> {
  const { rows } = await ctx.db.query<ArchiveRow>(
    `SELECT run_id, status, home_schema, archive_schema FROM console.archives WHERE status IN ('archiving', 'archived', 'dropped') ORDER BY run_id DESC LIMIT 1`,
  );
  return rows[0] ?? null;
}

export const archiveMove: Step<{ done: true }> = {
  id: "archive-move",
  title: "Move the legacy tables into the archive; remove live sync and the unneeded compatibility views",
  unit: "statements",
  async plan(ctx) {
    return { statements: await statements(ctx), estimatedRows: 0 };
  },
  async run(ctx) {
    if (ctx.checkpoint?.done) return;
    await ctx.setTotal(ctx.statements.length);
    // One transaction: the archive is in place whole, or not at all.
    await ctx.batch(async (db) => {
      for (const sql of ctx.statements) await db.query(sql);
      return { checkpoint: { done: true }, rows: ctx.statements.length };
    });
  },
  async verify(ctx) {
    const { rows } = await ctx.db.query<ArchiveRow>(`SELECT run_id, status, home_schema, archive_schema FROM console.archives WHERE status = 'archived'`);
    const archive = rows[0];
    if (!archive) return [{ name: "the legacy tables are archived", status: "fail", detail: "no archive is in place" }];
    const { rows: objects } = await ctx.db.query<{ kind: string; name: string }>(`SELECT kind, name FROM console.archive_objects WHERE run_id = $1 AND kind IN ('table', 'view')`, [archive.run_id]);
    const tables = objects.filter((o) => o.kind === "table").map((o) => o.name);
    const views = objects.filter((o) => o.kind === "view").map((o) => o.name);
    const inArchive = await relationsIn(ctx, archive.archive_schema, tables, ["r", "p"]);
    const leftHome = await relationsIn(ctx, archive.home_schema, tables, ["r", "p"]);
    const viewsMoved = await relationsIn(ctx, archiveViewsSchema(archive.archive_schema), views, ["v"]);
    const { rows: triggers } = await ctx.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE t.tgname = $1 AND n.nspname = ANY ($2::text[]) AND c.relname = ANY ($3::text[])`,
      [SYNC_TRIGGER, [archive.home_schema, archive.archive_schema], tables],
    );
    const missing = tables.filter((t) => !inArchive.includes(t));
    const checks: Check[] = [
      { name: "every legacy table is in the archive", status: missing.length ? "fail" : "pass", detail: missing.length ? `not in ${archive.archive_schema}: ${missing.join(", ")}` : `${tables.length} tables in ${archive.archive_schema}` },
      { name: "no legacy table is left in its home schema", status: leftHome.length ? "fail" : "pass", detail: leftHome.length ? `still in ${archive.home_schema}: ${leftHome.join(", ")}` : `${archive.home_schema} holds none of them` },
      { name: "live sync is off", status: triggers[0]?.n ? "fail" : "pass", detail: triggers[0]?.n ? `${triggers[0].n} live-sync triggers remain` : "no live-sync trigger on an archived table" },
      { name: "the unneeded compatibility views left the unified schema", status: viewsMoved.length === views.length ? "pass" : "fail", detail: views.length ? `${viewsMoved.length} of ${views.length} in ${archiveViewsSchema(archive.archive_schema)}` : "a lead marked none unneeded" },
    ];
    return checks;
  },
  /**
   * Everything back as it was: tables and views to their schemas, the trigger functions and the
   * triggers recreated from the definitions recorded before they were dropped, the archive schema
   * dropped (without CASCADE: anything else in it makes this fail loudly). One transaction.
   */
  async rollback(ctx) {
    const archive = await archiveToRestore(ctx);
    if (!archive) return;
    if (archive.status === "dropped") throw new Error(`the archive of run #${archive.run_id} was dropped: the legacy tables no longer exist, Phase 5 cannot be rolled back`);
    const { rows: objects } = await ctx.db.query<{ kind: string; name: string; home_schema: string; table_name: string | null; definition: string | null }>(
      `SELECT kind, name, home_schema, table_name, definition FROM console.archive_objects WHERE run_id = $1 ORDER BY position`,
      [archive.run_id],
    );
    const schema = archive.archive_schema;
    const viewsSchema = archiveViewsSchema(schema);
    for (const o of objects.filter((x) => x.kind === "table" || x.kind === "view")) {
      const from = o.kind === "table" ? schema : viewsSchema;
      const here = await relationsIn(ctx, from, [o.name], o.kind === "table" ? ["r", "p"] : ["v"]);
      if (here.length) await ctx.db.query(`ALTER ${o.kind === "table" ? "TABLE" : "VIEW"} ${qualified(from, o.name)} SET SCHEMA ${quoteIdent(o.home_schema)}`);
    }
    for (const o of objects.filter((x) => x.kind === "function" && x.definition)) {
      const { rows } = await ctx.db.query(`SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = $2`, [o.home_schema, o.name]);
      if (!rows.length) await ctx.db.query(o.definition!);
    }
    for (const o of objects.filter((x) => x.kind === "trigger" && x.definition)) {
      const { rows } = await ctx.db.query(
        `SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.tgname = $1 AND n.nspname = $2 AND c.relname = $3`,
        [SYNC_TRIGGER, o.home_schema, o.table_name],
      );
      if (!rows.length) await ctx.db.query(o.definition!);
    }
    await ctx.db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(viewsSchema)}`);
    await ctx.db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)}`);
    await ctx.db.query(`UPDATE console.archives SET status = 'restored', restored_at = now() WHERE run_id = $1`, [archive.run_id]);
    await ctx.log(`restored ${objects.length} objects from ${quoteLiteral(schema)}`);
  },
};
