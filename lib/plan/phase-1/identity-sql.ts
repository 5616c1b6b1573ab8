import { quoteIdent } from "@/lib/db/sql";
import type { PlanContext } from "../types";

/**
 * The SQL of the identity merge, written once for two scopes: the merge step's hash bucket (`$1`,
 * the bucket's number) and live sync's one human (a PL/pgSQL variable holding a normalised email).
 * Both read the source rows Phase 1 keeps (exact copies of users and people), so the step and the
 * trigger compute an employee, its conflicts and its links with the same statements and cannot
 * drift apart (docs/live-sync.md).
 *
 * Rules (docs/merge-rules.md): people (the directory) wins name, department, team, country,
 * manager, hire date and status, and so whether the employee is active; users (logins) wins role,
 * password hash and last login; the display email is the directory's, trimmed. Inside one table,
 * duplicate emails keep the newest row (created_at, then id). A lead's rule-wide decision
 * (console.conflict_rule_decisions: users or people win full_name or is_active for everyone) beats
 * the rule, and a lead's override for one human beats both. The decisions and overrides are data the
 * approved SQL reads, so deciding never changes the plan's checksum. Every disagreement and every
 * row not carried over is written to merge_conflicts.
 */
export const BUCKETS = 32;

/** Advisory locks that order live sync against Phase 1's own batches (docs/live-sync.md). */
export const IDENTITY_LOCKS = {
  /** Key 0..BUCKETS-1 a hash bucket of emails, BUCKETS the rows without one; ALL every bucket; MANAGERS the manager links. */
  namespace: 0x756e6964, // "unid"
  all: -1,
  managers: -2,
  /** One human, keyed by hashtext of the normalised email. */
  emailNamespace: 0x756e6965, // "unie"
} as const;

/**
 * The fields users and people both hold, on which a lead may decide for everyone which side wins,
 * with the rule that decides while no lead has.
 */
export const BETWEEN_SOURCES_RULES = {
  full_name: "people wins directory fields",
  is_active: "people status decides whether an employee is active",
} as const;
export type RuleField = keyof typeof BETWEEN_SOURCES_RULES;
export type RuleSide = "users" | "people";

/** How merge_conflicts names the rule of a conflict a lead's rule-wide decision settled. */
export function decidedRule(side: RuleSide, field: RuleField): string {
  return `a lead decided: ${side} win ${field}`;
}

/** The fields of merge_conflicts another statement than the merge's records. */
const NOT_MERGED = ["email", "manager", "manager_cycle"];

/** Which humans a statement is about: one hash bucket (`$1`), or one normalised email in a PL/pgSQL variable. */
export type IdentityScope = { kind: "bucket" } | { kind: "email"; variable: string };

export const BUCKET_SCOPE: IdentityScope = { kind: "bucket" };

/** The bucket a (raw) email falls in: its hash bucket, or BUCKETS when it has no email. */
export function identityBucketFunction(ctx: PlanContext): string {
  const u = quoteIdent(ctx.unifiedSchema);
  return `-- The bucket a human's rows fall in: a hash of the normalised email, ${BUCKETS} for rows without one; Phase 1's batches and live sync lock it.
CREATE OR REPLACE FUNCTION ${u}.identity_bucket(value text) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN coalesce((abs(hashtext(${u}.norm_email(value))::bigint) % ${BUCKETS})::integer, ${BUCKETS})`;
}

export function sourceTable(ctx: PlanContext, legacy: "users" | "people"): string {
  return `${quoteIdent(ctx.unifiedSchema)}.${legacy === "users" ? "user_source_rows" : "person_source_rows"}`;
}

/** A filter on a raw email column (a source row's). */
function rowsIn(ctx: PlanContext, scope: IdentityScope, column: string): string {
  const u = quoteIdent(ctx.unifiedSchema);
  return scope.kind === "bucket" ? `${u}.identity_bucket(${column}) = $1` : `${u}.norm_email(${column}) = ${scope.variable}`;
}

/** A filter on a normalised email column (an employee's, a conflict's). */
function humansIn(ctx: PlanContext, scope: IdentityScope, column: string): string {
  const u = quoteIdent(ctx.unifiedSchema);
  return scope.kind === "bucket" ? `${u}.identity_bucket(${column}) = $1` : `${column} = ${scope.variable}`;
}

function sources(ctx: PlanContext, scope: IdentityScope) {
  const u = quoteIdent(ctx.unifiedSchema);
  return {
    u,
    ctes: `rd AS (
  SELECT coalesce(jsonb_object_agg(field, prefer), '{}') AS d FROM console.conflict_rule_decisions WHERE withdrawn_at IS NULL
), u_all AS (
  SELECT s.*, ${u}.norm_email(s.email) AS email_norm FROM ${sourceTable(ctx, "users")} s
   WHERE ${u}.norm_email(s.email) IS NOT NULL AND ${rowsIn(ctx, scope, "s.email")}
), u AS (
  SELECT DISTINCT ON (email_norm) * FROM u_all ORDER BY email_norm, created_at DESC NULLS LAST, id DESC
), p_all AS (
  SELECT s.*, ${u}.norm_email(s.email) AS email_norm FROM ${sourceTable(ctx, "people")} s
   WHERE ${u}.norm_email(s.email) IS NOT NULL AND ${rowsIn(ctx, scope, "s.email")}
), p AS (
  SELECT DISTINCT ON (email_norm) * FROM p_all ORDER BY email_norm, created_at DESC NULLS LAST, id DESC
)`,
  };
}

export function mergeStatement(ctx: PlanContext, scope: IdentityScope): string {
  const { u, ctes } = sources(ctx, scope);
  const pick = (field: string, otherwise: string) => `CASE WHEN ov.o ? '${field}' THEN ov.o->>'${field}' ELSE ${otherwise} END`;
  const usersWin = (field: RuleField) => `rd.d->>'${field}' = 'users'`;
  return `-- Merge ${scope.kind === "bucket" ? "one bucket ($1)" : "one human"} into employees: directory fields from people, login fields from users; a lead's override, else a lead's rule-wide decision, first.
WITH ${ctes}, k AS (
  SELECT email_norm FROM u UNION SELECT email_norm FROM p
), ov AS (
  SELECT email_normalized AS email_norm, jsonb_object_agg(field, value) AS o
    FROM console.conflict_overrides WHERE ${humansIn(ctx, scope, "email_normalized")} GROUP BY email_normalized
), merged AS (
  SELECT k.email_norm,
         coalesce(btrim(p.email), btrim(u.email)) AS email,
         ${pick("full_name", `CASE WHEN ${usersWin("full_name")} THEN coalesce(nullif(btrim(u.full_name), ''), nullif(btrim(p.name), ''))
                                   ELSE coalesce(nullif(btrim(p.name), ''), nullif(btrim(u.full_name), '')) END`)} AS full_name,
         ${pick("role", "u.role")} AS role,
         ${pick("department", "p.department")} AS department,
         ${pick("team", "p.team")} AS team,
         ${pick("country", "p.country")} AS country,
         ${u}.norm_email(${pick("manager_email", "p.manager_email")}) AS manager_email,
         (${pick("hire_date", "p.hire_date::text")})::date AS hire_date,
         coalesce(nullif(btrim(p.status), ''), CASE WHEN u.is_active THEN 'active' ELSE 'inactive' END) AS status,
         CASE WHEN ov.o ? 'is_active' THEN (ov.o->>'is_active')::boolean
              WHEN ${usersWin("is_active")} AND u.is_active IS NOT NULL THEN u.is_active
              WHEN p.id IS NOT NULL THEN coalesce(${u}.norm(p.status) = 'active', false)
              ELSE coalesce(u.is_active, false) END AS is_active,
         u.password_hash, u.last_login_at, u.id AS legacy_user_id, p.id AS legacy_person_id,
         CASE WHEN u.id IS NOT NULL AND p.id IS NOT NULL THEN 'both'
              WHEN u.id IS NOT NULL THEN 'users' ELSE 'people' END AS source,
         least(u.created_at, p.created_at) AS created_at
    FROM k LEFT JOIN u USING (email_norm) LEFT JOIN p USING (email_norm) LEFT JOIN ov USING (email_norm) CROSS JOIN rd
)
INSERT INTO ${u}.employees (email, email_normalized, full_name, role_id, department_id, team_id, country_id,
                            manager_email, hire_date, status, is_active, password_hash, last_login_at,
                            legacy_user_id, legacy_person_id, source, created_at)
SELECT m.email, m.email_norm, m.full_name, r.id, d.id, t.id, c.id, m.manager_email, m.hire_date, m.status,
       m.is_active, m.password_hash, m.last_login_at, m.legacy_user_id, m.legacy_person_id, m.source, m.created_at
  FROM merged m
  LEFT JOIN ${u}.roles r ON r.name_normalized = ${u}.norm(m.role)
  LEFT JOIN ${u}.departments d ON d.name_normalized = ${u}.norm(m.department)
  LEFT JOIN ${u}.teams t ON t.name_normalized = ${u}.norm(m.team) AND t.department_id IS NOT DISTINCT FROM d.id
  LEFT JOIN ${u}.countries c ON c.name_normalized = ${u}.norm(m.country)
ON CONFLICT (email_normalized) DO UPDATE SET
  email = EXCLUDED.email, full_name = EXCLUDED.full_name, role_id = EXCLUDED.role_id,
  department_id = EXCLUDED.department_id, team_id = EXCLUDED.team_id, country_id = EXCLUDED.country_id,
  manager_email = EXCLUDED.manager_email, hire_date = EXCLUDED.hire_date, status = EXCLUDED.status,
  is_active = EXCLUDED.is_active, password_hash = EXCLUDED.password_hash, last_login_at = EXCLUDED.last_login_at,
  legacy_user_id = EXCLUDED.legacy_user_id, legacy_person_id = EXCLUDED.legacy_person_id,
  source = EXCLUDED.source, created_at = EXCLUDED.created_at, updated_at = now()`;
}

/** Each source row points at the employee its email became part of. */
export function linkSourceRowsStatements(ctx: PlanContext, scope: IdentityScope): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return (["users", "people"] as const).map((legacy) => `-- ${legacy} rows of ${scope.kind === "bucket" ? "this bucket" : "this human"} point at their employee.
UPDATE ${sourceTable(ctx, legacy)} s SET employee_id = e.id
  FROM ${u}.employees e
 WHERE e.email_normalized = ${u}.norm_email(s.email) AND ${rowsIn(ctx, scope, "s.email")} AND ${humansIn(ctx, scope, "e.email_normalized")}
   AND s.employee_id IS DISTINCT FROM e.id`);
}

/**
 * Employees of the scope that no source row names any more (their last legacy row went). A human's
 * rows all fall in the human's bucket, so the source rows are read through the scope's own filter
 * (the bucket's index) rather than hashed whole once per bucket.
 */
function unnamed(ctx: PlanContext, scope: IdentityScope, e: string): string {
  const u = quoteIdent(ctx.unifiedSchema);
  const named = (legacy: "users" | "people") =>
    `SELECT 1 FROM ${sourceTable(ctx, legacy)} s WHERE ${rowsIn(ctx, scope, "s.email")} AND ${u}.norm_email(s.email) = ${e}.email_normalized`;
  return `${e}.source <> 'referenced' AND ${humansIn(ctx, scope, `${e}.email_normalized`)}
   AND NOT EXISTS (${named("users")})
   AND NOT EXISTS (${named("people")})`;
}

/** The columns of an employee known only by reference, as the referenced-humans step creates one. */
export function referencedEmployee(email: string): string {
  return `email = ${email}, full_name = NULL, role_id = NULL, department_id = NULL, team_id = NULL, country_id = NULL,
       manager_id = NULL, manager_email = NULL, hire_date = NULL, status = 'unknown', is_active = false, password_hash = NULL,
       last_login_at = NULL, legacy_user_id = NULL, legacy_person_id = NULL, source = 'referenced', created_at = NULL, updated_at = now()`;
}

/**
 * An employee whose last users and people rows are gone: still named by an audit, an assignment
 * or a notification, it becomes a referenced employee, exactly as a fresh Phase 1 would make it;
 * otherwise it is deleted (its reports lose their manager first). [statement to demote, to unlink reports, to delete]
 */
export function retireStatements(ctx: PlanContext, scope: IdentityScope): [string, string, string] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- Humans whose legacy rows are all gone but whom other legacy rows still name become referenced employees
-- (the smallest spelling recorded; referenced_emails is read by index for just those humans).
UPDATE ${u}.employees e SET ${referencedEmployee(`(SELECT min(r.email) FROM ${u}.referenced_emails r WHERE r.email_normalized = e.email_normalized)`)}
 WHERE EXISTS (SELECT 1 FROM ${u}.referenced_emails r WHERE r.email_normalized = e.email_normalized) AND ${unnamed(ctx, scope, "e")}`,
    `-- The others are deleted: first their reports lose the manager link.
UPDATE ${u}.employees x SET manager_id = NULL
 WHERE x.manager_id IN (SELECT e.id FROM ${u}.employees e WHERE ${unnamed(ctx, scope, "e")})`,
    `DELETE FROM ${u}.employees e WHERE ${unnamed(ctx, scope, "e")}`,
  ];
}

/**
 * Forgets the scope's merge conflicts before they are recorded again: the next statement writes
 * them from the current rows, so a conflict whose row went or changed does not linger, and which
 * side is chosen follows the leads' rule-wide decisions in force.
 */
export function clearConflictsStatement(ctx: PlanContext, scope: IdentityScope): string {
  const u = quoteIdent(ctx.unifiedSchema);
  return `-- Forget ${scope.kind === "bucket" ? "this bucket's ($1)" : "this human's"} merge conflicts: the next statement records them again from the current rows and decisions.
DELETE FROM ${u}.merge_conflicts
 WHERE field NOT IN (${NOT_MERGED.map((f) => `'${f}'`).join(", ")}) AND ${humansIn(ctx, scope, "email_normalized")}`;
}

export function conflictStatement(ctx: PlanContext, scope: IdentityScope): string {
  const { u, ctes } = sources(ctx, scope);
  const differs = (a: string, b: string) => `${u}.norm(${a}) IS DISTINCT FROM ${u}.norm(${b})`;
  // Rows that lost to a newer duplicate (winner w, loser l): always one duplicate_row record, so
  // every row is accounted for, plus one record per field on which they disagree. In `#.column`,
  // # stands for the winner or the loser.
  const duplicates = (table: string, cte: string, fields: [string, string][]) => {
    const rule = `'duplicate email in ${table}: the newest row is kept'`;
    const values = fields
      .map(([field, expr]) => `('${field}', ${expr.replace("#", "w")}, ${expr.replace("#", "l")})`)
      .join(",\n                              ");
    return `  SELECT w.email_norm, 'duplicate_row', btrim(w.email), '${table}#' || w.id, btrim(l.email), '${table}#' || l.id,
         ${rule}
    FROM ${cte}_all l JOIN ${cte} w ON w.email_norm = l.email_norm AND w.id <> l.id
  UNION ALL
  SELECT w.email_norm, f.field, f.chosen, '${table}#' || w.id, f.alternative, '${table}#' || l.id,
         ${rule}
    FROM ${cte}_all l JOIN ${cte} w ON w.email_norm = l.email_norm AND w.id <> l.id
   CROSS JOIN LATERAL (VALUES ${values}) f(field, chosen, alternative)
   WHERE ${differs("f.chosen", "f.alternative")}`;
  };
  // Users against people on one field: the chosen side is the one the merge used — people by the
  // rule, users where a lead's rule-wide decision says so (and users have a value) — and the rule
  // column says which decided.
  const betweenSources = (field: RuleField, usersValue: string, peopleValue: string, usersHaveValue: string) => {
    const byUsers = `(rd.d->>'${field}' = 'users' AND ${usersHaveValue})`;
    const side = (users: string, people: string) => `CASE WHEN ${byUsers} THEN ${users} ELSE ${people} END`;
    return `SELECT u.email_norm, '${field}', ${side(usersValue, peopleValue)}, ${side("'users#' || u.id", "'people#' || p.id")},
         ${side(peopleValue, usersValue)}, ${side("'people#' || p.id", "'users#' || u.id")},
         CASE WHEN ${byUsers} THEN '${decidedRule("users", field)}'
              WHEN rd.d->>'${field}' = 'people' THEN '${decidedRule("people", field)}'
              ELSE '${BETWEEN_SOURCES_RULES[field]}' END
    FROM u JOIN p USING (email_norm) CROSS JOIN rd`;
  };
  const peopleActive = `coalesce(${u}.norm(p.status) = 'active', false)`;
  return `-- Record every disagreement of ${scope.kind === "bucket" ? "one bucket ($1)" : "one human"} with both values and the choice of the rule or of a lead's rule-wide decision.
WITH ${ctes}, found (email_norm, field, chosen_value, chosen_source, alternative_value, alternative_source, rule) AS (
  ${betweenSources("full_name", "btrim(u.full_name)", "btrim(p.name)", "true")}
   WHERE ${u}.norm(u.full_name) IS NOT NULL AND ${u}.norm(p.name) IS NOT NULL AND ${differs("u.full_name", "p.name")}
  UNION ALL
  ${betweenSources("is_active", "u.is_active::text", `${peopleActive}::text`, "u.is_active IS NOT NULL")}
   WHERE u.is_active IS DISTINCT FROM ${peopleActive}
  UNION ALL
${duplicates("users", "u", [["full_name", "btrim(#.full_name)"], ["role", "btrim(#.role)"], ["is_active", "#.is_active::text"]])}
  UNION ALL
${duplicates("people", "p", [
    ["full_name", "btrim(#.name)"],
    ["department", "btrim(#.department)"],
    ["team", "btrim(#.team)"],
    ["country", "btrim(#.country)"],
    ["manager_email", "btrim(#.manager_email)"],
    ["hire_date", "#.hire_date::text"],
    ["status", "btrim(#.status)"],
  ])}
)
INSERT INTO ${u}.merge_conflicts (email_normalized, field, chosen_value, chosen_source, alternative_value, alternative_source, rule)
SELECT * FROM found
ON CONFLICT (email_normalized, field, alternative_source) DO UPDATE SET
  chosen_value = EXCLUDED.chosen_value, chosen_source = EXCLUDED.chosen_source,
  alternative_value = EXCLUDED.alternative_value, rule = EXCLUDED.rule`;
}

/** Rows without an email: every one (the merge's last batch), or the one legacy id a write touched (live sync, a PL/pgSQL variable). */
export type EmaillessScope = { kind: "all" } | { kind: "row"; table: "users" | "people"; variable: string };

/** [forget, record] the reports of rows without an email: they cannot be matched to anyone. */
export function emaillessStatements(ctx: PlanContext, scope: EmaillessScope): [string, string] {
  const u = quoteIdent(ctx.unifiedSchema);
  const tables = scope.kind === "all" ? (["users", "people"] as const) : [scope.table];
  const of = scope.kind === "all" ? "" : ` AND id = ${scope.variable}`;
  const forget = scope.kind === "all" ? "" : ` AND alternative_source = '${scope.table}#' || ${scope.variable}`;
  const record = tables.map((table) => `SELECT NULL, 'email', NULL, NULL, btrim(${table === "users" ? "full_name" : "name"}), '${table}#' || id, 'row has no email: not migrated'
  FROM ${sourceTable(ctx, table)} WHERE ${u}.norm_email(email) IS NULL${of}`);
  return [
    `-- Forget the reports of rows without an email${scope.kind === "all" ? "" : " for this row"}: the next statement makes them again from the current rows.
DELETE FROM ${u}.merge_conflicts WHERE field = 'email'${forget}`,
    `-- Rows without an email cannot be matched to anyone: report each for a person to resolve.
INSERT INTO ${u}.merge_conflicts (email_normalized, field, chosen_value, chosen_source, alternative_value, alternative_source, rule)
${record.join("\nUNION ALL\n")}
ON CONFLICT (email_normalized, field, alternative_source) DO NOTHING`,
  ];
}

/** The source rows of one scope as a relation, for the reference tables' fill (lib/plan/phase-1/reference-tables.ts). */
export function scopedSourceRows(ctx: PlanContext, scope: IdentityScope, legacy: "users" | "people"): string {
  return `(SELECT * FROM ${sourceTable(ctx, legacy)} s WHERE ${rowsIn(ctx, scope, "s.email")})`;
}
