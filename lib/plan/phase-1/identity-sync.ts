import { qualified, quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { CONTRACT_TABLES } from "@/lib/legacy/contract";
import { relationExists } from "../catalog";
import { runStatementGroups, type StatementCheckpoint } from "../run-statements";
import { createTriggerStatement, dropTrigger, logWrite, plpgsql, syncCommonRollback, syncCommonStatements, syncFunctionName, verifyLiveSync } from "../sync";
import type { PlanContext, Step } from "../types";
import {
  clearConflictsStatement, conflictStatement, emaillessStatements, identityBucketFunction, IDENTITY_LOCKS, linkSourceRowsStatements,
  mergeStatement, referencedEmployee, retireStatements, scopedSourceRows, sourceTable, type IdentityScope,
} from "./identity-sql";
import { identityReferenceFills } from "./reference-tables";
import { cycleConflictStatement, managerConflictStatement } from "./resolve-managers";

/**
 * Live sync for identities (lib/plan/sync.ts, docs/live-sync.md). Before Phase 1 copies or merges
 * anything, this step creates the source-row tables (the exact copies of users and people that the
 * merge reads and the compatibility views return) and a trigger on users and people that, in the
 * writer's transaction, applies the write to the copy and merges again every human whose rows it
 * touched — with the merge step's own statements (lib/plan/phase-1/identity-sql.ts), in the scope
 * of one email. Advisory locks order the trigger against Phase 1's batches, so neither undoes the
 * other (IDENTITY_LOCKS; the proof is in docs/live-sync.md).
 */
export const IDENTITY_TABLES = ["users", "people"] as const;
type IdentityTable = (typeof IDENTITY_TABLES)[number];

const SEQUENCE = "identity_source_row_ids";
/** The normalised email a sync function is about; a name no table of the merge uses for a column. */
const HUMAN = "unify_human";
const EMAIL_SCOPE: IdentityScope = { kind: "email", variable: HUMAN };

function contractColumns(table: IdentityTable): string[] {
  return CONTRACT_TABLES.find((t) => t.name === table)!.columns.map((c) => c.name);
}

function tableStatements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- Source row ids for the copies below, shared by Phase 1's copy and live sync.\nCREATE SEQUENCE IF NOT EXISTS ${u}.${SEQUENCE}`,
    ...IDENTITY_TABLES.flatMap((legacy) => {
      const target = sourceTable(ctx, legacy);
      const name = legacy === "users" ? "user_source_rows" : "person_source_rows";
      return [
        `-- Legacy ${legacy} rows as written (every column, its type), each with the employee it became part of.
CREATE TABLE IF NOT EXISTS ${target} (
  LIKE ${qualified(ctx.legacySchema, legacy)},
  source_row_id bigint PRIMARY KEY,
  employee_id   bigint REFERENCES ${u}.employees (id)
)`,
        `-- The employee pages find a person's source rows by employee.\nCREATE INDEX IF NOT EXISTS ${quoteIdent(`${name}_employee_id_idx`)} ON ${target} (employee_id)`,
        `-- The merge and live sync read one human's rows by normalised email.\nCREATE INDEX IF NOT EXISTS ${quoteIdent(`${name}_email_idx`)} ON ${target} (${u}.norm_email(email))`,
        `-- Live sync finds the copy of a changed or deleted row by its id.\nCREATE INDEX IF NOT EXISTS ${quoteIdent(`${name}_id_idx`)} ON ${target} (id)`,
        `-- Phase 1's batches read one bucket of emails at a time.\nCREATE INDEX IF NOT EXISTS ${quoteIdent(`${name}_bucket_idx`)} ON ${target} (${u}.identity_bucket(email))`,
      ];
    }),
    `-- The merge's batches find a bucket's employees and conflicts without reading the others.\nCREATE INDEX IF NOT EXISTS employees_bucket_idx ON ${u}.employees (${u}.identity_bucket(email_normalized))`,
    `CREATE INDEX IF NOT EXISTS merge_conflicts_bucket_idx ON ${u}.merge_conflicts (${u}.identity_bucket(email_normalized))`,
    `-- Live sync asks whether anything still names a human whose last legacy row went.\nCREATE INDEX IF NOT EXISTS referenced_emails_email_idx ON ${u}.referenced_emails (email_normalized)`,
  ];
}

/** Merges one human (`target`, a normalised email) again, with the merge step's statements; manager links follow when they must. */
function mergeHumanFunction(ctx: PlanContext): string {
  const u = quoteIdent(ctx.unifiedSchema);
  const indent = (sql: string) => `${sql.replace(/\n/g, "\n    ")};`;
  const [demote, unlinkReports, remove] = retireStatements(ctx, EMAIL_SCOPE);
  const fills = identityReferenceFills(u, scopedSourceRows(ctx, EMAIL_SCOPE, "users"), scopedSourceRows(ctx, EMAIL_SCOPE, "people"), {
    users: "this human's users rows",
    people: "this human's people rows",
  });
  const body = `DECLARE
  before_id bigint; before_manager text; before_person integer;
  after_id bigint; after_manager text; after_person integer;
BEGIN
  SELECT id, manager_email, legacy_person_id INTO before_id, before_manager, before_person FROM ${u}.employees WHERE email_normalized = ${HUMAN};
  ${fills.map(indent).join("\n  ")}
  ${indent(mergeStatement(ctx, EMAIL_SCOPE))}
  ${linkSourceRowsStatements(ctx, EMAIL_SCOPE).map(indent).join("\n  ")}
  ${indent(demote)}
  IF EXISTS (SELECT 1 FROM ${u}.employees WHERE email_normalized = ${HUMAN} AND source <> 'referenced'
              AND NOT EXISTS (SELECT 1 FROM ${sourceTable(ctx, "users")} s WHERE ${u}.norm_email(s.email) = ${HUMAN})
              AND NOT EXISTS (SELECT 1 FROM ${sourceTable(ctx, "people")} s WHERE ${u}.norm_email(s.email) = ${HUMAN})) THEN
    BEGIN
      ${indent(unlinkReports).replace(/\n/g, "\n    ")}
      ${indent(remove).replace(/\n/g, "\n    ")}
    EXCEPTION WHEN foreign_key_violation THEN
      -- Rows loaded by a later phase still point at this human: kept as a referenced employee, as a fresh run would keep it.
      UPDATE ${u}.employees SET ${referencedEmployee("btrim(email)")} WHERE email_normalized = ${HUMAN};
    END;
  END IF;
  ${indent(clearConflictsStatement(ctx, EMAIL_SCOPE))}
  ${indent(conflictStatement(ctx, EMAIL_SCOPE))}
  SELECT id, manager_email, legacy_person_id INTO after_id, after_manager, after_person FROM ${u}.employees WHERE email_normalized = ${HUMAN};
  IF (before_id, before_manager, before_person) IS DISTINCT FROM (after_id, after_manager, after_person) THEN
    PERFORM ${u}.sync_identity_managers(${HUMAN});
  END IF;
END;`;
  return `-- Merge one human again after a legacy write, with exactly the merge step's statements in the scope of one email.
CREATE OR REPLACE FUNCTION ${u}.sync_identity(${HUMAN} text) RETURNS void LANGUAGE plpgsql AS ${plpgsql(body)}`;
}

/**
 * The manager links a human's change moves: their own manager, the reports who name them, the
 * reports of dangling managers and the loops through them. Serialised by one lock, taken only when
 * the human appeared, went, or changed manager or directory row.
 */
function managersFunction(ctx: PlanContext): string {
  const u = quoteIdent(ctx.unifiedSchema);
  const body = `DECLARE
  me bigint;
  candidates text[];
BEGIN
  PERFORM pg_advisory_xact_lock(${IDENTITY_LOCKS.namespace}, ${IDENTITY_LOCKS.managers});
  SELECT id INTO me FROM ${u}.employees WHERE email_normalized = ${HUMAN};
  IF me IS NOT NULL THEN
    UPDATE ${u}.employees e SET manager_id = (SELECT m.id FROM ${u}.employees m WHERE m.email_normalized = e.manager_email AND m.id <> e.id)
     WHERE e.id = me;
    UPDATE ${u}.employees e SET manager_id = me WHERE e.manager_email = ${HUMAN} AND e.id <> me AND e.manager_id IS DISTINCT FROM me;
  END IF;
  DELETE FROM ${u}.merge_conflicts c WHERE c.field = 'manager'
     AND (c.email_normalized = ${HUMAN} OR c.email_normalized IN (SELECT x.email_normalized FROM ${u}.employees x WHERE x.manager_email = ${HUMAN}));
  ${managerConflictStatement(u, `(e.email_normalized = ${HUMAN} OR e.manager_email = ${HUMAN})`).replace(/\n/g, "\n  ")};
  -- The loops this change can make or break all run through this human: those on its chain now, and those reported before.
  WITH RECURSIVE reach (id, depth) AS (
    SELECT manager_id, 1 FROM ${u}.employees WHERE id = me AND manager_id IS NOT NULL
    UNION
    SELECT e.manager_id, r.depth + 1 FROM reach r JOIN ${u}.employees e ON e.id = r.id WHERE e.manager_id IS NOT NULL AND r.depth < 64
  )
  SELECT array_agg(DISTINCT email) INTO candidates FROM (
    SELECT ${HUMAN} AS email
    UNION ALL SELECT e.email_normalized FROM ${u}.employees e WHERE e.id IN (SELECT id FROM reach)
    UNION ALL SELECT c.email_normalized FROM ${u}.merge_conflicts c WHERE c.field = 'manager_cycle'
  ) x;
  DELETE FROM ${u}.merge_conflicts WHERE field = 'manager_cycle' AND email_normalized = ANY (candidates);
  ${cycleConflictStatement(u, "email_normalized = ANY (candidates)").replace(/\n/g, "\n  ")};
END;`;
  return `-- Manager links and their reports after one human changed, serialised among writers by one lock.
CREATE OR REPLACE FUNCTION ${u}.sync_identity_managers(${HUMAN} text) RETURNS void LANGUAGE plpgsql AS ${plpgsql(body)}`;
}

/** The trigger function of users or people: lock, apply the write to the copy, merge the humans it touched again. */
function triggerFunction(ctx: PlanContext, table: IdentityTable): string {
  const u = quoteIdent(ctx.unifiedSchema);
  const target = sourceTable(ctx, table);
  const columns = contractColumns(table).map(quoteIdent);
  const [forget, record] = emaillessStatements(ctx, { kind: "row", table, variable: "row_id" });
  const { namespace, all, managers, emailNamespace } = IDENTITY_LOCKS;
  // Whether the write can move a manager link (a human appears or goes, a directory row changes):
  // then the managers' lock is taken before any row is touched, so two such writers never deadlock.
  const movesManagers = table === "people" ? "true" : `TG_OP <> 'UPDATE' OR ${u}.norm_email(OLD.email) IS DISTINCT FROM ${u}.norm_email(NEW.email)`;
  const body = `DECLARE
  raw text[] := '{}';
  bucket integer;
  human text;
  row_id integer;
BEGIN
  IF TG_OP <> 'INSERT' THEN raw := raw || OLD.email; END IF;
  IF TG_OP <> 'DELETE' THEN raw := raw || NEW.email; END IF;
  -- Ordered against Phase 1's batches (a bucket's copy or merge holds it exclusively) and other writers (one human at a time).
  PERFORM pg_advisory_xact_lock_shared(${namespace}, ${all});
  FOR bucket IN SELECT DISTINCT ${u}.identity_bucket(v) FROM unnest(raw) v ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock_shared(${namespace}, bucket);
  END LOOP;
  IF ${movesManagers} THEN
    PERFORM pg_advisory_xact_lock(${namespace}, ${managers});
  END IF;
  FOR human IN SELECT DISTINCT ${u}.norm_email(v) FROM unnest(raw) v WHERE ${u}.norm_email(v) IS NOT NULL ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(${emailNamespace}, hashtext(human));
  END LOOP;
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM ${target} WHERE source_row_id = (
      SELECT r.source_row_id FROM ${target} r
       WHERE r.id = OLD.id AND (${columns.map((c) => `r.${c}`).join(", ")}) IS NOT DISTINCT FROM (${columns.map((c) => `OLD.${c}`).join(", ")})
       LIMIT 1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO ${target} SELECT NEW.*, nextval(${quoteLiteral(`${u}.${SEQUENCE}`)}), NULL::bigint;
  END IF;
  FOR human IN SELECT DISTINCT ${u}.norm_email(v) FROM unnest(raw) v WHERE ${u}.norm_email(v) IS NOT NULL ORDER BY 1 LOOP
    PERFORM ${u}.sync_identity(human);
  END LOOP;
  IF TG_OP <> 'INSERT' AND ${u}.norm_email(OLD.email) IS NULL THEN
    row_id := OLD.id;
    ${forget.replace(/\n/g, "\n    ")};
    ${record.replace(/\n/g, "\n    ")};
  END IF;
  IF TG_OP <> 'DELETE' AND ${u}.norm_email(NEW.email) IS NULL THEN
    row_id := NEW.id;
    ${forget.replace(/\n/g, "\n    ")};
    ${record.replace(/\n/g, "\n    ")};
  END IF;
  ${logWrite(ctx, table)}
  RETURN NULL;
END;`;
  // SECURITY DEFINER: the legacy application's role writes users and people, and needs no right on the unified schema.
  return `-- The copy and the employees a write to ${table} changes, in the writer's transaction.
CREATE OR REPLACE FUNCTION ${u}.${quoteIdent(syncFunctionName("identities", table))}() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS ${plpgsql(body)}`;
}

export const identitySync: Step<StatementCheckpoint> = {
  id: "identity-sync",
  title: "Start live sync: source-row tables, and triggers on users and people that merge each write",
  unit: "statements",
  async plan(ctx) {
    const statements = [
      identityBucketFunction(ctx),
      ...tableStatements(ctx),
      ...syncCommonStatements(ctx),
      managersFunction(ctx),
      mergeHumanFunction(ctx),
      ...IDENTITY_TABLES.map((table) => triggerFunction(ctx, table)),
      ...IDENTITY_TABLES.map((table) => createTriggerStatement(ctx, table, syncFunctionName("identities", table))),
    ];
    return { statements, estimatedRows: 0 };
  },
  // Four transactions: the bucket function, the tables and indexes, the functions, then both triggers (the only ones that wait for legacy writers).
  run: (ctx) => runStatementGroups(ctx, ctx.statements, (sql) => (/CREATE OR REPLACE TRIGGER/.test(sql) ? "triggers" : /CREATE OR REPLACE FUNCTION/.test(sql) ? "functions" : "tables")),
  verify: (ctx) => verifyLiveSync(ctx, IDENTITY_TABLES, "users and people", "both tables"),
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    // The triggers go first, so no legacy write ever reaches a half-removed unified side.
    for (const table of IDENTITY_TABLES) await dropTrigger(ctx.db, ctx, table, syncFunctionName("identities", table));
    await ctx.db.query(`DROP FUNCTION IF EXISTS ${u}.sync_identity(text), ${u}.sync_identity_managers(text)`);
    for (const sql of syncCommonRollback(ctx)) await ctx.db.query(sql);
    if (await relationExists(ctx.db, ctx.unifiedSchema, "user_source_rows")) await ctx.db.query(`DROP TABLE ${u}.user_source_rows`);
    if (await relationExists(ctx.db, ctx.unifiedSchema, "person_source_rows")) await ctx.db.query(`DROP TABLE ${u}.person_source_rows`);
    await ctx.db.query(`DROP SEQUENCE IF EXISTS ${u}.${SEQUENCE}`);
    await ctx.db.query(`DROP INDEX IF EXISTS ${u}.referenced_emails_email_idx, ${u}.employees_bucket_idx, ${u}.merge_conflicts_bucket_idx`);
    await ctx.db.query(`DROP FUNCTION IF EXISTS ${u}.identity_bucket(text)`);
  },
};
