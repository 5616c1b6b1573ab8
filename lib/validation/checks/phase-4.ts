import type pg from "pg";
import { quoteIdent, quoteLiteral } from "@/lib/db/sql";
import type { PlanContext } from "@/lib/plan/types";
import { VECTOR_BYTES, VECTOR_FIELDS } from "@/lib/plan/phase-4/aggregates";
import { count, type CheckResult, type ValidationCheck } from "../types";
import { scalar } from "./common";

/**
 * Phase 4's suite: every figure of the summaries against the same aggregate computed here,
 * directly from audits and assignments, written independently of the step's SQL (window functions
 * for the calibration means, each field's JSON value cast from jsonb). Averages compared to 9 decimals.
 */
const R = (x: string) => `round(${x}, 9)`;

/**
 * One scorecard's groups of audit_statistics, every stored figure, against the same groups computed
 * here in one pass over the scorecard's audits (read through its index): counts, total_score's sum,
 * average, extremes, pass counts and rate, and each registered field's sum and count, each field's
 * value read as a JSON value (`->`, JSON null dropped, cast from jsonb). A group's stored arrays are
 * read as they are when they hold the registry's keys in its order (position, then legacy id), else
 * looked up key by key (a group computed before a field was registered lacks it: no sum, count 0);
 * sums and counts compared exactly make the averages the pages divide from them exact too. Joined by group key, so a changed
 * group is one difference and a group on one side only is missing or extra. `unregistered` counts
 * audits whose scores hold a key the registry does not list — a figure the summary cannot have.
 */
const FIGURES = ["channel_id", "audit_count", "scored_count", "total_sum", "avg_total", "min_total", "max_total", "passed_count", "judged_count", "pass_rate", "field_sums", "field_counts"];

export function statisticsComparison(u: string, keys: string[]): string {
  const literals = keys.map(quoteLiteral);
  const registered = keys.length ? `ARRAY[${literals.join(", ")}]::text[]` : `'{}'::text[]`;
  const list = (items: string[], type: string) => (items.length ? `ARRAY[${items.join(", ")}]::${type}[]` : `'{}'::${type}[]`);
  const values = literals.map((k, i) => `,\n           nullif(a.parameter_scores -> ${k}, 'null'::jsonb)::bigint AS v${i}`).join("");
  return `WITH direct AS (
  SELECT employee_id, channel_id, month, count(*)::int AS audit_count, count(total_score)::int AS scored_count, sum(total_score) AS total_sum,
         ${R("avg(total_score)")} AS avg_total, min(total_score) AS min_total, max(total_score) AS max_total,
         sum(CASE WHEN passed THEN 1 ELSE 0 END)::int AS passed_count, count(passed)::int AS judged_count,
         ${R("avg(CASE WHEN passed THEN 1.0 WHEN NOT passed THEN 0.0 END)")} AS pass_rate,
         ${list(keys.map((_, i) => `sum(v${i})`), "numeric")} AS field_sums, ${list(keys.map((_, i) => `count(v${i})::int`), "int")} AS field_counts,
         count(*) FILTER (WHERE unregistered) AS unregistered
    FROM (SELECT a.employee_id, a.channel_id, date_trunc('month', a.audit_date)::date AS month, a.total_score, a.passed,
                 a.parameter_scores - ${registered} <> '{}'::jsonb AS unregistered${values}
            FROM ${u}.audits a WHERE a.scorecard_id = $1 AND a.deleted_at IS NULL AND a.employee_id IS NOT NULL AND a.audit_date IS NOT NULL
          OFFSET 0) a
   GROUP BY 1, 2, 3
), stored AS (
  SELECT s.employee_id, s.channel_id, s.month, s.audit_count, s.scored_count, s.total_sum, ${R("s.avg_total")} AS avg_total, s.min_total, s.max_total,
         s.passed_count, s.judged_count, ${R("s.pass_rate")} AS pass_rate,
         CASE WHEN s.field_keys = ${registered} THEN s.field_sums ELSE ${list(literals.map((k) => `s.field_sums[array_position(s.field_keys, ${k})]`), "numeric")} END AS field_sums,
         CASE WHEN s.field_keys = ${registered} THEN s.field_counts ELSE ${list(literals.map((k) => `COALESCE(s.field_counts[array_position(s.field_keys, ${k})], 0)`), "int")} END AS field_counts
    FROM ${u}.audit_statistics s WHERE s.scorecard_id = $1
), compared AS (
  SELECT d.employee_id IS NOT NULL AS in_direct, coalesce(d.employee_id, s.employee_id) AS employee_id, coalesce(d.month, s.month) AS month, d.unregistered,
         (${FIGURES.map((c) => `d.${c}`).join(", ")}) IS DISTINCT FROM (${FIGURES.map((c) => `s.${c}`).join(", ")}) AS differs
    FROM direct d FULL JOIN stored s ON s.employee_id = d.employee_id AND COALESCE(s.channel_id, 0) = COALESCE(d.channel_id, 0) AND s.month = d.month
)
SELECT count(*) FILTER (WHERE in_direct AND differs) AS missing, count(*) FILTER (WHERE NOT in_direct) AS extra,
       COALESCE(sum(unregistered), 0) AS unregistered,
       (array_agg('employee ' || employee_id || ', ' || to_char(month, 'YYYY-MM') ORDER BY employee_id, month) FILTER (WHERE differs))[1:5] AS examples
  FROM compared`;
}

const plural = (n: number, noun: string) => `${count(n)} ${noun}${n === 1 ? "" : "s"}`;

/** What one scorecard's comparison found, in the words of a check result. */
function statisticsResult(title: string, found: { missing: number; extra: number; unregistered: number; examples: string[] }): CheckResult {
  const ok = found.missing === 0 && found.extra === 0 && found.unregistered === 0;
  return {
    name: `${title}: every group equals the direct aggregate`,
    status: ok ? "pass" : "fail",
    expected: "every group's counts, total_score figures and registered fields' sums and counts, computed from audits",
    actual: ok
      ? "identical"
      : `${plural(found.missing, "group")} missing or different, ${count(found.extra)} extra, ${plural(found.unregistered, "audit")} with a field key the registry lacks`,
    detail: ok
      ? "every group, both ways"
      : found.unregistered
        ? "scores under a key that is not a registered field have no figure in the summary: check scorecard_fields against parameter_scores"
        : `first: ${found.examples.join("; ")}. Run a full refresh (Analytics → Refresh) and validate again`,
  };
}

async function compareScorecard(db: pg.ClientBase, u: string, scorecardId: number, keys: string[]) {
  const { rows } = await db.query<{ missing: string; extra: string; unregistered: string; examples: string[] | null }>(statisticsComparison(u, keys), [scorecardId]);
  const r = rows[0];
  return { missing: Number(r?.missing ?? 0), extra: Number(r?.extra ?? 0), unregistered: Number(r?.unregistered ?? 0), examples: r?.examples ?? [] };
}

/** A scorecard of the unified registry with its field keys in the registry's order, by the legacy table its audits came from, or every other one. */
async function scorecardsOf(db: pg.ClientBase, u: string, tables: string[], which: "these" | "others"): Promise<{ id: number; table: string; keys: string[] }[]> {
  const { rows } = await db.query<{ id: number; table: string; keys: string[] }>(
    `SELECT c.id, c.source_table AS table, COALESCE(array_agg(f.field_key ORDER BY f.position NULLS LAST, f.legacy_id) FILTER (WHERE f.id IS NOT NULL), '{}') AS keys
       FROM ${u}.scorecards c LEFT JOIN ${u}.scorecard_fields f ON f.scorecard_id = c.id
      WHERE (c.source_table = ANY ($1::text[])) = $2
      GROUP BY c.id ORDER BY c.id`,
    [tables, which === "these"],
  );
  return rows;
}

/** One check per audit table's scorecard (they run on parallel sessions): its groups of audit_statistics. */
function statisticsCheck(table: string): ValidationCheck {
  return {
    id: `content:audit_statistics:${table}`,
    title: `audit_statistics of ${table}`,
    category: "content",
    async run(db, ctx: PlanContext): Promise<CheckResult[]> {
      const u = quoteIdent(ctx.unifiedSchema);
      const [card] = await scorecardsOf(db, u, [table], "these");
      if (!card) {
        return [{ name: `audit_statistics of ${table}: its scorecard`, status: "fail", expected: `a scorecard loaded from ${table}`, actual: "none", detail: "Phase 2 has not loaded this table's scorecard" }];
      }
      return [statisticsResult(`audit_statistics of ${table}`, await compareScorecard(db, u, card.id, card.keys))];
    },
  };
}

/** The groups no per-table check reads: scorecards of no planned audit table, and groups of no scorecard at all. */
function otherStatistics(tables: string[]): ValidationCheck {
  return {
    id: "content:audit_statistics:others",
    title: "audit_statistics of every other scorecard",
    category: "content",
    async run(db, ctx: PlanContext): Promise<CheckResult[]> {
      const u = quoteIdent(ctx.unifiedSchema);
      const found = { missing: 0, extra: 0, unregistered: 0, examples: [] as string[] };
      const others = await scorecardsOf(db, u, tables, "others");
      for (const card of others) {
        const one = await compareScorecard(db, u, card.id, card.keys);
        found.missing += one.missing;
        found.extra += one.extra;
        found.unregistered += one.unregistered;
        found.examples.push(...one.examples.map((e) => `${card.table}: ${e}`));
      }
      found.extra += await scalar(db, `SELECT count(*) AS n FROM ${u}.audit_statistics s WHERE NOT EXISTS (SELECT 1 FROM ${u}.scorecards c WHERE c.id = s.scorecard_id)`);
      if (found.extra && !found.examples.length) found.examples.push("groups of a scorecard that does not exist");
      const result = statisticsResult("audit_statistics of every other scorecard", found);
      return [result.status === "pass" ? { ...result, detail: `${count(others.length)} other scorecards; no group of an unknown scorecard` } : result];
    },
  };
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

export function directTotals(u: string): string {
  return `SELECT a.scorecard_id, a.channel_id, date_trunc('month', a.audit_date)::date, count(*)::int, count(a.total_score)::int, sum(a.total_score),
       count(*) FILTER (WHERE a.passed)::int, count(a.passed)::int
  FROM ${u}.audits a WHERE a.deleted_at IS NULL AND a.employee_id IS NOT NULL AND a.audit_date IS NOT NULL GROUP BY 1, 2, 3`;
}

export function storedTotals(u: string): string {
  return `SELECT scorecard_id, channel_id, month, audit_count, scored_count, total_sum, passed_count, judged_count FROM ${u}.scorecard_month_totals`;
}

/**
 * Every auditor-month computed from audits and assignments (window means for calibration, the first
 * audit per assignment by DISTINCT ON for turnaround), with the figures auditor_performance stores and
 * the exact sums its running totals add up.
 */
function directAuditorMonths(u: string): string {
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
SELECT g.auditor_id, g.month, count(*)::int AS audit_count, count(g.total_score)::int AS scored_count, count(DISTINCT g.scorecard_id)::int AS scorecard_count,
       ${R("avg(g.total_score)")} AS avg_score, min(g.total_score) AS min_score, max(g.total_score) AS max_score, ${R("stddev_pop(g.total_score)")} AS score_stddev,
       ${R("avg(g.deviation)")} AS calibration_deviation, COALESCE(max(t.n), 0) AS turnaround_count, ${R("max(t.median)::numeric")} AS turnaround_median_days,
       COALESCE(sum(g.total_score), 0) AS score_sum, COALESCE(sum(g.total_score * g.total_score), 0) AS score_sum_squares, COALESCE(sum(g.deviation), 0) AS deviation_sum
  FROM given g LEFT JOIN turnaround t ON t.auditor_id = g.auditor_id AND t.month = g.month
 GROUP BY 1, 2`;
}

const PERFORMANCE_FIGURES = `auditor_id, month, audit_count, scored_count, scorecard_count, avg_score, min_score, max_score, score_stddev, calibration_deviation,
       turnaround_count, turnaround_median_days`;

export function storedPerformance(u: string): string {
  return `SELECT auditor_id, month, audit_count, scored_count, scorecard_count, ${R("avg_score")}, min_score, max_score, ${R("score_stddev")},
       ${R("calibration_deviation")}, turnaround_count, ${R("turnaround_median_days")}
  FROM ${u}.auditor_performance`;
}

/**
 * The running totals as they must be, from the direct auditor-months: every auditor's months from
 * their first to the last of anyone's, each the sums of that auditor's audits up to and including it.
 */
const directRunning = `SELECT k.auditor_id, k.month, sum(COALESCE(d.audit_count, 0)) OVER w, sum(COALESCE(d.scored_count, 0)) OVER w, sum(COALESCE(d.score_sum, 0)) OVER w,
       sum(COALESCE(d.score_sum_squares, 0)) OVER w, ${R("sum(COALESCE(d.deviation_sum, 0)) OVER w")}, sum(COALESCE(d.turnaround_count, 0)) OVER w
  FROM (SELECT auditor_id, generate_series(min(month)::timestamp, (SELECT max(month) FROM direct)::timestamp, interval '1 month')::date AS month FROM direct GROUP BY 1) k
  LEFT JOIN direct d ON d.auditor_id = k.auditor_id AND d.month = k.month
WINDOW w AS (PARTITION BY k.auditor_id ORDER BY k.month)`;

const storedRunning = (u: string) =>
  `SELECT auditor_id, month, audit_count, scored_count, score_sum, score_sum_squares, ${R("deviation_sum")}, turnaround_count FROM ${u}.auditor_running_totals`;

/** How many rows of `a` are not in `b`, counting duplicates (EXCEPT ALL), as a scalar subquery over two relations of the statement. */
const exceptAll = (a: string, b: string) => `(SELECT count(*) FROM (TABLE ${a} EXCEPT ALL TABLE ${b}) x)`;

/** A comparison of stored rows with the direct aggregate, both ways, in the words of a check result. */
function comparisonResult(title: string, rows: string, missing: number, extra: number): CheckResult {
  const ok = missing === 0 && extra === 0;
  return {
    name: `${title}: every ${rows} equals the direct aggregate`,
    status: ok ? "pass" : "fail",
    expected: `the ${rows}s computed from audits`,
    actual: ok ? "identical" : `${count(missing)} missing or different, ${count(extra)} extra`,
    detail: ok ? "both ways (EXCEPT ALL)" : "run a full refresh (Analytics → Refresh) and validate again",
  };
}

/**
 * auditor_performance and auditor_running_totals against the same direct auditor-months, computed
 * once (reading every audit and assignment is the expensive part): both directions of EXCEPT ALL for each.
 */
const performanceCheck: ValidationCheck = {
  id: "content:auditor_performance",
  title: "auditor_performance and its running totals",
  category: "content",
  async run(db, ctx: PlanContext): Promise<CheckResult[]> {
    const u = quoteIdent(ctx.unifiedSchema);
    const { rows } = await db.query<Record<"pm" | "pe" | "rm" | "re", string>>(
      `WITH direct AS MATERIALIZED (${directAuditorMonths(u)}),
            direct_months AS MATERIALIZED (SELECT ${PERFORMANCE_FIGURES} FROM direct), stored_months AS MATERIALIZED (${storedPerformance(u)}),
            direct_running AS MATERIALIZED (${directRunning}), stored_running AS MATERIALIZED (${storedRunning(u)})
       SELECT ${exceptAll("direct_months", "stored_months")} AS pm, ${exceptAll("stored_months", "direct_months")} AS pe,
              ${exceptAll("direct_running", "stored_running")} AS rm, ${exceptAll("stored_running", "direct_running")} AS re`,
    );
    const r = rows[0]!;
    return [
      comparisonResult("auditor_performance", "auditor month", Number(r.pm), Number(r.pe)),
      comparisonResult("auditor_running_totals", "auditor's running total", Number(r.rm), Number(r.re)),
    ];
  },
};

/**
 * auditor_month_vectors against auditor_running_totals (which the check above proves against audits): each month's bytes
 * unpacked here as big-endian doubles, VECTOR_FIELDS per auditor, and compared with the running totals' id, counts and sums (each
 * read as float8 text) in the same statement. Written from the format, not from the statement that packs it: a month of another
 * length than its auditors' count says is wrong as a whole.
 */
const vectorsCheck: ValidationCheck = {
  id: "content:auditor_month_vectors",
  title: "auditor_month_vectors, the auditors page's packed months",
  category: "content",
  async run(db, ctx: PlanContext): Promise<CheckResult[]> {
    const u = quoteIdent(ctx.unifiedSchema);
    const { rows } = await db.query<{ month: string; data: Buffer | null; figures: string | null }>(
      `SELECT month::text AS month, data, NULL::text AS figures FROM ${u}.auditor_month_vectors
       UNION ALL
       SELECT month::text, NULL, ${VECTOR_FIELDS.map((c) => `(${quoteIdent(c)}::float8)::text`).join(` || ' ' || `)}
         FROM ${u}.auditor_running_totals`,
    );
    const expected = new Map<string, number[][]>();
    const stored = new Map<string, number[][]>();
    for (const r of rows) {
      if (r.figures !== null) {
        const list = expected.get(r.month) ?? [];
        list.push(r.figures.split(" ").map(Number));
        expected.set(r.month, list);
      } else if (r.data) {
        const records: number[][] = [];
        for (let o = 0; o + VECTOR_BYTES <= r.data.length; o += VECTOR_BYTES) records.push(VECTOR_FIELDS.map((_, k) => r.data!.readDoubleBE(o + k * 8)));
        // A trailing part record: the month was packed in another format, none of it is read as this one.
        if (r.data.length % VECTOR_BYTES) records.push([NaN]);
        stored.set(r.month, records);
      }
    }
    let missing = 0;
    let extra = 0;
    const differing: string[] = [];
    for (const month of new Set([...expected.keys(), ...stored.keys()])) {
      // A multiset per month: each expected record once, each stored one taken from it.
      const want = new Map<string, number>();
      for (const k of (expected.get(month) ?? []).map((x) => x.join(" "))) want.set(k, (want.get(k) ?? 0) + 1);
      let monthExtra = 0;
      for (const k of (stored.get(month) ?? []).map((x) => x.join(" "))) {
        const left = want.get(k) ?? 0;
        if (left) want.set(k, left - 1);
        else monthExtra++;
      }
      const monthMissing = [...want.values()].reduce((a, b) => a + b, 0);
      missing += monthMissing;
      extra += monthExtra;
      if ((monthMissing || monthExtra) && differing.length < 5) differing.push(month);
    }
    const ok = missing === 0 && extra === 0;
    return [{
      name: "auditor_month_vectors: every auditor of every month holds its running totals",
      status: ok ? "pass" : "fail",
      expected: "each month's auditors, audit and scored counts, deviation and score sums as in auditor_running_totals",
      actual: ok ? "identical" : `${count(missing)} missing or different, ${count(extra)} extra`,
      detail: ok ? `${count(stored.size)} months` : `months ${differing.join(", ")}: run a full refresh (Analytics → Refresh) and validate again`,
    }];
  },
};

/** Both directions of EXCEPT ALL in one statement, each side computed once (materialized), not once per direction. */
async function differences(db: pg.ClientBase, a: string, b: string): Promise<[number, number]> {
  const { rows } = await db.query<{ missing: string; extra: string }>(
    `WITH a AS MATERIALIZED (${a}), b AS MATERIALIZED (${b})
     SELECT ${exceptAll("a", "b")} AS missing, ${exceptAll("b", "a")} AS extra`,
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
      return [comparisonResult(title, rows, missing, extra)];
    },
  };
}

/**
 * The checks that read every audit come first, the per-scorecard ones after: the parallel sessions
 * take checks in this order, so the small ones fill the end instead of one long check running alone
 * (at 10M, auditor_performance's 37 s ran its last 20 s on one session when it came last).
 */
export function phase4PostRunChecks(ctx: PlanContext): ValidationCheck[] {
  return [
    performanceCheck,
    vectorsCheck,
    compare("content:scorecard_month_statistics", "scorecard_month_statistics", directRollup, storedRollup, "group"),
    compare("content:scorecard_month_totals", "scorecard_month_totals", directTotals, storedTotals, "group"),
    ...ctx.auditTables.map(statisticsCheck),
    otherStatistics(ctx.auditTables),
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
