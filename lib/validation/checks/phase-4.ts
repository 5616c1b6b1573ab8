import type pg from "pg";
import { quoteIdent, quoteLiteral } from "@/lib/db/sql";
import type { PlanContext } from "@/lib/plan/types";
import { count, type CheckResult, type ValidationCheck } from "../types";
import { scalar } from "./common";

/**
 * Phase 4's suite: every figure of both summaries against the same aggregate computed here,
 * directly from audits and assignments, written independently of the step's SQL (window functions
 * for the calibration means, avg() over each field's JSON value for the fields). Figures compared to 9 decimals.
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

/**
 * One scorecard's per-field averages, both ways, as one wide row per group: from audits with avg()
 * over each registered key read as a JSON value (`->`, JSON null dropped, cast from jsonb), and from
 * the stored arrays looked up by key and divided. `unregistered` counts audits whose scores hold a key
 * the registry does not list — an average the summary cannot have.
 */
export function fieldComparison(u: string, keys: string[]): string {
  const list = (items: string[]) => (items.length ? `ARRAY[${items.join(", ")}]::numeric[]` : `'{}'::numeric[]`);
  const literals = keys.map(quoteLiteral);
  const direct = list(literals.map((k) => R(`avg(nullif(a.parameter_scores -> ${k}, 'null'::jsonb)::bigint)`)));
  const at = (column: string, k: string) => `s.${column}[array_position(s.field_keys, ${k})]`;
  const stored = list(literals.map((k) => R(`${at("field_sums", k)} / NULLIF(${at("field_counts", k)}, 0)`)));
  const registered = keys.length ? `ARRAY[${literals.join(", ")}]::text[]` : `'{}'::text[]`;
  return `WITH direct AS (
  SELECT a.employee_id, COALESCE(a.channel_id, 0) AS channel_key, date_trunc('month', a.audit_date)::date AS month, ${direct} AS averages,
         count(*) FILTER (WHERE a.parameter_scores - ${registered} <> '{}'::jsonb) AS unregistered
    FROM ${u}.audits a WHERE a.scorecard_id = $1 AND a.deleted_at IS NULL AND a.employee_id IS NOT NULL AND a.audit_date IS NOT NULL GROUP BY 1, 2, 3
), stored AS (
  SELECT s.employee_id, s.channel_key, s.month, ${stored} AS averages FROM ${u}.audit_statistics s WHERE s.scorecard_id = $1
)
SELECT count(*) FILTER (WHERE s.month IS NULL OR (d.month IS NOT NULL AND d.averages IS DISTINCT FROM s.averages)) AS missing,
       count(*) FILTER (WHERE d.month IS NULL) AS extra, COALESCE(sum(d.unregistered), 0) AS unregistered
  FROM direct d FULL JOIN stored s ON s.employee_id = d.employee_id AND s.channel_key = d.channel_key AND s.month = d.month`;
}

/** Per scorecard (the registry as Phase 2 loaded it), so each side reads one scorecard's rows through its index. */
const fieldAverages: ValidationCheck = {
  id: "content:audit_statistics_fields",
  title: "audit_statistics per-field averages",
  category: "content",
  async run(db, ctx: PlanContext): Promise<CheckResult[]> {
    const u = quoteIdent(ctx.unifiedSchema);
    const { rows: cards } = await db.query<{ id: number; keys: string[] }>(
      `SELECT c.id, COALESCE(array_agg(f.field_key ORDER BY f.field_key) FILTER (WHERE f.id IS NOT NULL), '{}') AS keys
         FROM ${u}.scorecards c LEFT JOIN ${u}.scorecard_fields f ON f.scorecard_id = c.id GROUP BY c.id ORDER BY c.id`,
    );
    const total = { missing: 0, extra: 0, unregistered: 0 };
    for (const card of cards) {
      const { rows } = await db.query<{ missing: string; extra: string; unregistered: string }>(fieldComparison(u, card.keys), [card.id]);
      total.missing += Number(rows[0]?.missing ?? 0);
      total.extra += Number(rows[0]?.extra ?? 0);
      total.unregistered += Number(rows[0]?.unregistered ?? 0);
    }
    const ok = total.missing === 0 && total.extra === 0 && total.unregistered === 0;
    return [{
      name: "audit_statistics per-field averages: every group's field averages equal the direct aggregate",
      status: ok ? "pass" : "fail",
      expected: "every registered field's average of every group, computed from audits",
      actual: ok
        ? "identical"
        : `${count(total.missing)} groups missing or different, ${count(total.extra)} extra, ${count(total.unregistered)} audits with a field key the registry lacks`,
      detail: ok
        ? `both ways, ${cards.length} scorecards`
        : total.unregistered
          ? "scores under a key that is not a registered field have no average in the summary: check scorecard_fields against parameter_scores"
          : "run a full refresh (Analytics → Refresh) and validate again",
    }];
  },
};

export function directRollup(u: string): string {
  return `SELECT a.scorecard_id, a.channel_id, e.department_id, e.team_id, date_trunc('month', a.audit_date)::date, count(*)::int, count(a.total_score)::int,
       sum(a.total_score), count(*) FILTER (WHERE a.passed)::int, count(a.passed)::int
  FROM ${u}.audits a JOIN ${u}.employees e ON e.id = a.employee_id
 WHERE a.deleted_at IS NULL AND a.audit_date IS NOT NULL GROUP BY 1, 2, 3, 4, 5`;
}

export function storedRollup(u: string): string {
  return `SELECT scorecard_id, channel_id, department_id, team_id, month, audit_count, scored_count, total_sum, passed_count, judged_count FROM ${u}.scorecard_month_statistics`;
}

export function directTotals(u: string): string {
  return `SELECT a.scorecard_id, a.channel_id, date_trunc('month', a.audit_date)::date, count(*)::int, count(a.total_score)::int, sum(a.total_score),
       count(*) FILTER (WHERE a.passed)::int, count(a.passed)::int
  FROM ${u}.audits a WHERE a.deleted_at IS NULL AND a.employee_id IS NOT NULL AND a.audit_date IS NOT NULL GROUP BY 1, 2, 3`;
}

export function storedTotals(u: string): string {
  return `SELECT scorecard_id, channel_id, month, audit_count, scored_count, total_sum, passed_count, judged_count FROM ${u}.scorecard_month_totals`;
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

/** Both directions of EXCEPT ALL in one statement, each side computed once (materialized), not once per direction. */
async function differences(db: pg.ClientBase, a: string, b: string): Promise<[number, number]> {
  const { rows } = await db.query<{ missing: string; extra: string }>(
    `WITH a AS MATERIALIZED (${a}), b AS MATERIALIZED (${b})
     SELECT (SELECT count(*) FROM (TABLE a EXCEPT ALL TABLE b) x) AS missing, (SELECT count(*) FROM (TABLE b EXCEPT ALL TABLE a) y) AS extra`,
  );
  return [Number(rows[0]?.missing ?? 0), Number(rows[0]?.extra ?? 0)];
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
    fieldAverages,
    compare("content:scorecard_month_statistics", "scorecard_month_statistics", directRollup, storedRollup, "group"),
    compare("content:scorecard_month_totals", "scorecard_month_totals", directTotals, storedTotals, "group"),
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
