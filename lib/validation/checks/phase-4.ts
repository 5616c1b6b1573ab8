import type pg from "pg";
import { quoteIdent } from "@/lib/db/sql";
import type { PlanContext } from "@/lib/plan/types";
import { count, type CheckResult, type ValidationCheck } from "../types";
import { scalar } from "./common";

/**
 * Phase 4's suite: every figure of both summaries against the same aggregate computed here,
 * directly from audits and assignments, written independently of the step's SQL (window functions
 * for the calibration means, jsonb_each_text for the fields). Figures compared to 9 decimals.
 */
const R = (x: string) => `round(${x}, 9)`;

export function directStatistics(u: string): string {
  return `SELECT a.employee_id, a.scorecard_id, a.channel_id, date_trunc('month', a.audit_date)::date AS month, count(*)::int AS audit_count,
       count(a.total_score)::int AS scored_count, ${R("avg(a.total_score)")} AS avg_total, min(a.total_score) AS min_total, max(a.total_score) AS max_total,
       sum(CASE WHEN a.passed THEN 1 ELSE 0 END)::int AS passed_count, count(a.passed)::int AS judged_count,
       ${R("avg(CASE WHEN a.passed THEN 1.0 WHEN NOT a.passed THEN 0.0 END)")} AS pass_rate
  FROM ${u}.audits a WHERE a.deleted_at IS NULL AND a.employee_id IS NOT NULL AND a.audit_date IS NOT NULL GROUP BY 1, 2, 3, 4`;
}

export function storedStatistics(u: string): string {
  return `SELECT employee_id, scorecard_id, channel_id, month, audit_count, scored_count, ${R("avg_total")}, min_total, max_total, passed_count, judged_count, ${R("pass_rate")}
  FROM ${u}.audit_statistics`;
}

export function directFields(u: string): string {
  return `SELECT a.employee_id, a.scorecard_id, a.channel_id, date_trunc('month', a.audit_date)::date AS month, f.key,
       ${R("avg(nullif(f.value, 'null')::numeric)")} AS average
  FROM ${u}.audits a, jsonb_each_text(a.parameter_scores) f
 WHERE a.deleted_at IS NULL AND a.employee_id IS NOT NULL AND a.audit_date IS NOT NULL GROUP BY 1, 2, 3, 4, 5`;
}

export function storedFields(u: string): string {
  return `SELECT s.employee_id, s.scorecard_id, s.channel_id, s.month, f.key, ${R("(f.value #>> '{}')::numeric")}
  FROM ${u}.audit_statistics s, jsonb_each(s.field_averages) f`;
}

export function directRollup(u: string): string {
  return `SELECT a.scorecard_id, a.channel_id, e.department_id, e.team_id, date_trunc('month', a.audit_date)::date, count(*)::int, count(a.total_score)::int,
       sum(a.total_score), count(*) FILTER (WHERE a.passed)::int, count(a.passed)::int
  FROM ${u}.audits a JOIN ${u}.employees e ON e.id = a.employee_id
 WHERE a.deleted_at IS NULL AND a.audit_date IS NOT NULL GROUP BY 1, 2, 3, 4, 5`;
}

export function storedRollup(u: string): string {
  return `SELECT scorecard_id, channel_id, department_id, team_id, month, audit_count, scored_count, total_sum, passed_count, judged_count FROM ${u}.scorecard_month_statistics`;
}

export function directPerformance(u: string): string {
  return `WITH given AS (
  SELECT a.id, a.auditor_id, a.scorecard_id, date_trunc('month', a.audit_date)::date AS month, a.total_score,
         a.total_score - avg(a.total_score) OVER (PARTITION BY a.scorecard_id, date_trunc('month', a.audit_date)) AS deviation
    FROM ${u}.audits a WHERE a.deleted_at IS NULL AND a.auditor_id IS NOT NULL AND a.audit_date IS NOT NULL
), first_audit AS (
  SELECT DISTINCT ON (x.id) x.id, x.auditor_id, a.audit_date, a.audit_date - (x.created_at AT TIME ZONE 'UTC')::date AS days
    FROM ${u}.audit_assignments x JOIN ${u}.audits a
      ON a.auditor_id = x.auditor_id AND a.employee_id = x.employee_id AND a.scorecard_id = x.scorecard_id AND a.deleted_at IS NULL
     AND a.audit_date >= (x.created_at AT TIME ZONE 'UTC')::date
   WHERE x.deleted_at IS NULL AND x.created_at IS NOT NULL
   ORDER BY x.id, a.audit_date, a.id
), turnaround AS (
  SELECT auditor_id, date_trunc('month', audit_date)::date AS month, count(*)::int AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median
    FROM first_audit GROUP BY 1, 2
)
SELECT g.auditor_id, g.month, count(*)::int, count(g.total_score)::int, count(DISTINCT g.scorecard_id)::int, ${R("avg(g.total_score)")},
       min(g.total_score), max(g.total_score), ${R("stddev_pop(g.total_score)")}, ${R("avg(g.deviation)")},
       COALESCE(max(t.n), 0), ${R("max(t.median)::numeric")}
  FROM given g LEFT JOIN turnaround t ON t.auditor_id = g.auditor_id AND t.month = g.month
 GROUP BY 1, 2`;
}

export function storedPerformance(u: string): string {
  return `SELECT auditor_id, month, audit_count, scored_count, scorecard_count, ${R("avg_score")}, min_score, max_score, ${R("score_stddev")},
       ${R("calibration_deviation")}, turnaround_count, ${R("turnaround_median_days")}
  FROM ${u}.auditor_performance`;
}

async function differences(db: pg.ClientBase, a: string, b: string): Promise<[number, number]> {
  const missing = await scalar(db, `SELECT count(*) AS n FROM ((${a}) EXCEPT ALL (${b})) x`);
  const extra = await scalar(db, `SELECT count(*) AS n FROM ((${b}) EXCEPT ALL (${a})) x`);
  return [missing, extra];
}

function compare(id: string, title: string, direct: (u: string) => string, stored: (u: string) => string, rows: string): ValidationCheck {
  return {
    id,
    title,
    category: "content",
    async run(db, ctx: PlanContext): Promise<CheckResult[]> {
      const u = quoteIdent(ctx.unifiedSchema);
      const [missing, extra] = await differences(db, direct(u), stored(u));
      const ok = missing === 0 && extra === 0;
      return [{
        name: `${title}: every ${rows} equals the direct aggregate`,
        status: ok ? "pass" : "fail",
        expected: `the ${rows}s computed from audits`,
        actual: ok ? "identical" : `${count(missing)} missing or different, ${count(extra)} extra`,
        detail: ok ? "both ways (EXCEPT ALL)" : "run a full refresh (Analytics → Refresh) and validate again",
      }];
    },
  };
}

export function phase4PostRunChecks(): ValidationCheck[] {
  return [
    compare("content:audit_statistics", "audit_statistics", directStatistics, storedStatistics, "group"),
    compare("content:audit_statistics_fields", "audit_statistics per-field averages", directFields, storedFields, "field average"),
    compare("content:scorecard_month_statistics", "scorecard_month_statistics", directRollup, storedRollup, "group"),
    compare("content:auditor_performance", "auditor_performance", directPerformance, storedPerformance, "auditor month"),
  ];
}

const pendingChanges: ValidationCheck = {
  id: "quality:audits",
  title: "Audits the summaries will leave out",
  category: "quality",
  async run(db, ctx): Promise<CheckResult[]> {
    const u = quoteIdent(ctx.unifiedSchema);
    const undated = await scalar(db, `SELECT count(*) AS n FROM ${u}.audits WHERE deleted_at IS NULL AND audit_date IS NULL`);
    const nobody = await scalar(db, `SELECT count(*) AS n FROM ${u}.audits WHERE deleted_at IS NULL AND employee_id IS NULL`);
    return [
      { name: "audits without a date", status: undated ? "warn" : "pass", expected: "none", actual: `${count(undated)} audits`, detail: "no month to count them in: left out of both summaries" },
      { name: "audits without an employee", status: nobody ? "warn" : "pass", expected: "none", actual: `${count(nobody)} audits`, detail: "left out of audit_statistics, counted for their auditor" },
    ];
  },
};

export function phase4PreflightChecks(): ValidationCheck[] {
  return [pendingChanges];
}
