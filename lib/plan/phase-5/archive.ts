import { recordActivity } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { pool } from "@/lib/db/pool";
import { hasNul, NUL_MESSAGE, qualified, quoteIdent } from "@/lib/db/sql";
import { planContext } from "../plan";
import { archiveViewsSchema, compatViews } from "./objects";
import { archiveOptions, ArchiveOptionsError, parseRetentionDate, today, type ArchiveOptions } from "./options";

/**
 * Phase 5's archive as people act on it: a lead sets the plan's options (views, retention date),
 * everyone reads the manifest, and an admin drops the archive once the retention date has passed.
 * The console's forms and the CLI call these same functions, role checks included.
 */

export async function readArchiveOptions(): Promise<ArchiveOptions> {
  return archiveOptions(pool(), await planContext(pool()));
}

/**
 * A lead sets the retention date and/or marks compatibility views kept or unneeded. Unknown views
 * and dates in the past are refused, and nothing is written unless all of it is valid. While an
 * archive is in place the new date applies to it (kept longer, or shortened to a date not yet past).
 */
export async function setArchiveOptions(input: { actor: Principal; retentionUntil?: string; views?: Record<string, boolean> }): Promise<ArchiveOptions> {
  await authorize(input.actor, "archive.options", "phase 5");
  const by = input.actor.email ?? "unknown";
  const retention = input.retentionUntil === undefined ? undefined : parseRetentionDate(input.retentionUntil);
  if (retention !== undefined && retention < today()) throw new ArchiveOptionsError(`The retention date ${retention} is in the past: choose today or later`);
  const ctx = await planContext(pool());
  const known = new Set(compatViews(ctx).map((v) => v.view));
  const views = Object.entries(input.views ?? {});
  for (const [view] of views) {
    if (hasNul(view)) throw new ArchiveOptionsError(NUL_MESSAGE);
    if (!known.has(view)) throw new ArchiveOptionsError(`There is no compatibility view "${view}": the views are ${[...known].join(", ")}`);
  }
  if (retention === undefined && !views.length) throw new ArchiveOptionsError("Nothing to change: give a retention date or a view to keep or drop");
  const db = await pool().connect();
  try {
    await db.query("BEGIN");
    // Under the lock a run request takes on its row: options cannot change under a queued or running Phase 5.
    const { rows: running } = await db.query(`SELECT 1 FROM console.phase_runs WHERE phase = 5 AND kind = 'run' AND status IN ('queued', 'running', 'paused') FOR SHARE`);
    if (running.length) throw new ArchiveOptionsError("Phase 5 is running: its options are part of the plan it runs; change them after it finishes");
    if (retention !== undefined) {
      await db.query(
        `INSERT INTO console.archive_settings (id, retention_until, set_by) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET retention_until = EXCLUDED.retention_until, set_by = EXCLUDED.set_by, set_at = now()`,
        [retention, by],
      );
      await db.query(`UPDATE console.archives SET retention_until = $1 WHERE status = 'archived'`, [retention]);
    }
    for (const [view, keep] of views) {
      await db.query(
        `INSERT INTO console.archive_view_choices (view_name, keep, decided_by) VALUES ($1, $2, $3)
         ON CONFLICT (view_name) DO UPDATE SET keep = EXCLUDED.keep, decided_by = EXCLUDED.decided_by, decided_at = now()`,
        [view, keep, by],
      );
    }
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    db.release();
  }
  await recordActivity({
    actor: input.actor,
    action: "archive.options",
    target: "phase 5",
    outcome: "ok",
    detail: { retentionUntil: retention ?? null, views: Object.fromEntries(views.map(([v, keep]) => [v, keep ? "keep" : "unneeded"])) },
  });
  return readArchiveOptions();
}

export interface ManifestEntry {
  kind: "table" | "view" | "trigger" | "function";
  name: string;
  homeSchema: string;
  tableName: string | null;
  rows: number | null;
  checksum: string | null;
  bytes: number | null;
  countedAt: string | null;
}

export interface ArchiveManifest {
  runId: number;
  status: "archiving" | "archived" | "restored" | "dropped";
  homeSchema: string;
  archiveSchema: string;
  archivedBy: string;
  startedAt: string;
  archivedAt: string | null;
  restoredAt: string | null;
  droppedAt: string | null;
  droppedBy: string | null;
  retentionUntil: string;
  /** True once the retention date has passed and the archive is in place: an admin may drop it. */
  droppable: boolean;
  tables: ManifestEntry[];
  /** Compatibility views moved out of the unified schema as unneeded. */
  views: ManifestEntry[];
  /** Live-sync triggers and their functions removed (restored exactly by the rollback). */
  removed: ManifestEntry[];
  totals: { tables: number; rows: number; bytes: number };
}

/** The archive of a Phase 5 run (the latest when none is named), with its manifest; null before any. */
export async function archiveManifest(runId?: number): Promise<ArchiveManifest | null> {
  const { rows } = await pool().query<{
    run_id: number; status: ArchiveManifest["status"]; home_schema: string; archive_schema: string; archived_by: string; started_at: Date; archived_at: Date | null;
    restored_at: Date | null; dropped_at: Date | null; dropped_by: string | null; retention_until: string; droppable: boolean;
  }>(
    `SELECT run_id, status, home_schema, archive_schema, archived_by, started_at, archived_at, restored_at, dropped_at, dropped_by,
            to_char(retention_until, 'YYYY-MM-DD') AS retention_until, (status = 'archived' AND retention_until < current_date) AS droppable
       FROM console.archives WHERE ($1::int IS NULL OR run_id = $1) ORDER BY run_id DESC LIMIT 1`,
    [runId ?? null],
  );
  const archive = rows[0];
  if (!archive) return null;
  const { rows: objects } = await pool().query<{ kind: ManifestEntry["kind"]; name: string; home_schema: string; table_name: string | null; row_count: string | null; checksum: string | null; bytes: string | null; counted_at: Date | null }>(
    `SELECT kind, name, home_schema, table_name, row_count, checksum, bytes, counted_at FROM console.archive_objects WHERE run_id = $1 ORDER BY position, kind, name`,
    [archive.run_id],
  );
  const entries = objects.map((o): ManifestEntry => ({
    kind: o.kind,
    name: o.name,
    homeSchema: o.home_schema,
    tableName: o.table_name,
    rows: o.row_count === null ? null : Number(o.row_count),
    checksum: o.checksum,
    bytes: o.bytes === null ? null : Number(o.bytes),
    countedAt: o.counted_at?.toISOString() ?? null,
  }));
  const tables = entries.filter((e) => e.kind === "table");
  return {
    runId: archive.run_id,
    status: archive.status,
    homeSchema: archive.home_schema,
    archiveSchema: archive.archive_schema,
    archivedBy: archive.archived_by,
    startedAt: archive.started_at.toISOString(),
    archivedAt: archive.archived_at?.toISOString() ?? null,
    restoredAt: archive.restored_at?.toISOString() ?? null,
    droppedAt: archive.dropped_at?.toISOString() ?? null,
    droppedBy: archive.dropped_by,
    retentionUntil: archive.retention_until,
    droppable: archive.droppable,
    tables,
    views: entries.filter((e) => e.kind === "view"),
    removed: entries.filter((e) => e.kind === "trigger" || e.kind === "function"),
    totals: { tables: tables.length, rows: tables.reduce((n, t) => n + (t.rows ?? 0), 0), bytes: tables.reduce((n, t) => n + (t.bytes ?? 0), 0) },
  };
}

/** The word an admin types to confirm dropping the archive: the archive schema's name. */
export function dropConfirmationWord(manifest: Pick<ArchiveManifest, "archiveSchema">): string {
  return manifest.archiveSchema;
}

/**
 * Drops the archive for good: every table and view it holds and then its schema, in one
 * transaction. Only an admin, only once the retention date a lead set has passed, only with the
 * archive schema's name typed as confirmation; refused and allowed attempts are logged alike.
 * Phase 5 cannot be rolled back afterwards (the tables are gone), which the console says.
 */
export async function dropArchive(input: { actor: Principal; confirmation: string }): Promise<ArchiveManifest> {
  await authorize(input.actor, "archive.drop", "phase 5 archive");
  const manifest = await archiveManifest();
  const refuse = async (message: string): Promise<never> => {
    await recordActivity({ actor: input.actor, action: "archive.drop", target: "phase 5 archive", outcome: "failed", detail: { refused: message } });
    throw new ArchiveOptionsError(message);
  };
  if (!manifest || manifest.status !== "archived") return refuse("There is no archive in place to drop (Phase 5 has not archived the legacy tables, or they were restored or dropped)");
  if (input.confirmation.trim() !== dropConfirmationWord(manifest)) return refuse(`Type the archive schema's name, "${dropConfirmationWord(manifest)}", to confirm`);
  if (manifest.retentionUntil >= today()) return refuse(`The archive is kept until ${manifest.retentionUntil} (set by a lead): it can be dropped from the day after`);
  const db = await pool().connect();
  try {
    await db.query("BEGIN");
    const { rows } = await db.query(`SELECT 1 FROM console.archives WHERE run_id = $1 AND status = 'archived' FOR UPDATE`, [manifest.runId]);
    if (!rows.length) throw new ArchiveOptionsError("The archive changed meanwhile: reload and look again");
    const schema = manifest.archiveSchema;
    // Views first (they may read nothing archived, but nothing may be left behind), then tables; no CASCADE.
    for (const view of manifest.views) await db.query(`DROP VIEW IF EXISTS ${qualified(archiveViewsSchema(schema), view.name)}`);
    for (const table of manifest.tables) await db.query(`DROP TABLE IF EXISTS ${qualified(schema, table.name)}`);
    await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(archiveViewsSchema(schema))}`);
    await db.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)}`);
    await db.query(`UPDATE console.archives SET status = 'dropped', dropped_at = now(), dropped_by = $2 WHERE run_id = $1`, [manifest.runId, input.actor.email ?? "unknown"]);
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    await recordActivity({ actor: input.actor, action: "archive.drop", target: "phase 5 archive", outcome: "failed", detail: { error: (error as Error).message } });
    throw error;
  } finally {
    db.release();
  }
  await recordActivity({
    actor: input.actor,
    action: "archive.drop",
    target: "phase 5 archive",
    outcome: "ok",
    detail: { runId: manifest.runId, schema: manifest.archiveSchema, tables: manifest.totals.tables, rows: manifest.totals.rows, retentionUntil: manifest.retentionUntil },
  });
  return (await archiveManifest(manifest.runId))!;
}
