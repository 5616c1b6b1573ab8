import { qualified, quoteLiteral, sqlComment } from "@/lib/db/sql";
import { estimateRows } from "../catalog";
import { runStatements, type StatementCheckpoint } from "../run-statements";
import type { Check, Step } from "../types";
import { RUNNING_PHASE_5 } from "./archive-record";
import { archiveSchema, legacyTables } from "./objects";

/**
 * A table's checksum for the manifest: md5 over its row count and the sum (as numeric: it cannot
 * overflow) of a 64-bit hash of every row's text (PostgreSQL's hashtextextended, seed 0, a fifth
 * of md5's cost per row). Independent of row order, so it needs no sort (one sequential scan of a
 * 10-million-row table), and equal for equal multisets of rows wherever the table lives.
 */
export function tableChecksumSql(relation: string): string {
  return `SELECT count(*) AS row_count,
       md5(count(*)::text || ':' || coalesce(sum(hashtextextended(t::text, 0)), 0)::text) AS checksum
  FROM ${relation} t`;
}

/** The manifest: each archived table's row count, checksum and size, counted in the archive (nothing writes there). */
export const archiveManifestStep: Step<StatementCheckpoint> = {
  id: "archive-manifest",
  title: "Write the archive manifest: row count, checksum and size of every archived table",
  unit: "tables",
  async plan(ctx) {
    const archive = archiveSchema();
    const units = [];
    for (const table of await legacyTables(ctx)) {
      const relation = qualified(archive, table);
      units.push({
        id: table,
        title: table,
        estimatedRows: await estimateRows(ctx.db, ctx.legacySchema, table),
        statements: [
          `-- ${sqlComment(`${table}: its figures in the manifest, counted where it is archived.`)}
UPDATE console.archive_objects o
   SET row_count = s.row_count, checksum = s.checksum, bytes = pg_total_relation_size(${quoteLiteral(relation)}::regclass), counted_at = now()
  FROM (${tableChecksumSql(relation).replace(/\n/g, "\n        ")}) s
 WHERE o.run_id = ${RUNNING_PHASE_5} AND o.kind = 'table' AND o.name = ${quoteLiteral(table)}`,
        ],
      });
    }
    return { statements: units.flatMap((u) => u.statements), estimatedRows: units.reduce((n, u) => n + u.estimatedRows, 0), units };
  },
  run: (ctx) => runStatements(ctx, ctx.statements),
  async verify(ctx) {
    const { rows } = await ctx.db.query<{ run_id: number; archive_schema: string }>(`SELECT run_id, archive_schema FROM console.archives WHERE status = 'archived'`);
    const archive = rows[0];
    if (!archive) return [{ name: "the manifest counts every archived table", status: "fail", detail: "no archive is in place" }];
    const { rows: tables } = await ctx.db.query<{ name: string; row_count: string | null; checksum: string | null }>(
      `SELECT name, row_count, checksum FROM console.archive_objects WHERE run_id = $1 AND kind = 'table' ORDER BY position`,
      [archive.run_id],
    );
    const uncounted = tables.filter((t) => t.row_count === null || t.checksum === null).map((t) => t.name);
    const checks: Check[] = [{
      name: "the manifest counts every archived table",
      status: uncounted.length ? "fail" : "pass",
      detail: uncounted.length ? `not counted: ${uncounted.join(", ")}` : `${tables.length} tables with row count and checksum`,
    }];
    const differ: string[] = [];
    for (const t of tables.filter((x) => x.row_count !== null)) {
      const { rows: now } = await ctx.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(archive.archive_schema, t.name)}`);
      if (now[0]?.n !== t.row_count) differ.push(`${t.name} (manifest ${t.row_count}, archive ${now[0]?.n ?? "missing"})`);
    }
    checks.push({ name: "the manifest's row counts are the archived tables'", status: differ.length ? "fail" : "pass", detail: differ.length ? differ.join("; ") : "every count equal" });
    return checks;
  },
  // The manifest is the archive's history: a rollback marks the archive restored and keeps it.
  async rollback() {},
};
