import { quoteLiteral } from "@/lib/db/sql";
import type { Queryable } from "../types";

/**
 * The summaries' definitions, as SQL over `audits` (and `audit_assignments` for turnaround).
 * The same SELECTs fill the tables at Phase 4 (every group) and the refresh job (only the groups
 * a change touched, named in a keys relation), so an incremental refresh and a full one compute
 * each group by one definition (docs/analytics.md).
 *
 * audit_statistics — one row per employee × scorecard × channel × month of non-deleted audits with
 * an employee and a date; sums and counts kept beside the averages so a range of months combines
 * exactly. auditor_performance — one row per auditor × month of the audits they gave.
 */
const MONTH = (column: string) => `date_trunc('month', ${column})::date`;
const NEXT_MONTH = (column: string) => `(${column} + interval '1 month')`;

export const STATISTICS_COLUMNS = [
  "employee_id", "scorecard_id", "channel_id", "month", "audit_count", "scored_count", "total_sum", "avg_total", "min_total", "max_total",
  "passed_count", "judged_count", "pass_rate", "field_keys", "field_sums", "field_counts",
] as const;

export const PERFORMANCE_COLUMNS = [
  "auditor_id", "month", "audit_count", "scored_count", "scorecard_count", "score_sum", "score_sum_squares", "avg_score", "min_score",
  "max_score", "score_stddev", "deviation_sum", "calibration_deviation", "turnaround_count", "turnaround_median_days", "turnaround_histogram",
] as const;

export const ROLLUP_COLUMNS = [
  "scorecard_id", "channel_id", "department_id", "team_id", "month", "audit_count", "scored_count", "total_sum", "passed_count", "judged_count",
] as const;

/** A scorecard as the statistics read it: its audit table (unified `scorecards.source_table`) and its registered field keys, in order. */
export interface ScorecardFields {
  sourceTable: string;
  fieldKeys: string[];
}

/** The unified id of the scorecard whose audits came from `sourceTable`: a scalar subquery, so the plan needs no id. */
export const scorecardIdOf = (u: string, sourceTable: string) => `(SELECT id FROM ${u}.scorecards WHERE source_table = ${quoteLiteral(sourceTable)})`;

/**
 * scorecard_month_statistics: audit_statistics summed per scorecard × channel × the employee's
 * department × team × month — small enough for the overview to read whole at any size. One
 * scorecard's groups, or only the (scorecard_id, month) pairs in `keys`, or every group.
 */
export function rollupSelect(u: string, scope: { keys: string } | { sourceTable: string } | null): string {
  // Named pairs: each read through audit_statistics_scorecard_id_month_idx (OFFSET 0 keeps it a parameterised scan, not a hash join over every group).
  const from =
    scope && "keys" in scope
      ? `${scope.keys} k CROSS JOIN LATERAL (SELECT * FROM ${u}.audit_statistics s WHERE s.scorecard_id = k.scorecard_id AND s.month = k.month OFFSET 0) s`
      : `${u}.audit_statistics s`;
  const where = scope && "sourceTable" in scope ? `WHERE s.scorecard_id = ${scorecardIdOf(u, scope.sourceTable)}` : "";
  return `SELECT s.scorecard_id, s.channel_id, e.department_id, e.team_id, s.month, sum(s.audit_count)::int, sum(s.scored_count)::int, sum(s.total_sum),
       sum(s.passed_count)::int, sum(s.judged_count)::int
  FROM ${from} JOIN ${u}.employees e ON e.id = s.employee_id ${where}
 GROUP BY 1, 2, 3, 4, 5`;
}

export const TOTALS_COLUMNS = ["scorecard_id", "channel_id", "month", "audit_count", "scored_count", "total_sum", "passed_count", "judged_count"] as const;

/**
 * scorecard_month_totals: the rollup summed over departments and teams — per scorecard × channel ×
 * month, a few hundred rows at any size, what the overview reads when it does not filter by
 * department or team. Same scopes as the rollup.
 */
export function totalsSelect(u: string, scope: { keys: string } | { sourceTable: string } | null): string {
  const join = scope && "keys" in scope ? `JOIN ${scope.keys} k ON r.scorecard_id = k.scorecard_id AND r.month = k.month` : "";
  const where = scope && "sourceTable" in scope ? `WHERE r.scorecard_id = ${scorecardIdOf(u, scope.sourceTable)}` : "";
  return `SELECT r.scorecard_id, r.channel_id, r.month, sum(r.audit_count)::int, sum(r.scored_count)::int, sum(r.total_sum), sum(r.passed_count)::int,
       sum(r.judged_count)::int
  FROM ${u}.scorecard_month_statistics r ${join} ${where}
 GROUP BY 1, 2, 3`;
}

/**
 * One scorecard's groups of audit_statistics — every group, or only those whose (employee_id,
 * scorecard_id, month) appear in `keys` (a relation with those three columns). Typed, not a row per
 * field: each registered field is read once per audit (`(parameter_scores ->> key)::bigint`, a JSON
 * null is "not scored") and summed and counted, and the group stores the keys with their sums and
 * counts as three aligned arrays, so any range of groups combines exactly.
 */
export function statisticsSelect(u: string, card: ScorecardFields, keys: string | null): string {
  // Named groups: each read through the (employee_id, scorecard_id, …, audit_date) index (OFFSET 0 keeps the subquery a
  // parameterised scan: a hash join would read the scorecard's every audit for a batch of groups).
  const id = scorecardIdOf(u, card.sourceTable);
  const from = keys
    ? `${keys} k CROSS JOIN LATERAL (
          SELECT a.employee_id, a.scorecard_id, a.channel_id, a.audit_date, a.total_score, a.passed, a.parameter_scores, a.deleted_at FROM ${u}.audits a
           WHERE a.employee_id = k.employee_id AND a.scorecard_id = k.scorecard_id AND a.audit_date >= k.month AND a.audit_date < ${NEXT_MONTH("k.month")}
          OFFSET 0) a`
    : `${u}.audits a`;
  const fields = card.fieldKeys.map((key, i) => ({ key: quoteLiteral(key), value: `f${i}` }));
  const values = fields.map((f) => `,\n               (a.parameter_scores ->> ${f.key})::bigint AS ${f.value}`).join("");
  const array = (items: string[], type: string) => (items.length ? `ARRAY[${items.join(", ")}]::${type}[]` : `'{}'::${type}[]`);
  return `SELECT employee_id, scorecard_id, channel_id, month, count(*)::int, count(total_score)::int, sum(total_score), avg(total_score), min(total_score),
       max(total_score), count(*) FILTER (WHERE passed)::int, count(passed)::int, count(*) FILTER (WHERE passed)::numeric / NULLIF(count(passed), 0),
       ${array(fields.map((f) => f.key), "text")},
       ${array(fields.map((f) => `sum(${f.value})`), "numeric")},
       ${array(fields.map((f) => `count(${f.value})::int`), "int")}
  FROM (SELECT a.employee_id, a.scorecard_id, a.channel_id, ${MONTH("a.audit_date")} AS month, a.total_score, a.passed${values}
          FROM ${from}
         WHERE ${keys ? "k" : "a"}.scorecard_id = ${id} AND a.deleted_at IS NULL AND a.employee_id IS NOT NULL AND a.audit_date IS NOT NULL) a
 GROUP BY 1, 2, 3, 4`;
}

/**
 * auditor_performance for every (auditor_id, month) in `keys` (a SELECT of those two columns).
 * Calibration: each scored audit minus the mean of every auditor's scored audits on the same
 * scorecard in the same month, averaged. Turnaround: an assignment is matched to the first
 * non-deleted audit by the same auditor of the same employee on the same scorecard dated on or
 * after the assignment's created_at (its UTC date), ties by audit id; days between the two, counted
 * in the month of that audit.
 */
export function performanceSelect(u: string, keys: string, scope: "every auditor-month" | "some auditor-months"): string {
  // Only an assignment of the same auditor, employee and scorecard as an audit of a named auditor-month can be matched to one of
  // them: for some auditor-months, those few assignments are matched (not every assignment of those auditors); for all, every one is.
  const candidates =
    scope === "every auditor-month"
      ? `JOIN (SELECT DISTINCT auditor_id FROM keys) ka ON ka.auditor_id = x.auditor_id`
      : `JOIN (SELECT DISTINCT auditor_id, employee_id, scorecard_id FROM given WHERE employee_id IS NOT NULL) t
      ON t.auditor_id = x.auditor_id AND t.employee_id = x.employee_id AND t.scorecard_id = x.scorecard_id`;
  // Every auditor-month: joins the planner hashes over whole scans. Some: each named auditor-month and scorecard-month read through its
  // index (OFFSET 0 keeps the subquery a parameterised scan), where a hash join would scan every audit for a month of new ones.
  const given =
    scope === "every auditor-month"
      ? `SELECT a.auditor_id, ${MONTH("a.audit_date")} AS month, a.scorecard_id, a.employee_id, a.total_score
    FROM ${u}.audits a JOIN keys k ON a.auditor_id = k.auditor_id AND ${MONTH("a.audit_date")} = k.month
     AND a.audit_date >= k.month AND a.audit_date < ${NEXT_MONTH("k.month")}
   WHERE a.deleted_at IS NULL`
      : `SELECT a.auditor_id, k.month, a.scorecard_id, a.employee_id, a.total_score
    FROM keys k CROSS JOIN LATERAL (
      SELECT a.auditor_id, a.scorecard_id, a.employee_id, a.total_score FROM ${u}.audits a
       WHERE a.auditor_id = k.auditor_id AND a.audit_date >= k.month AND a.audit_date < ${NEXT_MONTH("k.month")} AND a.deleted_at IS NULL
      OFFSET 0) a`;
  const means =
    scope === "every auditor-month"
      ? `SELECT a.scorecard_id, ${MONTH("a.audit_date")} AS month, avg(a.total_score) AS mean
    FROM ${u}.audits a JOIN (SELECT DISTINCT scorecard_id, month FROM given) g
      ON a.scorecard_id = g.scorecard_id AND ${MONTH("a.audit_date")} = g.month AND a.audit_date >= g.month AND a.audit_date < ${NEXT_MONTH("g.month")}
   WHERE a.deleted_at IS NULL AND a.auditor_id IS NOT NULL AND a.total_score IS NOT NULL
   GROUP BY 1, 2`
      : `SELECT g.scorecard_id, g.month, m.mean
    FROM (SELECT DISTINCT scorecard_id, month FROM given) g CROSS JOIN LATERAL (
      SELECT avg(a.total_score) AS mean FROM ${u}.audits a
       WHERE a.scorecard_id = g.scorecard_id AND a.audit_date >= g.month AND a.audit_date < ${NEXT_MONTH("g.month")}
         AND a.deleted_at IS NULL AND a.auditor_id IS NOT NULL AND a.total_score IS NOT NULL) m`;
  return `WITH keys AS (${keys}
), given AS (
  ${given}
), means AS (
  ${means}
), scores AS (
  SELECT g.auditor_id, g.month, count(*)::int AS audit_count, count(g.total_score)::int AS scored_count,
         count(DISTINCT g.scorecard_id)::int AS scorecard_count, sum(g.total_score) AS score_sum,
         sum(g.total_score * g.total_score) AS score_sum_squares, avg(g.total_score) AS avg_score,
         min(g.total_score) AS min_score, max(g.total_score) AS max_score, stddev_pop(g.total_score) AS score_stddev,
         sum(g.total_score - m.mean) AS deviation_sum, avg(g.total_score - m.mean) AS calibration_deviation
    FROM given g LEFT JOIN means m ON m.scorecard_id = g.scorecard_id AND m.month = g.month
   GROUP BY 1, 2
), matched AS (
  SELECT x.auditor_id, ${MONTH("m.audit_date")} AS month, (m.audit_date - (x.created_at AT TIME ZONE 'UTC')::date) AS days
    FROM ${u}.audit_assignments x
    ${candidates}
    CROSS JOIN LATERAL (
      SELECT a.audit_date FROM ${u}.audits a
       WHERE a.auditor_id = x.auditor_id AND a.employee_id = x.employee_id AND a.scorecard_id = x.scorecard_id
         AND a.deleted_at IS NULL AND a.audit_date >= (x.created_at AT TIME ZONE 'UTC')::date
       ORDER BY a.audit_date, a.id LIMIT 1) m
   WHERE x.deleted_at IS NULL AND x.employee_id IS NOT NULL AND x.scorecard_id IS NOT NULL AND x.created_at IS NOT NULL
), in_keys AS (
  SELECT m.auditor_id, m.month, m.days FROM matched m JOIN keys k ON k.auditor_id = m.auditor_id AND k.month = m.month
), per_day AS (
  SELECT auditor_id, month, days, count(*) AS n FROM in_keys GROUP BY 1, 2, 3
), medians AS (
  SELECT auditor_id, month, percentile_cont(0.5) WITHIN GROUP (ORDER BY days)::numeric AS turnaround_median_days FROM in_keys GROUP BY 1, 2
), turnaround AS (
  SELECT d.auditor_id, d.month, sum(d.n)::int AS turnaround_count, jsonb_object_agg(d.days::text, d.n) AS turnaround_histogram, max(m.turnaround_median_days) AS turnaround_median_days
    FROM per_day d JOIN medians m ON m.auditor_id = d.auditor_id AND m.month = d.month GROUP BY 1, 2
)
SELECT s.auditor_id, s.month, s.audit_count, s.scored_count, s.scorecard_count, s.score_sum, s.score_sum_squares, s.avg_score, s.min_score,
       s.max_score, s.score_stddev, s.deviation_sum, s.calibration_deviation, COALESCE(t.turnaround_count, 0), t.turnaround_median_days,
       COALESCE(t.turnaround_histogram, '{}')
  FROM scores s LEFT JOIN turnaround t ON t.auditor_id = s.auditor_id AND t.month = s.month`;
}

export const RUNNING_COLUMNS = ["auditor_id", "month", "audit_count", "scored_count", "score_sum", "score_sum_squares", "deviation_sum", "turnaround_count"] as const;

/**
 * auditor_running_totals: per auditor, one row for every month from their first in
 * auditor_performance to the last month of anyone's (gaps included), holding the sums of
 * auditor_performance up to and including that month. Any range of months of an auditor is then two
 * rows: the total at its last month minus the total at the month before its first (the auditors page
 * reads one row per auditor instead of every auditor-month). Only what subtracts is here: counts and
 * sums; extremes and medians stay per month. `auditors`: a SELECT of the auditor_ids whose rows to
 * compute, or null for every auditor.
 */
export function runningSelect(u: string, auditors: string | null): string {
  const scope = auditors ? `WHERE p.auditor_id IN (${auditors})` : "";
  return `WITH span AS (
  SELECT p.auditor_id, min(p.month) AS first FROM ${u}.auditor_performance p ${scope} GROUP BY 1
), grid AS (
  SELECT s.auditor_id, m::date AS month
    FROM span s CROSS JOIN LATERAL generate_series(s.first::timestamp, (SELECT max(month) FROM ${u}.auditor_performance)::timestamp, interval '1 month') m
)
SELECT g.auditor_id, g.month, sum(COALESCE(p.audit_count, 0)) OVER w, sum(COALESCE(p.scored_count, 0)) OVER w, sum(COALESCE(p.score_sum, 0)) OVER w,
       sum(COALESCE(p.score_sum_squares, 0)) OVER w, sum(COALESCE(p.deviation_sum, 0)) OVER w, sum(COALESCE(p.turnaround_count, 0)) OVER w
  FROM grid g LEFT JOIN ${u}.auditor_performance p ON p.auditor_id = g.auditor_id AND p.month = g.month
WINDOW w AS (PARTITION BY g.auditor_id ORDER BY g.month ROWS UNBOUNDED PRECEDING)
-- Written month by month: the page reads every auditor at two months, and each month's rows then share a few heap pages.
ORDER BY g.month, g.auditor_id`;
}

/**
 * The figures of auditor_running_totals packed per month, each auditor `VECTOR_FIELDS` big-endian float8s (float8send), in
 * auditor order: the id, the audit and scored counts (exact: integers below 2^53), the deviation sum rounded to float8 — the
 * auditors page subtracts and divides exactly these doubles, as its SQL does (lib/analytics/sql.ts) — and the score sum and sum of
 * squares rounded to float8, which only order the page by average or spread within a known error (the exact figures of the rows
 * that could be on the page are then read from the running totals), and the turnaround count (exact: which auditors have a
 * turnaround median over a range). Rebuilt whole from the running totals (4,000 auditors × 36
 * months is a few hundred milliseconds), months no longer there removed. A row of another length (`auditors` × VECTOR_BYTES) was
 * packed by older code: the page does not read it and the next refresh packs it again.
 */
export const VECTOR_FIELDS = ["auditor_id", "audit_count", "scored_count", "deviation_sum", "score_sum", "score_sum_squares", "turnaround_count"] as const;

/** The bytes of one auditor in a packed month. */
export const VECTOR_BYTES = VECTOR_FIELDS.length * 8;

export function vectorStatements(u: string): string[] {
  const packed = VECTOR_FIELDS.map((c) => `float8send(${c}::float8)`).join(" || ");
  return [
    `-- The running totals, one packed row a month: what the auditors page reads.
INSERT INTO ${u}.auditor_month_vectors (month, auditors, data)
SELECT month, count(*)::int, string_agg(${packed}, ''::bytea ORDER BY auditor_id)
  FROM ${u}.auditor_running_totals GROUP BY month
ON CONFLICT (month) DO UPDATE SET auditors = EXCLUDED.auditors, data = EXCLUDED.data`,
    `DELETE FROM ${u}.auditor_month_vectors v WHERE NOT EXISTS (SELECT 1 FROM ${u}.auditor_running_totals r WHERE r.month = v.month)`,
  ];
}

/** Every (auditor_id, month) with an audit: the keys of a full computation of auditor_performance. */
export function allAuditorMonths(u: string): string {
  return `SELECT DISTINCT auditor_id, ${MONTH("audit_date")} AS month FROM ${u}.audits WHERE deleted_at IS NULL AND auditor_id IS NOT NULL AND audit_date IS NOT NULL`;
}

/**
 * Every scorecard of the unified registry with its field keys in the registry's order (position,
 * then legacy id — discovery's order, which the load's plan reads): what a refresh computes.
 */
export async function registeredScorecards(db: Queryable, u: string): Promise<ScorecardFields[]> {
  const { rows } = await db.query<{ source_table: string; keys: string[] }>(
    `SELECT s.source_table, COALESCE(array_agg(f.field_key ORDER BY f.position NULLS LAST, f.legacy_id) FILTER (WHERE f.id IS NOT NULL), '{}') AS keys
       FROM ${u}.scorecards s LEFT JOIN ${u}.scorecard_fields f ON f.scorecard_id = s.id
      GROUP BY s.source_table ORDER BY s.source_table`,
  );
  return rows.map((r) => ({ sourceTable: r.source_table, fieldKeys: r.keys }));
}
