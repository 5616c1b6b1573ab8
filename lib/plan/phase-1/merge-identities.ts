import { qualified, quoteIdent } from "@/lib/db/sql";
import { count } from "@/lib/validation/types";
import { countRows, estimateRows, relationExists } from "../catalog";
import type { Check, PlanContext, Step } from "../types";

/**
 * The identity merge. Humans are matched by normalised email (trimmed, case-folded) and processed
 * in BUCKETS hash buckets, one transaction each, so a crash resumes at the next bucket.
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

function sources(ctx: PlanContext) {
  const u = quoteIdent(ctx.unifiedSchema);
  const bucket = (column: string) => `(abs(hashtext(${u}.norm_email(${column}))::bigint) % $2) = $1`;
  return {
    u,
    ctes: `rd AS (
  SELECT coalesce(jsonb_object_agg(field, prefer), '{}') AS d FROM console.conflict_rule_decisions WHERE withdrawn_at IS NULL
), u_all AS (
  SELECT s.*, ${u}.norm_email(s.email) AS email_norm FROM ${qualified(ctx.legacySchema, "users")} s
   WHERE ${u}.norm_email(s.email) IS NOT NULL AND ${bucket("s.email")}
), u AS (
  SELECT DISTINCT ON (email_norm) * FROM u_all ORDER BY email_norm, created_at DESC NULLS LAST, id DESC
), p_all AS (
  SELECT s.*, ${u}.norm_email(s.email) AS email_norm FROM ${qualified(ctx.legacySchema, "people")} s
   WHERE ${u}.norm_email(s.email) IS NOT NULL AND ${bucket("s.email")}
), p AS (
  SELECT DISTINCT ON (email_norm) * FROM p_all ORDER BY email_norm, created_at DESC NULLS LAST, id DESC
)`,
  };
}

function mergeStatement(ctx: PlanContext): string {
  const { u, ctes } = sources(ctx);
  const pick = (field: string, otherwise: string) => `CASE WHEN ov.o ? '${field}' THEN ov.o->>'${field}' ELSE ${otherwise} END`;
  const usersWin = (field: RuleField) => `rd.d->>'${field}' = 'users'`;
  return `-- Merge one bucket ($1 of $2) of humans into employees: directory fields from people, login fields from users; a lead's override, else a lead's rule-wide decision, first.
WITH ${ctes}, k AS (
  SELECT email_norm FROM u UNION SELECT email_norm FROM p
), ov AS (
  SELECT email_normalized AS email_norm, jsonb_object_agg(field, value) AS o
    FROM console.conflict_overrides GROUP BY email_normalized
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

function conflictStatement(ctx: PlanContext): string {
  const { u, ctes } = sources(ctx);
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
  return `-- Record every disagreement of one bucket ($1 of $2) with both values and the choice of the rule or of a lead's rule-wide decision.
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

/**
 * Forgets one bucket's ($1 of $2) disagreements between users and people before they are recorded
 * again: which side is the chosen one follows the leads' rule-wide decisions, so a changed decision
 * moves a conflict's alternative to the other table, and the conflict's key with it.
 */
function clearBetweenSourcesStatement(ctx: PlanContext): string {
  const u = quoteIdent(ctx.unifiedSchema);
  return `-- Forget this bucket's ($1 of $2) users-versus-people disagreements: the next statement records them again as now decided.
DELETE FROM ${u}.merge_conflicts
 WHERE field IN (${Object.keys(BETWEEN_SOURCES_RULES).map((f) => `'${f}'`).join(", ")})
   AND split_part(chosen_source, '#', 1) <> split_part(alternative_source, '#', 1)
   AND (abs(hashtext(${u}.norm_email(email_normalized)))::bigint % $2) = $1`;
}

function emaillessStatement(ctx: PlanContext): string {
  const u = quoteIdent(ctx.unifiedSchema);
  return `-- Rows without an email cannot be matched to anyone: report each for a person to resolve.
INSERT INTO ${u}.merge_conflicts (email_normalized, field, chosen_value, chosen_source, alternative_value, alternative_source, rule)
SELECT NULL, 'email', NULL, NULL, btrim(full_name), 'users#' || id, 'row has no email: not migrated'
  FROM ${qualified(ctx.legacySchema, "users")} WHERE ${u}.norm_email(email) IS NULL
UNION ALL
SELECT NULL, 'email', NULL, NULL, btrim(name), 'people#' || id, 'row has no email: not migrated'
  FROM ${qualified(ctx.legacySchema, "people")} WHERE ${u}.norm_email(email) IS NULL
ON CONFLICT (email_normalized, field, alternative_source) DO NOTHING`;
}

export const mergeIdentities: Step<{ bucket: number }> = {
  id: "merge-identities",
  title: "Merge users and people into employees, recording every conflict",
  unit: "rows",
  async plan(ctx) {
    const rows =
      (await estimateRows(ctx.db, ctx.legacySchema, "users")) + (await estimateRows(ctx.db, ctx.legacySchema, "people"));
    return {
      statements: [mergeStatement(ctx), clearBetweenSourcesStatement(ctx), conflictStatement(ctx), emaillessStatement(ctx)],
      estimatedRows: rows,
    };
  },
  async run(ctx) {
    await refuseDuplicateIds(ctx);
    // The approved statements, in plan order: merge, forget and record the conflicts, emailless rows.
    const [merge, clearBetweenSources, conflicts, emailless] = ctx.statements as [string, string, string, string];
    await ctx.setTotal(await distinctIdentities(ctx));
    for (let bucket = ctx.checkpoint?.bucket ?? 0; bucket <= BUCKETS; bucket++) {
      if (await ctx.interrupted()) return;
      await ctx.batch(async (db) => {
        if (bucket === BUCKETS) {
          await db.query(emailless);
          return { checkpoint: { bucket: bucket + 1 }, rows: 0 };
        }
        const merged = await db.query(merge, [bucket, BUCKETS]);
        await db.query(clearBetweenSources, [bucket, BUCKETS]);
        await db.query(conflicts, [bucket, BUCKETS]);
        return { checkpoint: { bucket: bucket + 1 }, rows: merged.rowCount ?? 0 };
      });
    }
  },
  async verify(ctx) {
    return accountForEveryRow(ctx);
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    if (await relationExists(ctx.db, ctx.unifiedSchema, "employees")) {
      await ctx.db.query(`TRUNCATE ${u}.merge_conflicts, ${u}.employees RESTART IDENTITY`);
    }
  },
};

/**
 * The contract promises unique ids in users and people; a table without a key may break it. The
 * merge reports losing rows by id, so it stops first, naming the table and the ids.
 */
async function refuseDuplicateIds(ctx: PlanContext): Promise<void> {
  for (const table of ["users", "people"]) {
    const { rows } = await ctx.db.query<{ id: string; n: number }>(
      `SELECT id::text, count(*)::int AS n FROM ${qualified(ctx.legacySchema, table)} GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 21`,
    );
    if (rows.length) {
      const listed = rows.slice(0, 20).map((r) => `${r.id} (${r.n} rows)`).join(", ");
      throw new Error(`${table} has rows that share an id: ${listed}${rows.length > 20 ? ", …" : ""}. The contract requires unique ids in ${table}: give each row its own id, then run the phase again`);
    }
  }
}

/** Distinct normalised emails across users and people: the number of merged employees to expect. */
function distinctIdentities(ctx: PlanContext): Promise<number> {
  const u = quoteIdent(ctx.unifiedSchema);
  return countRows(
    ctx.db,
    `SELECT count(*) AS n FROM (SELECT ${u}.norm_email(email) e FROM ${qualified(ctx.legacySchema, "users")}
                                UNION SELECT ${u}.norm_email(email) FROM ${qualified(ctx.legacySchema, "people")}) s
      WHERE e IS NOT NULL`,
  );
}

/** Nothing is lost: every legacy identity row is an employee or an explicit conflict record. */
export async function accountForEveryRow(ctx: PlanContext): Promise<Check[]> {
  const u = quoteIdent(ctx.unifiedSchema);
  const checks: Check[] = [];
  for (const [table, column] of [["users", "legacy_user_id"], ["people", "legacy_person_id"]] as const) {
    const source = qualified(ctx.legacySchema, table);
    const total = await countRows(ctx.db, `SELECT count(*) AS n FROM ${source}`);
    const carried = await countRows(ctx.db, `SELECT count(*) AS n FROM ${u}.employees WHERE ${column} IS NOT NULL`);
    const reported = await countRows(
      ctx.db,
      `SELECT count(DISTINCT alternative_source) AS n FROM ${u}.merge_conflicts
        WHERE field IN ('duplicate_row', 'email') AND alternative_source LIKE $1`,
      [`${table}#%`],
    );
    const ok = total === carried + reported;
    checks.push({
      name: `every ${table} row is an employee or a reported conflict`,
      status: ok ? "pass" : "fail",
      detail: `${count(total)} rows = ${count(carried)} employees + ${count(reported)} reported${ok ? "" : " (MISMATCH)"}`,
    });
  }
  const distinct = await distinctIdentities(ctx);
  const merged = await countRows(ctx.db, `SELECT count(*) AS n FROM ${u}.employees WHERE source <> 'referenced'`);
  checks.push({
    name: "one employee per distinct normalised email",
    status: distinct === merged ? "pass" : "fail",
    detail: `${count(distinct)} distinct emails, ${count(merged)} merged employees`,
  });
  return checks;
}
