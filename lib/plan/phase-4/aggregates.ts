/**
 * The two summaries' definitions, as SQL over `audits` (and `audit_assignments` for turnaround).
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
  "passed_count", "judged_count", "pass_rate", "field_sums", "field_counts", "field_averages",
] as const;

export const PERFORMANCE_COLUMNS = [
  "auditor_id", "month", "audit_count", "scored_count", "scorecard_count", "score_sum", "score_sum_squares", "avg_score", "min_score",
  "max_score", "score_stddev", "deviation_sum", "calibration_deviation", "turnaround_count", "turnaround_median_days", "turnaround_histogram",
] as const;

export const ROLLUP_COLUMNS = [
  "scorecard_id", "channel_id", "department_id", "team_id", "month", "audit_count", "scored_count", "total_sum", "passed_count", "judged_count",
] as const;

/**
 * scorecard_month_statistics: audit_statistics summed per scorecard × channel × the employee's
 * department × team × month — small enough for the overview to read whole at any size. Every
 * group, or only the (scorecard_id, month) pairs in `keys`.
 */
export function rollupSelect(u: string, keys: string | null): string {
  const join = keys ? `JOIN ${keys} k ON s.scorecard_id = k.scorecard_id AND s.month = k.month` : "";
  return `SELECT s.scorecard_id, s.channel_id, e.department_id, e.team_id, s.month, sum(s.audit_count)::int, sum(s.scored_count)::int, sum(s.total_sum),
       sum(s.passed_count)::int, sum(s.judged_count)::int
  FROM ${u}.audit_statistics s JOIN ${u}.employees e ON e.id = s.employee_id ${join}
 GROUP BY 1, 2, 3, 4, 5`;
}

/**
 * Every group of audit_statistics, or only those whose (employee_id, scorecard_id, month) appear in
 * `keys` (a relation with those three columns).
 */
export function statisticsSelect(u: string, keys: string | null): string {
  const join = keys
    ? `JOIN ${keys} k ON a.employee_id = k.employee_id AND a.scorecard_id = k.scorecard_id AND ${MONTH("a.audit_date")} = k.month
        AND a.audit_date >= k.month AND a.audit_date < ${NEXT_MONTH("k.month")}`
    : "";
  return `WITH base AS NOT MATERIALIZED (
  SELECT a.employee_id, a.scorecard_id, a.channel_id, ${MONTH("a.audit_date")} AS month, a.total_score, a.passed, a.parameter_scores
    FROM ${u}.audits a ${join}
   WHERE a.deleted_at IS NULL AND a.employee_id IS NOT NULL AND a.audit_date IS NOT NULL
), per_field AS (
  SELECT b.employee_id, b.scorecard_id, b.channel_id, b.month, f.key,
         sum(CASE WHEN jsonb_typeof(f.value) = 'number' THEN f.value::text::numeric END) AS total,
         count(*) FILTER (WHERE jsonb_typeof(f.value) = 'number') AS scored
    FROM base b CROSS JOIN LATERAL jsonb_each(b.parameter_scores) f
   GROUP BY 1, 2, 3, 4, 5
), fields AS (
  SELECT employee_id, scorecard_id, channel_id, month,
         jsonb_object_agg(key, total) AS field_sums,
         jsonb_object_agg(key, scored) AS field_counts,
         jsonb_object_agg(key, total / NULLIF(scored, 0)) AS field_averages
    FROM per_field GROUP BY 1, 2, 3, 4
), totals AS (
  SELECT employee_id, scorecard_id, channel_id, month,
         count(*)::int AS audit_count, count(total_score)::int AS scored_count, sum(total_score) AS total_sum,
         avg(total_score) AS avg_total, min(total_score) AS min_total, max(total_score) AS max_total,
         count(*) FILTER (WHERE passed)::int AS passed_count, count(passed)::int AS judged_count
    FROM base GROUP BY 1, 2, 3, 4
)
SELECT t.employee_id, t.scorecard_id, t.channel_id, t.month, t.audit_count, t.scored_count, t.total_sum, t.avg_total, t.min_total, t.max_total,
       t.passed_count, t.judged_count, t.passed_count::numeric / NULLIF(t.judged_count, 0) AS pass_rate,
       COALESCE(f.field_sums, '{}'), COALESCE(f.field_counts, '{}'), COALESCE(f.field_averages, '{}')
  FROM totals t LEFT JOIN fields f
    ON f.employee_id = t.employee_id AND f.scorecard_id = t.scorecard_id AND COALESCE(f.channel_id, 0) = COALESCE(t.channel_id, 0) AND f.month = t.month`;
}

/**
 * auditor_performance for every (auditor_id, month) in `keys` (a SELECT of those two columns).
 * Calibration: each scored audit minus the mean of every auditor's scored audits on the same
 * scorecard in the same month, averaged. Turnaround: an assignment is matched to the first
 * non-deleted audit by the same auditor of the same employee on the same scorecard dated on or
 * after the assignment's created_at (its UTC date), ties by audit id; days between the two, counted
 * in the month of that audit.
 */
export function performanceSelect(u: string, keys: string): string {
  return `WITH keys AS (${keys}
), given AS (
  SELECT a.auditor_id, ${MONTH("a.audit_date")} AS month, a.scorecard_id, a.total_score
    FROM ${u}.audits a JOIN keys k ON a.auditor_id = k.auditor_id AND ${MONTH("a.audit_date")} = k.month
     AND a.audit_date >= k.month AND a.audit_date < ${NEXT_MONTH("k.month")}
   WHERE a.deleted_at IS NULL
), means AS (
  SELECT a.scorecard_id, ${MONTH("a.audit_date")} AS month, avg(a.total_score) AS mean
    FROM ${u}.audits a JOIN (SELECT DISTINCT scorecard_id, month FROM given) g
      ON a.scorecard_id = g.scorecard_id AND ${MONTH("a.audit_date")} = g.month AND a.audit_date >= g.month AND a.audit_date < ${NEXT_MONTH("g.month")}
   WHERE a.deleted_at IS NULL AND a.auditor_id IS NOT NULL AND a.total_score IS NOT NULL
   GROUP BY 1, 2
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
    JOIN (SELECT DISTINCT auditor_id FROM keys) ka ON ka.auditor_id = x.auditor_id
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

/** Every (auditor_id, month) with an audit: the keys of a full computation of auditor_performance. */
export function allAuditorMonths(u: string): string {
  return `SELECT DISTINCT auditor_id, ${MONTH("audit_date")} AS month FROM ${u}.audits WHERE deleted_at IS NULL AND auditor_id IS NOT NULL AND audit_date IS NOT NULL`;
}
