import { qualified, quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { countRows, relationExists } from "../catalog";
import { runStatements, type StatementCheckpoint } from "../run-statements";
import type { Check, PlanContext, Step } from "../types";

/**
 * `scorecards` and `scorecard_fields` from the legacy registry: only the scorecards discovery
 * found usable (their table exists and conforms) and their usable fields, legacy ids kept, the
 * channel a foreign key to Phase 1's `channels`. Which rows those are is part of the plan's SQL
 * (pairs of id and table name, field key), so a registry change changes the checksum.
 */
function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  const scorecards = ctx.discovery.scorecards.filter((s) => ctx.auditTables.includes(s.tableName));
  const registry = qualified(ctx.legacySchema, "scorecards");
  const fieldsTable = qualified(ctx.legacySchema, "scorecard_fields");
  const statementsOut = [
    `-- One row per scorecard whose audit table is migrated; source_table names that table.
CREATE TABLE IF NOT EXISTS ${u}.scorecards (
  id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  legacy_id     integer NOT NULL UNIQUE,
  name          text,
  source_table  text NOT NULL UNIQUE,
  channel_id    integer REFERENCES ${u}.channels (id),
  passing_score numeric,
  created_at    timestamptz
)`,
    `-- The scored fields of each scorecard; field_key is the key in audits.parameter_scores.
CREATE TABLE IF NOT EXISTS ${u}.scorecard_fields (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  legacy_id    integer NOT NULL,
  scorecard_id integer NOT NULL REFERENCES ${u}.scorecards (id),
  field_key    text NOT NULL,
  column_name  text NOT NULL,
  label        text,
  max_score    integer,
  weight       numeric,
  position     integer,
  UNIQUE (scorecard_id, field_key),
  UNIQUE (scorecard_id, column_name)
)`,
  ];
  if (scorecards.length) {
    const pairs = scorecards.map((s) => `(${Number(s.id)}, ${quoteLiteral(s.tableName)})`).join(",\n         ");
    statementsOut.push(`-- The usable scorecards of the registry, channel matched on its normalised name.
INSERT INTO ${u}.scorecards (legacy_id, name, source_table, channel_id, passing_score, created_at)
SELECT s.id, s.name, s.table_name, c.id, s.passing_score, s.created_at
  FROM ${registry} s
  LEFT JOIN ${u}.channels c ON c.name_normalized = ${u}.norm(s.channel)
 WHERE (s.id, s.table_name) IN (VALUES ${pairs})
ON CONFLICT (legacy_id) DO NOTHING`);
  }
  const fields = scorecards.flatMap((s) => s.fields.map((f) => ({ scorecardId: s.id, fieldId: f.id })));
  if (fields.length) {
    const ids = fields.map((f) => `(${Number(f.fieldId)}, ${Number(f.scorecardId)})`).join(", ");
    statementsOut.push(`-- Their usable fields (a column of an integer type in the audit table).
INSERT INTO ${u}.scorecard_fields (legacy_id, scorecard_id, field_key, column_name, label, max_score, weight, position)
SELECT f.id, s.id, f.field_key, f.column_name, f.label, f.max_score, f.weight, f.position
  FROM ${fieldsTable} f
  JOIN ${u}.scorecards s ON s.legacy_id = f.scorecard_id
 WHERE (f.id, f.scorecard_id) IN (VALUES ${ids})
ON CONFLICT (scorecard_id, field_key) DO NOTHING`);
  }
  return statementsOut;
}

export const scorecardTables: Step<StatementCheckpoint> = {
  id: "scorecard-tables",
  title: "Create scorecards and scorecard_fields from the legacy registry",
  unit: "statements",
  async plan(ctx) {
    const scorecards = ctx.discovery.scorecards.filter((s) => ctx.auditTables.includes(s.tableName));
    return { statements: statements(ctx), estimatedRows: scorecards.reduce((n, s) => n + 1 + s.fields.length, 0) };
  },
  run: (ctx) => runStatements(ctx, ctx.statements),
  async verify(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    const scorecards = ctx.discovery.scorecards.filter((s) => ctx.auditTables.includes(s.tableName));
    const expectedFields = scorecards.reduce((n, s) => n + s.fields.length, 0);
    const haveScorecards = await countRows(ctx.db, `SELECT count(*) AS n FROM ${u}.scorecards`);
    const haveFields = await countRows(ctx.db, `SELECT count(*) AS n FROM ${u}.scorecard_fields`);
    const unmatchedChannels = await countRows(
      ctx.db,
      `SELECT count(*) AS n FROM ${u}.scorecards s JOIN ${qualified(ctx.legacySchema, "scorecards")} l ON l.id = s.legacy_id
        WHERE ${u}.norm(l.channel) IS NOT NULL AND s.channel_id IS NULL`,
    );
    const checks: Check[] = [
      {
        name: "every usable scorecard is in scorecards",
        status: haveScorecards === scorecards.length ? "pass" : "fail",
        detail: `${haveScorecards} of ${scorecards.length}`,
      },
      {
        name: "every usable field is in scorecard_fields",
        status: haveFields === expectedFields ? "pass" : "fail",
        detail: `${haveFields} of ${expectedFields}`,
      },
      {
        name: "every scorecard's channel resolves to a channels row",
        status: unmatchedChannels === 0 ? "pass" : "fail",
        detail: unmatchedChannels === 0 ? "all resolved" : `${unmatchedChannels} scorecards with a channel that is not in channels`,
      },
    ];
    return checks;
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    if (await relationExists(ctx.db, ctx.unifiedSchema, "scorecard_fields")) await ctx.db.query(`DROP TABLE ${u}.scorecard_fields`);
    if (await relationExists(ctx.db, ctx.unifiedSchema, "scorecards")) await ctx.db.query(`DROP TABLE ${u}.scorecards`);
  },
};
