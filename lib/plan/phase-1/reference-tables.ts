import { qualified, quoteIdent, sqlComment } from "@/lib/db/sql";
import { normalisedEmailSql } from "@/lib/legacy/contract";
import { countRows, estimateRows, schemaExists } from "../catalog";
import { runStatements, type StatementCheckpoint } from "../run-statements";
import type { Check, PlanContext, Step } from "../types";

/**
 * Creates the unified schema, its normalisation functions and the reference tables, filled from
 * the distinct legacy values. Matching is on the normalised form (trimmed, spaces collapsed,
 * case-folded); the most frequent original spelling is kept for display.
 */
export const REFERENCE_TABLES = ["roles", "departments", "countries", "channels", "teams"] as const;

function ddl(u: string): string[] {
  const simple = (table: string, intent: string) =>
    `-- ${intent}\nCREATE TABLE IF NOT EXISTS ${u}.${table} (\n  id serial PRIMARY KEY,\n  name text NOT NULL,\n  name_normalized text NOT NULL UNIQUE\n)`;
  return [
    `-- The schema that holds every object the migration creates.\nCREATE SCHEMA IF NOT EXISTS ${u}`,
    `-- Normalised text for matching: trimmed, inner spaces collapsed, case-folded; NULL when blank.\nCREATE OR REPLACE FUNCTION ${u}.norm(value text) RETURNS text\n  LANGUAGE sql IMMUTABLE PARALLEL SAFE\n  RETURN nullif(lower(regexp_replace(btrim(value), '\\s+', ' ', 'g')), '')`,
    `-- Normalised email for matching humans across tables: every kind of leading and trailing white space\n-- removed (spaces, tabs, line breaks, no-break and other Unicode spaces), case-folded; NULL when blank.\nCREATE OR REPLACE FUNCTION ${u}.norm_email(value text) RETURNS text\n  LANGUAGE sql IMMUTABLE PARALLEL SAFE\n  RETURN nullif(${normalisedEmailSql("value")}, '')`,
    simple("roles", "Roles of login accounts."),
    simple("departments", "Departments of the staff directory."),
    simple("countries", "Countries of the staff directory."),
    simple("channels", "Channels that scorecards audit (email, chat, phone, …)."),
    `-- Teams belong to a department; the same team name under two departments is two teams.\nCREATE TABLE IF NOT EXISTS ${u}.teams (\n  id serial PRIMARY KEY,\n  name text NOT NULL,\n  name_normalized text NOT NULL,\n  department_id integer REFERENCES ${u}.departments (id),\n  UNIQUE NULLS NOT DISTINCT (department_id, name_normalized)\n)`,
  ];
}

function fill(u: string, table: string, source: string, column: string, label: string): string {
  return `-- ${sqlComment(`Fill ${table} from the distinct values of ${label}.${column}, most frequent spelling kept.`)}
INSERT INTO ${u}.${table} (name, name_normalized)
SELECT DISTINCT ON (normalized) display, normalized
  FROM (SELECT regexp_replace(btrim(${quoteIdent(column)}), '\\s+', ' ', 'g') AS display,
               ${u}.norm(${quoteIdent(column)}) AS normalized, count(*) AS uses
          FROM ${source} src
         WHERE ${u}.norm(${quoteIdent(column)}) IS NOT NULL
         GROUP BY 1, 2) spellings
 ORDER BY normalized, uses DESC, display
ON CONFLICT (name_normalized) DO NOTHING`;
}

/** How many statements identityReferenceFills returns. */
export const IDENTITY_REFERENCE_FILLS = 4;

/**
 * The reference values users and people rows hold, added where missing: from the legacy tables
 * (this step), or from the source rows of one bucket or one human (the merge step and live sync,
 * so a value a legacy writer types after this step is there before an employee needs it).
 */
export function identityReferenceFills(u: string, users: string, people: string, label: { users: string; people: string }): string[] {
  return [
    fill(u, "roles", users, "role", label.users),
    fill(u, "departments", people, "department", label.people),
    fill(u, "countries", people, "country", label.people),
    `-- Fill teams from the distinct (department, team) pairs of ${sqlComment(label.people)}.
INSERT INTO ${u}.teams (name, name_normalized, department_id)
SELECT DISTINCT ON (d.id, s.normalized) s.display, s.normalized, d.id
  FROM (SELECT regexp_replace(btrim(team), '\\s+', ' ', 'g') AS display, ${u}.norm(team) AS normalized,
               ${u}.norm(department) AS department, count(*) AS uses
          FROM ${people} src
         WHERE ${u}.norm(team) IS NOT NULL
         GROUP BY 1, 2, 3) s
  LEFT JOIN ${u}.departments d ON d.name_normalized = s.department
 ORDER BY d.id, s.normalized, s.uses DESC, s.display
ON CONFLICT (department_id, name_normalized) DO NOTHING`,
  ];
}

function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  const users = qualified(ctx.legacySchema, "users");
  const people = qualified(ctx.legacySchema, "people");
  const scorecards = qualified(ctx.legacySchema, "scorecards");
  return [
    ...ddl(u),
    ...identityReferenceFills(u, users, people, { users, people }),
    fill(u, "channels", scorecards, "channel", scorecards),
  ];
}

export const referenceTables: Step<StatementCheckpoint> = {
  id: "reference-tables",
  title: "Create the unified schema and fill the reference tables",
  unit: "statements",
  async plan(ctx) {
    const rows =
      (await estimateRows(ctx.db, ctx.legacySchema, "users")) +
      2 * (await estimateRows(ctx.db, ctx.legacySchema, "people"));
    return { statements: statements(ctx), estimatedRows: rows };
  },
  run: (ctx) => runStatements(ctx, ctx.statements),
  async verify(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    const checks: Check[] = [];
    const pairs: [string, string, string][] = [
      ["roles", "users", "role"],
      ["departments", "people", "department"],
      ["countries", "people", "country"],
      ["channels", "scorecards", "channel"],
    ];
    for (const [table, source, column] of pairs) {
      const missing = await countRows(
        ctx.db,
        `SELECT count(DISTINCT ${u}.norm(${quoteIdent(column)})) AS n FROM ${qualified(ctx.legacySchema, source)} s
          WHERE ${u}.norm(${quoteIdent(column)}) IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM ${u}.${table} r WHERE r.name_normalized = ${u}.norm(s.${quoteIdent(column)}))`,
      );
      checks.push({
        name: `every ${source}.${column} value has a ${table} row`,
        status: missing === 0 ? "pass" : "fail",
        detail: missing === 0 ? "all distinct values present" : `${missing} distinct values missing`,
      });
    }
    return checks;
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    await ctx.db.query(`DROP TABLE IF EXISTS ${u}.teams, ${u}.channels, ${u}.countries, ${u}.departments, ${u}.roles`);
    await ctx.db.query(`DROP FUNCTION IF EXISTS ${u}.norm(text), ${u}.norm_email(text)`);
    if (await schemaExists(ctx.db, ctx.unifiedSchema)) {
      // Without CASCADE: if a later phase left objects here, this fails loudly instead of dropping them.
      await ctx.db.query(`DROP SCHEMA ${u}`);
    }
  },
};
