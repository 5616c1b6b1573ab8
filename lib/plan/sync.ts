import { createHash } from "node:crypto";
import { qualified, quoteIdent, quoteLiteral, sqlComment } from "@/lib/db/sql";
import { archived, syncRemovedByArchive } from "./archive-location";
import { IDENTITY_LOCKS } from "./phase-1/identity-sql";
import type { Check, PlanContext, Queryable } from "./types";

/**
 * Live sync: until the flags switch readers over, the legacy application keeps writing. A trigger
 * on each legacy table a phase loads applies every INSERT, UPDATE and DELETE to the unified side in
 * the writer's own transaction (so the lag is zero), installed before that phase's backfill starts.
 *
 * Why the backfill and the triggers cannot undo each other (docs/live-sync.md): every unified row
 * has a unique origin (audits: source_table + source_id; links: legacy_id). Triggers *upsert* the
 * row's current version (ON CONFLICT DO UPDATE, which under READ COMMITTED always acts on the latest
 * committed version and waits for an uncommitted one); a DELETE leaves a tombstone (deleted_at set)
 * instead of removing the row. The backfill only *inserts what is absent* (ON CONFLICT DO NOTHING).
 * So a batch whose snapshot predates a concurrent write either finds that write's row (or tombstone)
 * and leaves it, or inserts first and is then overwritten by the trigger, which waits for it: the
 * newest legacy version always wins, and a deleted row is never resurrected.
 */
export const SYNC_TRIGGER = "unify_sync";
const TAG = "$unify_sync$";

/**
 * A sync trigger function runs as its owner (the console's role), not as the legacy application's
 * role that wrote the row: the writer needs no privilege on the unified schema, so a legacy write
 * never fails for want of one (docs/security.md). The search path is fixed, as a SECURITY DEFINER
 * function's must be; every name in the bodies is schema-qualified.
 */
export const TRIGGER_FUNCTION_SECURITY = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp";

/** A trigger function's name for a legacy table: a hash, because table names are data. */
export function syncFunctionName(kind: "audits" | "links" | "identities", table: string): string {
  return `sync_${kind}_${createHash("sha256").update(table).digest("hex").slice(0, 12)}`;
}

/** A PL/pgSQL body in dollar quotes; refuses a body that holds the quote tag (it could end the body). */
export function plpgsql(body: string): string {
  if (body.includes(TAG)) throw new Error("a live-sync trigger body cannot contain its own quote tag");
  return `${TAG}\n${body}\n${TAG}`;
}

/** What every phase's sync needs: the write log the phase page reads, and referenced humans on the fly. */
export function syncCommonStatements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- Every legacy write live sync applied (append-only, so concurrent writers never wait on each other).
CREATE TABLE IF NOT EXISTS ${u}.sync_writes (
  id           bigint GENERATED ALWAYS AS IDENTITY (CACHE 100) PRIMARY KEY,
  source_table text NOT NULL,
  operation    text NOT NULL,
  applied_at   timestamptz NOT NULL DEFAULT clock_timestamp()
)`,
    `-- A human a new legacy row names and nobody knows yet becomes a referenced employee, as Phase 1 makes them.
CREATE OR REPLACE FUNCTION ${u}.sync_referenced_employee(source_table text, value text) RETURNS void
  LANGUAGE plpgsql AS ${plpgsql(`DECLARE
  normalized text := ${u}.norm_email(value);
  spelled text := btrim(value);
  created bigint;
BEGIN
  IF normalized IS NULL THEN RETURN; END IF;
  -- The smallest spelling of each human per table, as Phase 1 records it.
  INSERT INTO ${u}.referenced_emails AS r (source_table, email_normalized, email) VALUES (source_table, normalized, spelled)
  ON CONFLICT ON CONSTRAINT referenced_emails_pkey DO UPDATE SET email = EXCLUDED.email WHERE EXCLUDED.email < r.email;
  -- Checked before writing, so a known human costs no lock (writers never queue on a busy auditor).
  IF EXISTS (SELECT 1 FROM ${u}.employees e WHERE e.email_normalized = normalized) THEN RETURN; END IF;
  -- A new employee can be someone's manager: the managers' lock first, as identity sync takes it (lib/plan/phase-1/identity-sync.ts).
  PERFORM pg_advisory_xact_lock(${IDENTITY_LOCKS.namespace}, ${IDENTITY_LOCKS.managers});
  INSERT INTO ${u}.employees (email, email_normalized, is_active, status, source)
  VALUES (spelled, normalized, false, 'unknown', 'referenced')
  ON CONFLICT (email_normalized) DO NOTHING
  RETURNING id INTO created;
  IF created IS NULL THEN RETURN; END IF;
  -- Reports whose manager email names this human point at them now, as Phase 1 links them.
  PERFORM ${u}.sync_identity_managers(normalized);
  -- Links loaded while nobody had this email were kept as orphans: they point at the new employee now.
  IF to_regclass(${quoteLiteral(`${u}.audit_assignments`)}) IS NOT NULL THEN
    UPDATE ${u}.audit_assignments SET auditor_id = created,
           auditor_email_legacy = CASE WHEN auditor_email_legacy = normalized THEN NULL ELSE auditor_email_legacy END
     WHERE auditor_id IS NULL AND ${u}.norm_email(auditor_email_legacy) = normalized;
    UPDATE ${u}.audit_assignments SET employee_id = created,
           employee_email_legacy = CASE WHEN employee_email_legacy = normalized THEN NULL ELSE employee_email_legacy END
     WHERE employee_id IS NULL AND ${u}.norm_email(employee_email_legacy) = normalized;
  END IF;
  IF to_regclass(${quoteLiteral(`${u}.notifications`)}) IS NOT NULL THEN
    UPDATE ${u}.notifications SET recipient_id = created,
           recipient_email_legacy = CASE WHEN recipient_email_legacy = normalized THEN NULL ELSE recipient_email_legacy END
     WHERE recipient_id IS NULL AND ${u}.norm_email(recipient_email_legacy) = normalized;
  END IF;
END;`)}`,
  ];
}

export function syncCommonRollback(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [`DROP FUNCTION IF EXISTS ${u}.sync_referenced_employee(text, text)`, `DROP TABLE IF EXISTS ${u}.sync_writes`];
}

export function createTriggerStatement(ctx: PlanContext, table: string, fn: string): string {
  return `-- ${sqlComment(`Apply every write to the legacy table ${table} to the unified side, in the writer's transaction.`)}
CREATE OR REPLACE TRIGGER ${SYNC_TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON ${qualified(ctx.legacySchema, table)}
  FOR EACH ROW EXECUTE FUNCTION ${quoteIdent(ctx.unifiedSchema)}.${quoteIdent(fn)}()`;
}

/**
 * Removes a live-sync trigger and its function. DROP TRIGGER needs the legacy table's owner; a
 * console role granted only TRIGGER on it (docs/security.md) removes the trigger with its function
 * instead — a CASCADE that is checked first to reach nothing but Unify's own trigger.
 */
export async function dropTrigger(db: Queryable, ctx: PlanContext, table: string, fn: string): Promise<void> {
  const { rows } = await db.query<{ owner: boolean }>(
    `SELECT pg_has_role(c.relowner, 'USAGE') AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    [ctx.legacySchema, table],
  );
  const fnName = `${quoteIdent(ctx.unifiedSchema)}.${quoteIdent(fn)}`;
  if (rows[0]?.owner) await db.query(`DROP TRIGGER IF EXISTS ${SYNC_TRIGGER} ON ${qualified(ctx.legacySchema, table)}`);
  const { rows: dependents } = await db.query<{ what: string; ours: boolean }>(
    `SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS what,
            (d.classid = 'pg_trigger'::regclass AND EXISTS (SELECT 1 FROM pg_trigger t WHERE t.oid = d.objid AND t.tgname = $3)) AS ours
       FROM pg_depend d JOIN pg_proc p ON p.oid = d.refobjid JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE d.refclassid = 'pg_proc'::regclass AND n.nspname = $1 AND p.proname = $2 AND d.deptype = 'n'`,
    [ctx.unifiedSchema, fn, SYNC_TRIGGER],
  );
  const foreign = dependents.filter((d) => !d.ours);
  if (foreign.length) throw new Error(`${fnName}() is used by ${foreign.map((d) => d.what).join(", ")}: not Unify's, so it is left in place; remove that first`);
  await db.query(`DROP FUNCTION IF EXISTS ${fnName}()${dependents.length ? " CASCADE" : ""}`);
}

/**
 * A live-sync step's verify: the enabled sync trigger on each of `tables` in the legacy schema
 * (`allOn` the detail when none is missing), or, once Phase 5 archived them, that it went with them.
 */
export async function verifyLiveSync(ctx: PlanContext, tables: readonly string[], what: string, allOn: string): Promise<Check[]> {
  if (archived(ctx)) return [syncRemovedByArchive(ctx, what)];
  const { rows } = await ctx.db.query<{ table: string }>(
    `SELECT c.relname AS table FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE t.tgname = $1 AND n.nspname = $2 AND t.tgenabled <> 'D'`,
    [SYNC_TRIGGER, ctx.legacySchema],
  );
  const missing = tables.filter((t) => !rows.some((r) => r.table === t));
  return [{ name: `live sync is on for ${what}`, status: missing.length ? "fail" : "pass", detail: missing.length ? `no trigger on ${missing.join(", ")}` : allOn }];
}

/** The line a trigger adds to the write log. */
export function logWrite(ctx: PlanContext, table: string): string {
  return `INSERT INTO ${quoteIdent(ctx.unifiedSchema)}.sync_writes (source_table, operation) VALUES (${quoteLiteral(table)}, TG_OP);`;
}

export interface SyncActivity {
  /** True while a live-sync trigger is on for at least one of the tables. */
  live: boolean;
  /** The tables whose trigger is on. */
  tables: string[];
  writes: number;
  lastAt: Date | null;
}

/** How many legacy writes live sync applied to the given tables (all when omitted), and the last one. */
export async function syncActivity(db: Queryable, unifiedSchema: string, only?: string[]): Promise<SyncActivity> {
  const { rows: triggers } = await db.query<{ table: string }>(
    `SELECT c.relname AS table FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE t.tgname = $1 AND NOT t.tgisinternal AND t.tgenabled <> 'D' AND ($2::text[] IS NULL OR c.relname = ANY ($2::text[])) ORDER BY 1`,
    [SYNC_TRIGGER, only ?? null],
  );
  const tables = triggers.map((t) => t.table);
  const { rows: exists } = await db.query(`SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'sync_writes'`, [unifiedSchema]);
  if (!exists.length) return { live: tables.length > 0, tables, writes: 0, lastAt: null };
  const u = quoteIdent(unifiedSchema);
  // A rollback running meanwhile may drop the table between the look-up above and this read (a
  // phase page rendered during Phase 1's rollback failed so in CI): then, as above, nothing applied.
  const rows = await db
    .query<{ n: string; last: Date | null }>(
      `SELECT (SELECT count(*) FROM ${u}.sync_writes WHERE $1::text[] IS NULL OR source_table = ANY ($1::text[])) AS n,
              (SELECT max(applied_at) FROM ${u}.sync_writes WHERE $1::text[] IS NULL OR source_table = ANY ($1::text[])) AS last`,
      [only ?? null],
    )
    .then((r) => r.rows, (error: { code?: string }) => {
      if (error.code === "42P01") return [];
      throw error;
    });
  return { live: tables.length > 0, tables, writes: Number(rows[0]?.n ?? 0), lastAt: rows[0]?.last ?? null };
}
