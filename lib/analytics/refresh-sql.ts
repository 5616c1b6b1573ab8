import {
  allAuditorMonths,
  performanceSelect,
  PERFORMANCE_COLUMNS,
  rollupSelect,
  ROLLUP_COLUMNS,
  RUNNING_COLUMNS,
  runningSelect,
  vectorStatements,
  type ScorecardFields,
  statisticsSelect,
  STATISTICS_COLUMNS,
  totalsSelect,
  TOTALS_COLUMNS,
} from "@/lib/plan/phase-4/aggregates";

/**
 * An incremental refresh runs in two kinds of batch, each one transaction, each claiming change-log
 * rows with id ≤ $1 (the log's end when that part of the refresh started, so a steady stream of
 * writes cannot keep it going forever), at most $2 of them. Readers keep seeing the previous rows
 * until a batch commits.
 *
 * 1. Statistics batches claim the rows that name an employee: recompute those audit_statistics
 *    groups (one typed statement per scorecard) and their rollup pairs, and hand the auditor side on
 *    as (auditor, scorecard, month) rows without an employee — deduplicated by the log's own key, so
 *    a thousand changed audits of one auditor-month become one row.
 * 2. Auditor batches claim the rows without an employee (those hand-overs, assignment changes,
 *    audits of nobody) and recompute every auditor-month whose figures could have moved, once for
 *    the whole refresh instead of once per statistics batch.
 */
export const CLAIMED = `CREATE TEMP TABLE analytics_claimed (id bigint, employee_id bigint, auditor_id bigint, scorecard_id integer, month date) ON COMMIT DROP`;

const claim = (u: string, side: "employee_id IS NOT NULL" | "employee_id IS NULL") => `-- Claim: taken out of the log in this transaction; a writer touching the same group waits for the commit, then logs it again.
WITH claimed AS (
  DELETE FROM ${u}.analytics_changes
   WHERE id IN (SELECT id FROM ${u}.analytics_changes WHERE id <= $1 AND ${side} ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
  RETURNING id, employee_id, auditor_id, scorecard_id, month)
INSERT INTO analytics_claimed SELECT * FROM claimed RETURNING id`;

/** The statements whose row counts are the groups and the auditor-months a batch recomputed. */
export const STATISTICS_KEYS = "CREATE TEMP TABLE analytics_statistics_keys";
export const AUDITOR_KEYS = "CREATE TEMP TABLE analytics_auditor_keys";

export function statisticsBatch(u: string, scorecards: ScorecardFields[]): string[] {
  return [
    CLAIMED,
    claim(u, "employee_id IS NOT NULL"),
    `${STATISTICS_KEYS} ON COMMIT DROP AS
SELECT DISTINCT employee_id, scorecard_id, month FROM analytics_claimed WHERE scorecard_id IS NOT NULL AND month IS NOT NULL`,
    `ANALYZE analytics_statistics_keys`,
    `DELETE FROM ${u}.audit_statistics s USING analytics_statistics_keys k WHERE s.employee_id = k.employee_id AND s.scorecard_id = k.scorecard_id AND s.month = k.month`,
    ...scorecards.map((card) => `INSERT INTO ${u}.audit_statistics (${STATISTICS_COLUMNS.join(", ")})\n${statisticsSelect(u, card, "analytics_statistics_keys")}`),
    `CREATE TEMP TABLE analytics_rollup_keys ON COMMIT DROP AS SELECT DISTINCT scorecard_id, month FROM analytics_statistics_keys`,
    `DELETE FROM ${u}.scorecard_month_statistics r USING analytics_rollup_keys k WHERE r.scorecard_id = k.scorecard_id AND r.month = k.month`,
    `INSERT INTO ${u}.scorecard_month_statistics (${ROLLUP_COLUMNS.join(", ")})\n${rollupSelect(u, { keys: "analytics_rollup_keys" })}`,
    `DELETE FROM ${u}.scorecard_month_totals r USING analytics_rollup_keys k WHERE r.scorecard_id = k.scorecard_id AND r.month = k.month`,
    `INSERT INTO ${u}.scorecard_month_totals (${TOTALS_COLUMNS.join(", ")})\n${totalsSelect(u, { keys: "analytics_rollup_keys" })}`,
    `-- The auditor side of these changes, for the auditor batches: one row per (auditor, scorecard, month).
INSERT INTO ${u}.analytics_changes (auditor_id, scorecard_id, month)
SELECT DISTINCT auditor_id, scorecard_id, month FROM analytics_claimed
ON CONFLICT DO NOTHING`,
  ];
}

export function auditorBatch(u: string): string[] {
  return [
    CLAIMED,
    claim(u, "employee_id IS NULL"),
    `-- Auditor-months to recompute: a changed auditor's month and every later one it has (a new or removed audit can move which audit
-- an assignment matches; every audit written is in the log, so its own month is claimed), and every auditor on a changed scorecard
-- in a changed month (the calibration mean moved), read per scorecard-month through its index.
${AUDITOR_KEYS} ON COMMIT DROP AS
SELECT DISTINCT auditor_id, month FROM (
  SELECT auditor_id, month FROM analytics_claimed
  UNION ALL
  SELECT p.auditor_id, p.month FROM (SELECT DISTINCT auditor_id, month FROM analytics_claimed WHERE auditor_id IS NOT NULL) c
    JOIN ${u}.auditor_performance p ON p.auditor_id = c.auditor_id AND p.month >= COALESCE(c.month, '-infinity')
  UNION ALL
  SELECT a.auditor_id, k.month FROM (SELECT DISTINCT scorecard_id, month FROM analytics_claimed WHERE scorecard_id IS NOT NULL AND month IS NOT NULL) k
    CROSS JOIN LATERAL (SELECT DISTINCT a.auditor_id FROM ${u}.audits a
       WHERE a.scorecard_id = k.scorecard_id AND a.audit_date >= k.month AND a.audit_date < k.month + interval '1 month'
         AND a.deleted_at IS NULL AND a.auditor_id IS NOT NULL) a
) x WHERE auditor_id IS NOT NULL AND month IS NOT NULL`,
    `ANALYZE analytics_auditor_keys`,
    `DELETE FROM ${u}.auditor_performance p USING analytics_auditor_keys k WHERE p.auditor_id = k.auditor_id AND p.month = k.month`,
    `INSERT INTO ${u}.auditor_performance (${PERFORMANCE_COLUMNS.join(", ")})\n${performanceSelect(u, "SELECT auditor_id, month FROM analytics_auditor_keys", "some auditor-months")}`,
    `-- Running totals move for every recomputed auditor (from that month on: theirs are rebuilt whole, a few dozen rows each), and for
-- everyone when the last month of anyone's moved (each auditor's rows run up to it).
CREATE TEMP TABLE analytics_running_auditors ON COMMIT DROP AS
SELECT auditor_id FROM analytics_auditor_keys
UNION
SELECT r.auditor_id FROM ${u}.auditor_running_totals r
 WHERE (SELECT max(month) FROM ${u}.auditor_performance) IS DISTINCT FROM (SELECT max(month) FROM ${u}.auditor_running_totals)`,
    `DELETE FROM ${u}.auditor_running_totals r USING analytics_running_auditors k WHERE r.auditor_id = k.auditor_id`,
    `INSERT INTO ${u}.auditor_running_totals (${RUNNING_COLUMNS.join(", ")})\n${runningSelect(u, "SELECT auditor_id FROM analytics_running_auditors")}`,
    ...vectorStatements(u),
  ];
}

/** A full recomputation in one transaction ($1: the log's end it covers): what the incremental refresh must equal. */
export function fullRefresh(u: string, scorecards: ScorecardFields[]): string[] {
  return [
    `DELETE FROM ${u}.analytics_changes WHERE id <= $1`,
    `DELETE FROM ${u}.audit_statistics`,
    ...scorecards.map((card) => `INSERT INTO ${u}.audit_statistics (${STATISTICS_COLUMNS.join(", ")})\n${statisticsSelect(u, card, null)}`),
    `DELETE FROM ${u}.scorecard_month_statistics`,
    `INSERT INTO ${u}.scorecard_month_statistics (${ROLLUP_COLUMNS.join(", ")})\n${rollupSelect(u, null)}`,
    `DELETE FROM ${u}.scorecard_month_totals`,
    `INSERT INTO ${u}.scorecard_month_totals (${TOTALS_COLUMNS.join(", ")})\n${totalsSelect(u, null)}`,
    `DELETE FROM ${u}.auditor_performance`,
    `INSERT INTO ${u}.auditor_performance (${PERFORMANCE_COLUMNS.join(", ")})\n${performanceSelect(u, allAuditorMonths(u), "every auditor-month")}`,
    `DELETE FROM ${u}.auditor_running_totals`,
    `INSERT INTO ${u}.auditor_running_totals (${RUNNING_COLUMNS.join(", ")})\n${runningSelect(u, null)}`,
    ...vectorStatements(u),
  ];
}
