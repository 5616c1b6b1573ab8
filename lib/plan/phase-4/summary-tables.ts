import { quoteIdent } from "@/lib/db/sql";
import { relationExists } from "../catalog";
import { statementStep } from "../statement-step";
import type { Check, PlanContext } from "../types";

/**
 * The two summaries as ordinary tables with a unique group key (not materialized views: a refresh
 * recomputes only the groups that changed, readers never wait — docs/analytics.md), and the change
 * log that names those groups: statement-level triggers on audits and audit_assignments append each
 * touched (employee, auditor, scorecard, month) once, before the first load, so nothing written
 * during the load is missed.
 */
export const SUMMARY_TABLES = ["audit_statistics", "scorecard_month_statistics", "scorecard_month_totals", "auditor_performance", "auditor_running_totals", "auditor_month_vectors", "analytics_changes"] as const;
const TRIGGERS = [
  { table: "audits", fn: "analytics_audit_changes", events: ["INSERT", "UPDATE", "DELETE"] },
  { table: "audit_assignments", fn: "analytics_assignment_changes", events: ["INSERT", "UPDATE", "DELETE"] },
] as const;

/**
 * auditor_running_totals packed one row a month (lib/analytics/auditor-vectors.ts reads it): what the auditors page's default
 * order needs of every auditor, so a range is two rows read whole instead of two index ranges of thousands of rows. Uncompressed
 * and out of line (EXTERNAL): a read copies the bytes, nothing is decompressed. A refresh that finds it missing (a Phase 4 that
 * ran before this table existed) creates and fills it first (lib/analytics/refresh.ts).
 */
export const auditorMonthVectorsTable = (u: string) => [
  `-- Every auditor's running totals of one month, packed: the auditors page reads a range as two rows.
CREATE TABLE IF NOT EXISTS ${u}.auditor_month_vectors (
  month    date NOT NULL,
  auditors integer NOT NULL,
  data     bytea NOT NULL,
  CONSTRAINT auditor_month_vectors_pkey PRIMARY KEY (month)
)`,
  `-- Out of line, not compressed (a column's STORAGE in CREATE TABLE needs PostgreSQL 16).
ALTER TABLE ${u}.auditor_month_vectors ALTER COLUMN data SET STORAGE EXTERNAL`,
];

export const triggerName = (table: string, event: string) => `${table}_analytics_${event.toLowerCase()}_trg`;

function transition(event: string): string {
  if (event === "INSERT") return "REFERENCING NEW TABLE AS new_rows";
  if (event === "DELETE") return "REFERENCING OLD TABLE AS old_rows";
  return "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows";
}

function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  const out = [
    `-- Per employee × scorecard × channel × month: counts, sums and extremes of total_score, pass counts, per-field sums and counts.
CREATE TABLE IF NOT EXISTS ${u}.audit_statistics (
  employee_id    bigint NOT NULL,
  scorecard_id   integer NOT NULL,
  channel_id     integer,
  month          date NOT NULL,
  audit_count    integer NOT NULL,
  scored_count   integer NOT NULL,
  total_sum      numeric,
  avg_total      numeric,
  min_total      numeric,
  max_total      numeric,
  passed_count   integer NOT NULL,
  judged_count   integer NOT NULL,
  pass_rate      numeric,
  -- The scorecard's registered field keys, with the sum and the count of each one's numeric scores at the same position.
  field_keys     text[] NOT NULL,
  field_sums     numeric[] NOT NULL,
  field_counts   integer[] NOT NULL,
  -- The key's channel, 0 for none: a group key of required columns (an audit without a channel has one too).
  channel_key    integer NOT NULL GENERATED ALWAYS AS (COALESCE(channel_id, 0)) STORED,
  CONSTRAINT audit_statistics_group_key UNIQUE (employee_id, scorecard_id, month, channel_key)
)`,
    `-- audit_statistics summed per scorecard × channel × department × team × month: what the overview reads.
CREATE TABLE IF NOT EXISTS ${u}.scorecard_month_statistics (
  scorecard_id   integer NOT NULL,
  channel_id     integer,
  department_id  integer,
  team_id        integer,
  month          date NOT NULL,
  audit_count    integer NOT NULL,
  scored_count   integer NOT NULL,
  total_sum      numeric,
  passed_count   integer NOT NULL,
  judged_count   integer NOT NULL,
  channel_key    integer NOT NULL GENERATED ALWAYS AS (COALESCE(channel_id, 0)) STORED,
  department_key integer NOT NULL GENERATED ALWAYS AS (COALESCE(department_id, 0)) STORED,
  team_key       integer NOT NULL GENERATED ALWAYS AS (COALESCE(team_id, 0)) STORED,
  CONSTRAINT scorecard_month_statistics_group_key UNIQUE (scorecard_id, month, channel_key, department_key, team_key)
)`,
    `-- scorecard_month_statistics summed per scorecard × channel × month (a few hundred rows): what the overview reads unless it filters by department or team.
CREATE TABLE IF NOT EXISTS ${u}.scorecard_month_totals (
  scorecard_id   integer NOT NULL,
  channel_id     integer,
  month          date NOT NULL,
  audit_count    integer NOT NULL,
  scored_count   integer NOT NULL,
  total_sum      numeric,
  passed_count   integer NOT NULL,
  judged_count   integer NOT NULL,
  channel_key    integer NOT NULL GENERATED ALWAYS AS (COALESCE(channel_id, 0)) STORED,
  CONSTRAINT scorecard_month_totals_group_key UNIQUE (scorecard_id, month, channel_key)
)`,
    `-- Per auditor × month: audits given, their scores (sums kept so months combine), calibration against every auditor on the same scorecard and month, turnaround from assignment to audit.
CREATE TABLE IF NOT EXISTS ${u}.auditor_performance (
  auditor_id             bigint NOT NULL,
  month                  date NOT NULL,
  audit_count            integer NOT NULL,
  scored_count           integer NOT NULL,
  scorecard_count        integer NOT NULL,
  score_sum              numeric,
  score_sum_squares      numeric,
  avg_score              numeric,
  min_score              numeric,
  max_score              numeric,
  score_stddev           numeric,
  deviation_sum          numeric,
  calibration_deviation  numeric,
  turnaround_count       integer NOT NULL,
  turnaround_median_days numeric,
  turnaround_histogram   jsonb NOT NULL,
  CONSTRAINT auditor_performance_pkey PRIMARY KEY (auditor_id, month)
)`,
    `-- auditor_performance summed per auditor up to each month, from the auditor's first to the last of anyone's: a range of months is
-- two rows per auditor (the total at its end minus the total before its start), what the auditors page reads.
CREATE TABLE IF NOT EXISTS ${u}.auditor_running_totals (
  auditor_id        bigint NOT NULL,
  month             date NOT NULL,
  audit_count       bigint NOT NULL,
  scored_count      bigint NOT NULL,
  score_sum         numeric NOT NULL,
  score_sum_squares numeric NOT NULL,
  deviation_sum     numeric NOT NULL,
  turnaround_count  bigint NOT NULL,
  -- Month first: the page reads every auditor at two months, each an index range in auditor order (a merge join).
  CONSTRAINT auditor_running_totals_pkey PRIMARY KEY (month, auditor_id)
)`,
    ...auditorMonthVectorsTable(u),
    `-- The groups a write touched since the last refresh, each once; the refresh job claims and recomputes them.
CREATE TABLE IF NOT EXISTS ${u}.analytics_changes (
  id           bigint GENERATED ALWAYS AS IDENTITY,
  employee_id  bigint,
  auditor_id   bigint,
  scorecard_id integer,
  month        date,
  CONSTRAINT analytics_changes_pkey PRIMARY KEY (id),
  CONSTRAINT analytics_changes_group_key UNIQUE NULLS NOT DISTINCT (employee_id, auditor_id, scorecard_id, month)
)`,
    `-- Statement-level: one insert per statement, whatever its size (no aggregation in row triggers).
CREATE OR REPLACE FUNCTION ${u}.analytics_audit_changes() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO ${u}.analytics_changes (employee_id, auditor_id, scorecard_id, month)
    SELECT DISTINCT employee_id, auditor_id, scorecard_id, date_trunc('month', audit_date)::date FROM old_rows
    ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO ${u}.analytics_changes (employee_id, auditor_id, scorecard_id, month)
    SELECT DISTINCT employee_id, auditor_id, scorecard_id, date_trunc('month', audit_date)::date FROM new_rows
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$fn$`,
    `-- An assignment moves its auditor's turnaround from the month it was created on.
CREATE OR REPLACE FUNCTION ${u}.analytics_assignment_changes() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO ${u}.analytics_changes (auditor_id, month)
    SELECT DISTINCT auditor_id, date_trunc('month', created_at AT TIME ZONE 'UTC')::date FROM old_rows WHERE auditor_id IS NOT NULL
    ON CONFLICT DO NOTHING;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO ${u}.analytics_changes (auditor_id, month)
    SELECT DISTINCT auditor_id, date_trunc('month', created_at AT TIME ZONE 'UTC')::date FROM new_rows WHERE auditor_id IS NOT NULL
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$fn$`,
  ];
  for (const t of TRIGGERS) {
    for (const event of t.events) {
      const name = triggerName(t.table, event);
      out.push(`-- Record the groups every ${event} on ${t.table} touches.\nDROP TRIGGER IF EXISTS ${name} ON ${u}.${t.table}`);
      out.push(`CREATE TRIGGER ${name} AFTER ${event} ON ${u}.${t.table} ${transition(event)} FOR EACH STATEMENT EXECUTE FUNCTION ${u}.${t.fn}()`);
    }
  }
  return out;
}

export const summaryTables = statementStep({
  id: "analytics-tables",
  title: "Create audit_statistics, auditor_performance, their rollups and the change log with its triggers",
  statements,
  async verify(ctx) {
    const checks: Check[] = [];
    for (const table of SUMMARY_TABLES) {
      const exists = await relationExists(ctx.db, ctx.unifiedSchema, table);
      checks.push({ name: `${table} exists`, status: exists ? "pass" : "fail", detail: exists ? `${ctx.unifiedSchema}.${table}` : "missing" });
    }
    const { rows } = await ctx.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace s ON s.oid = c.relnamespace
        WHERE s.nspname = $1 AND g.tgname = ANY ($2::text[])`,
      [ctx.unifiedSchema, TRIGGERS.flatMap((t) => t.events.map((e) => triggerName(t.table, e)))],
    );
    checks.push({ name: "every change to audits and assignments is recorded", status: rows[0]?.n === 6 ? "pass" : "fail", detail: `${rows[0]?.n ?? 0} of 6 triggers` });
    return checks;
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    for (const t of TRIGGERS) {
      if (!(await relationExists(ctx.db, ctx.unifiedSchema, t.table))) continue;
      for (const event of t.events) await ctx.db.query(`DROP TRIGGER IF EXISTS ${triggerName(t.table, event)} ON ${u}.${t.table}`);
    }
    await ctx.db.query(`DROP FUNCTION IF EXISTS ${u}.analytics_assignment_changes(), ${u}.analytics_audit_changes()`);
    for (const table of [...SUMMARY_TABLES].reverse()) await ctx.db.query(`DROP TABLE IF EXISTS ${u}.${table}`);
  },
});
