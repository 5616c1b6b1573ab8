import type { AnalyticsFilters } from "./filters";
import type { AuditorSort } from "./types";

/**
 * The SQL of every analytics page query, with its parameters: read through Prisma by the pages and
 * explained by Phase 4's index review, so the evidence is about the queries the pages run.
 */
export interface AnalyticsQuery {
  sql: string;
  params: unknown[];
}

/** The pages read `unified`; Phase 4's index review passes its own schema (a rehearsal's scratch one), quoted. */
const U = `"unified"`;
const monthStart = (m: string) => `${m}-01`;

/** WHERE clauses over an alias with a `month` column; the employee (department, team) through `e`. */
function where(alias: string, filters: AnalyticsFilters, params: unknown[], options: { scorecard: boolean; person: string }): string[] {
  const clauses: string[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(clause(`$${params.length}`));
  };
  if (filters.from) add((p) => `${alias}.month >= ${p}::date`, monthStart(filters.from));
  if (filters.to) add((p) => `${alias}.month <= ${p}::date`, monthStart(filters.to));
  if (options.scorecard && filters.scorecard) add((p) => `${alias}.scorecard_id = ${p}::int`, filters.scorecard);
  if (options.scorecard && filters.channel) add((p) => `${alias}.channel_id = ${p}::int`, filters.channel);
  if (filters.department) add((p) => `${options.person}.department_id = ${p}::int`, filters.department);
  if (filters.team) add((p) => `${options.person}.team_id = ${p}::int`, filters.team);
  return clauses;
}

const whereSql = (clauses: string[]) => (clauses.length ? `WHERE ${clauses.join(" AND ")}` : "");

const SUMMARY = `sum(s.audit_count)::float8 AS audits, (sum(s.total_sum) / NULLIF(sum(s.scored_count), 0))::float8 AS avg_score,
       (sum(s.passed_count)::numeric / NULLIF(sum(s.judged_count), 0))::float8 AS pass_rate`;

/**
 * The overview reads a rollup, never the statistics: scorecard_month_totals (per scorecard × channel
 * × month, a few hundred rows) unless it filters by department or team, then
 * scorecard_month_statistics, where department and team are its own columns (no join).
 */
function statistics(filters: AnalyticsFilters, select: string, join: string, group: string, order: string, u: string): AnalyticsQuery {
  const params: unknown[] = [];
  const clauses = where("s", filters, params, { scorecard: true, person: "s" });
  const rollup = filters.department || filters.team ? "scorecard_month_statistics" : "scorecard_month_totals";
  return { sql: `SELECT ${select}, ${SUMMARY}\n  FROM ${u}.${rollup} s ${join}\n ${whereSql(clauses)}\n GROUP BY ${group}\n ORDER BY ${order}`, params };
}

export const volumeByMonthQuery = (f: AnalyticsFilters, u = U) => statistics(f, `to_char(s.month, 'YYYY-MM') AS month`, "", "s.month", "s.month", u);

export const byScorecardQuery = (f: AnalyticsFilters) =>
  statistics(f, `s.scorecard_id AS id, COALESCE(c.name, c.source_table) AS name`, `JOIN ${U}.scorecards c ON c.id = s.scorecard_id`, "s.scorecard_id, c.name, c.source_table", "2, 1", U);

export const byChannelQuery = (f: AnalyticsFilters) =>
  statistics(f, `s.channel_id AS id, COALESCE(h.name, '(no channel)') AS name`, `LEFT JOIN ${U}.channels h ON h.id = s.channel_id`, "s.channel_id, h.name", "2, 1", U);

export const scorecardByMonthQuery = (f: AnalyticsFilters) =>
  statistics(f, `to_char(s.month, 'YYYY-MM') AS month, s.scorecard_id AS id`, "", "s.month, s.scorecard_id", "s.month, s.scorecard_id", U);

/** auditor_performance over the range, of one auditor or of those named (ids as text) when given. */
function performance(filters: AnalyticsFilters, extra: { auditor?: number | string[] }, u: string): { from: string; clauses: string[]; params: unknown[] } {
  const params: unknown[] = [];
  const clauses = where("p", filters, params, { scorecard: false, person: "e" });
  if (extra.auditor !== undefined) {
    params.push(extra.auditor);
    clauses.push(Array.isArray(extra.auditor) ? `p.auditor_id = ANY ($${params.length}::bigint[])` : `p.auditor_id = $${params.length}::bigint`);
  }
  // The auditor's department and team narrow it only when asked: otherwise no join before the aggregation.
  const person = filters.department || filters.team ? ` JOIN ${u}.employees e ON e.id = p.auditor_id` : "";
  return { from: `${u}.auditor_performance p${person}`, clauses, params };
}

const PERFORMANCE = `sum(p.audit_count)::float8 AS audits, sum(p.scored_count)::float8 AS scored,
       (sum(p.score_sum) / NULLIF(sum(p.scored_count), 0))::float8 AS avg_score,
       sqrt(GREATEST(sum(p.score_sum_squares) / NULLIF(sum(p.scored_count), 0) - (sum(p.score_sum) / NULLIF(sum(p.scored_count), 0)) ^ 2, 0))::float8 AS spread,
       (sum(p.deviation_sum) / NULLIF(sum(p.scored_count), 0))::float8 AS deviation,
       min(p.min_score)::float8 AS min_score, max(p.max_score)::float8 AS max_score, sum(p.turnaround_count)::float8 AS matched`;

/** One auditor's totals over the range, from their auditor-months (a dozen rows): aggregated first, then named. */
export function auditorTotalQuery(f: AnalyticsFilters, auditor: number, u = U): AnalyticsQuery {
  const q = performance(f, { auditor }, u);
  return {
    sql: `SELECT g.auditor_id::text AS id, COALESCE(NULLIF(btrim(n.full_name), ''), n.email) AS name, n.email, g.audits, g.scored, g.avg_score, g.spread,
       g.deviation, g.min_score, g.max_score, g.matched
  FROM (SELECT p.auditor_id, ${PERFORMANCE}\n  FROM ${q.from}\n ${whereSql(q.clauses)}\n GROUP BY p.auditor_id) g
  JOIN ${u}.employees n ON n.id = g.auditor_id
 ORDER BY g.audits DESC, g.auditor_id`,
    params: q.params,
  };
}

/** How the auditors page orders its rows: SQL for every column but turnaround (a median of merged histograms, sorted in Node). */
const ORDER: Record<Exclude<AuditorSort, "turnaround">, string> = { name: "name", audits: "audits", avgScore: `"avgScore"`, spread: "spread", deviation: "deviation" };
/** Over the named rows; ties by id as text, in either direction, as sortAuditors orders them. */
const orderBy = (sort: Exclude<AuditorSort, "turnaround">, dir: "asc" | "desc") => `${ORDER[sort]} ${dir.toUpperCase()} NULLS LAST, id COLLATE "C"`;

/** The name an auditor is shown and sorted by (`x`: an employees alias). */
const NAME = (x: string) => `COALESCE(NULLIF(btrim(${x}.full_name), ''), ${x}.email)`;

/** A range's average score and spread from the running sums at its end and before its start (`x`: a relation of auditorsPageQuery). */
const AVG_SCORE = (x: string) => `(${x}.sum_end - COALESCE(${x}.sum_before, 0))::float8 / NULLIF(${x}.scored, 0)`;
const SPREAD = (x: string) => {
  const sum = `(${x}.sum_end - COALESCE(${x}.sum_before, 0))`;
  return `sqrt(GREATEST(((${x}.squares_end - COALESCE(${x}.squares_before, 0) - ${sum} * ${sum} / NULLIF(${x}.scored, 0)) / NULLIF(${x}.scored, 0))::float8, 0))`;
};

/** The same orders over the unnamed figures (r's own columns; avg_score and spread are there only when sorted on). */
const RAW_ORDER: Record<Exclude<AuditorSort, "turnaround" | "name">, string> = { audits: "audits", avgScore: "avg_score", spread: "spread", deviation: "deviation" };
const rawOrderBy = (sort: Exclude<AuditorSort, "turnaround" | "name">, dir: "asc" | "desc") =>
  `${RAW_ORDER[sort]} ${dir.toUpperCase()} NULLS LAST, auditor_id::text COLLATE "C"`;

/** The auditors table shows this many rows a page. */
export const AUDITORS_PAGE = 50;

/** Auditors with fewer audits than this are in the table but not in the band or the calibration chart. */
export const SETTLED_AUDITS = 10;

/** The charts' auditors: the busiest, whatever the table's order. */
export const BUSIEST = 30;

/**
 * Every auditor over the range from auditor_running_totals, two rows per auditor (the totals at the
 * range's last month minus those at the month before its first), in one statement returning one row:
 * how many auditors, the calibration band's quartiles (of the auditors with at least `settled` audits,
 * and of all), the busiest `BUSIEST` for the charts, and the rows of one page in the order asked
 * (every row when `page` is null). Department and team are the auditor's own.
 */
export function auditorsPageQuery(
  f: AnalyticsFilters,
  order: { sort: Exclude<AuditorSort, "turnaround">; dir: "asc" | "desc" },
  page: { limit: number; offset: number } | null,
  settled: number,
  u = U,
): AnalyticsQuery {
  const params: unknown[] = [];
  const add = (value: unknown) => `$${params.push(value)}`;
  const range = rangeFigures(f, add, u);
  const settledParam = add(settled);
  const limit = page ? `LIMIT ${add(page.limit)} OFFSET ${add(page.offset)}` : "";
  const sortedOn = order.sort === "avgScore" || order.sort === "spread" ? `, ${AVG_SCORE("g")} AS avg_score, ${SPREAD("g")} AS spread` : "";
  const named = (from: string) => `${NAMED_SELECT} FROM ${from} JOIN ${u}.employees n ON n.id = r.auditor_id`;
  // Sorted and cut to the page first, then the page is named and its exact figures computed (the name order reads every name).
  const cut =
    order.sort === "name"
      ? `(SELECT r.* FROM r JOIN ${u}.employees o ON o.id = r.auditor_id
           ORDER BY ${NAME("o")} ${order.dir.toUpperCase()} NULLS LAST, r.auditor_id::text COLLATE "C" ${limit}) r`
      : `(SELECT * FROM r ORDER BY ${rawOrderBy(order.sort, order.dir)} ${limit}) r`;
  const rowsSql = `SELECT * FROM (${named(cut)}) y ORDER BY ${orderBy(order.sort, order.dir)}`;
  const busiestSql = `SELECT * FROM (${named(`(SELECT * FROM r ORDER BY ${rawOrderBy("audits", "desc")} LIMIT ${BUSIEST}) r`)}) y ORDER BY ${orderBy("audits", "desc")}`;
  return {
    sql: `${range.ctes}, r AS MATERIALIZED (
  SELECT ${FIGURES}${sortedOn}
    FROM g
), s AS (
  -- One pass for the count and both bands.
  SELECT count(*)::int AS total, (count(*) FILTER (WHERE audits >= ${settledParam}))::int AS settled,
         percentile_cont(ARRAY[0.25, 0.75]) WITHIN GROUP (ORDER BY deviation) FILTER (WHERE audits >= ${settledParam}) AS settled_band,
         percentile_cont(ARRAY[0.25, 0.75]) WITHIN GROUP (ORDER BY deviation) AS every_band
    FROM r
)
SELECT s.total, s.settled, s.settled_band, s.every_band,
       (SELECT COALESCE(json_agg(x), '[]') FROM (${busiestSql}) x) AS busiest,
       (SELECT COALESCE(json_agg(x), '[]') FROM (${rowsSql}) x) AS rows
  FROM s`,
    params,
  };
}

/** The columns of `r`, each auditor's figures over the range, from `g` (see rangeFigures). */
const FIGURES = `auditor_id, audits, scored, sum_end, sum_before, squares_end, squares_before, deviation_sum / NULLIF(scored, 0) AS deviation, matched`;

/** A page's rows as the table shows them, from `r` (FIGURES) joined to its names `n`. */
const NAMED_SELECT = `SELECT r.auditor_id::text AS id, ${NAME("n")} AS name, n.email, r.audits,
              ${AVG_SCORE("r")} AS "avgScore", ${SPREAD("r")} AS spread, r.deviation, r.matched`;

/**
 * Each auditor's figures over the range, as the columns of `g`, from their running totals `t` at the range's last month and `b`
 * the month before its first (absent: nothing before). Counts go to float8 for every auditor (the band and the default order
 * need them); the deviation is the difference of the two running sums each rounded to float8, so that
 * lib/analytics/auditor-vectors.ts, which reads those doubles packed, computes bit for bit the same. The score sums stay exact and
 * unsubtracted until a row is shown (or sorted on): numeric arithmetic costs microseconds a row, and the variance's float8 form
 * (squares ÷ n − mean²) would cancel to noise (10⁻⁶ for one audit).
 */
function rangeColumns(hasFrom: boolean): string {
  const exact = (column: string) => (hasFrom ? `(t.${column} - COALESCE(b.${column}, 0))` : `t.${column}`);
  const minus = (column: string) => `${exact(column)}::float8`;
  const earlier = (column: string) => (hasFrom ? `b.${column}` : "NULL::numeric");
  const deviation = hasFrom ? `(t.deviation_sum::float8 - COALESCE(b.deviation_sum::float8, 0))` : `t.deviation_sum::float8`;
  return `t.auditor_id, ${minus("audit_count")} AS audits, ${exact("scored_count")} AS scored, t.score_sum AS sum_end, ${earlier("score_sum")} AS sum_before,
         t.score_sum_squares AS squares_end, ${earlier("score_sum_squares")} AS squares_before, ${deviation} AS deviation_sum,
         ${minus("turnaround_count")} AS matched`;
}

/**
 * The CTEs `last`, `ends`, `starts` and `g` (rangeColumns): every auditor over the range from auditor_running_totals, two rows
 * per auditor (the totals at the range's last month minus those at the month before its first). Department and team are the
 * auditor's own.
 */
function rangeFigures(f: AnalyticsFilters, add: (value: unknown) => string, u: string): { ctes: string } {
  const end = f.to ? `WHERE month <= ${add(monthStart(f.to))}::date` : "";
  // Each month's rows are read once into a CTE and hash-joined: with the last month an InitPlan, the planner's estimates of a direct
  // self-join were a tenth of the rows, and it chose a parallel nested loop of 4,000 index probes (27 ms at 10M, against 19).
  const ends = [`month = (SELECT month FROM last)`];
  if (f.from) ends.push(`month >= ${add(monthStart(f.from))}::date`);
  const starts = f.from ? `, starts AS MATERIALIZED (
  SELECT * FROM ${u}.auditor_running_totals WHERE month = (${add(monthStart(f.from))}::date - interval '1 month')::date
)` : "";
  const before = f.from ? `LEFT JOIN starts b ON b.auditor_id = t.auditor_id` : "";
  const person = f.department || f.team ? `JOIN ${u}.employees e ON e.id = t.auditor_id` : "";
  // A range after the last month with audits has none (its "before" row would be missing, not zero): ends' month >= from.
  const clauses = [f.from ? `t.audit_count > COALESCE(b.audit_count, 0)` : `t.audit_count > 0`];
  if (f.department) clauses.push(`e.department_id = ${add(f.department)}::int`);
  if (f.team) clauses.push(`e.team_id = ${add(f.team)}::int`);
  return {
    ctes: `WITH last AS (SELECT max(month) AS month FROM ${u}.auditor_running_totals ${end}
), ends AS MATERIALIZED (
  SELECT * FROM ${u}.auditor_running_totals WHERE ${ends.join(" AND ")}
)${starts}, g AS (
  SELECT ${rangeColumns(Boolean(f.from))}
    FROM ends t ${before} ${person}
   WHERE ${clauses.join(" AND ")}
)`,
  };
}

/**
 * The auditors named (`ids`, as text), each as the auditors table shows them over the range whose last month with data is `end`
 * (YYYY-MM-DD) — the same figures as auditorsPageQuery's rows, for the page lib/analytics/auditor-vectors.ts ordered and cut
 * without them: a plain join of a few dozen index probes (no CTEs, half the planning), with the turnaround histograms of `shown`.
 * In no order.
 */
export function auditorRowsQuery(f: AnalyticsFilters, ids: string[], end: string, shown: string[], u = U): AnalyticsQuery {
  const params: unknown[] = [ids, end];
  const add = (value: unknown) => `$${params.push(value)}`;
  const before = f.from ? `LEFT JOIN ${u}.auditor_running_totals b ON b.month = (${add(monthStart(f.from))}::date - interval '1 month')::date AND b.auditor_id = t.auditor_id` : "";
  const histograms = turnaroundHistograms(f, add(shown), add, u);
  const versions = vectorVersionsSql(f, add, u);
  return {
    sql: `${NAMED_SELECT}, h.histogram,
       (SELECT string_agg(x.side || ' ' || x.month || ' ' || x.version, ', ' ORDER BY x.side) FROM (${versions}) x) AS versions
  FROM (SELECT ${FIGURES} FROM (SELECT ${rangeColumns(Boolean(f.from))}
          FROM ${u}.auditor_running_totals t ${before}
         WHERE t.month = $2::date AND t.auditor_id = ANY ($1::bigint[])) g) r
  JOIN ${u}.employees n ON n.id = r.auditor_id
  LEFT JOIN (${histograms}) h ON h.auditor_id = r.auditor_id`,
    params,
  };
}

/**
 * Everybody's ids in the order of the auditors page by name (auditorsPageQuery's: the shown name, then the id as text), `limit`
 * of them from `offset`, packed as big-endian doubles: lib/analytics/auditor-vectors.ts walks them, keeping the range's auditors,
 * until its page is full. A name is never NULL (email is NOT NULL), so NULLS FIRST descending is the statement's NULLS LAST.
 * Ascending, employees_display_name_idx (the name, then the id as text) is read in order from its own entries alone; descending,
 * backwards, each run of equal names sorted again (their ids stay ascending). The limit and offset are integers written into the
 * text, so the statement can be kept prepared with a plan that knows them (the walk asks a few sizes: powers of two).
 */
export function employeeNamesQuery(dir: "asc" | "desc", limit: number, offset: number, u = U): AnalyticsQuery {
  if (!Number.isSafeInteger(limit) || !Number.isSafeInteger(offset) || limit < 0 || offset < 0) throw new Error(`the name walk reads whole rows: limit ${limit}, offset ${offset}`);
  const order = `2 ${dir === "asc" ? "ASC NULLS LAST" : "DESC NULLS FIRST"}, 3`;
  return {
    sql: `SELECT COALESCE(string_agg(float8send(w.id::float8), ''::bytea ORDER BY w.name ${dir === "asc" ? "ASC NULLS LAST" : "DESC NULLS FIRST"}, w.tie), ''::bytea) AS ids
  FROM (SELECT o.id, ${NAME("o")} AS name, o.id::text COLLATE "C" AS tie FROM ${u}.employees o ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}) w`,
    params: [],
  };
}

/**
 * The turnaround histograms of every auditor with a matched audit over the range, each as [[days, audits], …] by days: the
 * range's auditor-months with one, read through auditor_performance_turnaround_idx (a list of thousands of ids would cost more to
 * send and plan than the rows it would leave out).
 */
export function auditorTurnaroundsQuery(f: AnalyticsFilters, u = U): AnalyticsQuery {
  const params: unknown[] = [];
  return { sql: `SELECT h.auditor_id::text AS id, h.histogram FROM (${turnaroundHistograms(f, null, (value) => `$${params.push(value)}`, u)}) h`, params };
}

/** The auditors of a department or team (either or both), for the packed months' page to keep: their own, as of now. */
export function auditorMembersQuery(f: AnalyticsFilters, u = U): AnalyticsQuery {
  const params: unknown[] = [];
  const clauses: string[] = [];
  if (f.department) clauses.push(`department_id = $${params.push(f.department)}::int`);
  if (f.team) clauses.push(`team_id = $${params.push(f.team)}::int`);
  // Packed as big-endian doubles (thousands of ids: bytes, not an array's text), read by employees_department_id_idx or
  // employees_team_id_idx alone.
  return { sql: `SELECT COALESCE(string_agg(float8send(id::float8), ''::bytea), ''::bytea) AS ids FROM ${u}.employees WHERE ${clauses.join(" AND ") || "false"}`, params };
}

/**
 * The turnaround days of the auditors named (`ids`: a bigint[] parameter; null: every auditor) over the range, each auditor's as [[days, audits], …]
 * by days, merged from the monthly histograms as turnaroundQuery merges them (auditor_performance's months, from and to
 * inclusive), in one grouped pass. Only the months with a matched audit have a histogram to merge.
 */
function turnaroundHistograms(f: AnalyticsFilters, ids: string | null, add: (value: unknown) => string, u: string): string {
  const months = [f.from ? `p.month >= ${add(monthStart(f.from))}::date` : "", f.to ? `p.month <= ${add(monthStart(f.to))}::date` : ""].filter(Boolean);
  return `SELECT d.auditor_id, json_agg(json_build_array(d.days, d.n) ORDER BY d.days) AS histogram FROM (
            SELECT p.auditor_id, e.key::int AS days, sum(e.value::int)::float8 AS n
              FROM ${u}.auditor_performance p CROSS JOIN LATERAL jsonb_each_text(p.turnaround_histogram) e
             WHERE ${ids ? `p.auditor_id = ANY (${ids}::bigint[]) AND ` : ""}p.turnaround_count > 0${months.map((m) => ` AND ${m}`).join("")}
             GROUP BY 1, 2) d
          GROUP BY 1`;
}

/**
 * The auditors page's packed months (auditor_month_vectors): the version of the row of the range's last month with data (as
 * rangeFigures' `last`; none when that month is before the range) and of the month before its first — their database, xmin and
 * ctid, which change with every write of the row — without their bytes (lib/analytics/auditor-vectors.ts reads those by month
 * only when it has not decoded that version).
 */
export function auditorVectorsQuery(f: AnalyticsFilters, u = U): AnalyticsQuery {
  const params: unknown[] = [];
  return { sql: vectorVersionsSql(f, (value) => `$${params.push(value)}`, u), params };
}

/** A row of auditor_month_vectors' version: its database, xmin and ctid (any write of the row makes a new tuple). */
export const VECTOR_VERSION = `current_database() || ' ' || xmin::text || ' ' || ctid::text`;

function vectorVersionsSql(f: AnalyticsFilters, add: (value: unknown) => string, u: string): string {
  const v = `${u}.auditor_month_vectors`;
  const version = `${VECTOR_VERSION} AS version`;
  const last = `(SELECT max(month) FROM ${v}${f.to ? ` WHERE month <= ${add(monthStart(f.to))}::date` : ""})`;
  const ends = `SELECT 'end' AS side, month::text AS month, ${version} FROM ${v} WHERE month = ${last}${f.from ? ` AND month >= ${add(monthStart(f.from))}::date` : ""}`;
  const starts = f.from ? `\nUNION ALL\nSELECT 'before', month::text, ${version} FROM ${v} WHERE month = (${add(monthStart(f.from))}::date - interval '1 month')::date` : "";
  return `${ends}${starts}`;
}

/** The versions of vectorVersionsSql as one text (side, month and version of each row, in side order): what a page was computed from. */
export const versionsText = (rows: { side: string; month: string; version: string }[]) =>
  [...rows].sort((a, b) => (a.side < b.side ? -1 : 1)).map((r) => `${r.side} ${r.month} ${r.version}`).join(", ");

/** The turnaround days of every auditor over the range (or of those named), merged from the monthly histograms (medians combine only so). */
export function turnaroundQuery(f: AnalyticsFilters, auditor?: number | string[], u = U): AnalyticsQuery {
  const q = performance(f, { auditor }, u);
  return {
    sql: `SELECT p.auditor_id::text AS id, h.key::int AS days, sum(h.value::int)::float8 AS n\n  FROM ${q.from} CROSS JOIN LATERAL jsonb_each_text(p.turnaround_histogram) h\n ${whereSql(q.clauses)}\n GROUP BY 1, 2\n ORDER BY 1, 2`,
    params: q.params,
  };
}

/** One auditor, month by month. */
export function auditorMonthsQuery(f: AnalyticsFilters, auditor: number, u = U): AnalyticsQuery {
  const q = performance(f, { auditor }, u);
  return {
    sql: `SELECT to_char(p.month, 'YYYY-MM') AS month, ${PERFORMANCE}, max(p.turnaround_median_days)::float8 AS turnaround\n  FROM ${q.from}\n ${whereSql(q.clauses)}\n GROUP BY p.month\n ORDER BY p.month`,
    params: q.params,
  };
}

/**
 * One employee over the range in one row of JSON arrays (the client parses JSON whole; at 10M audits an employee's 60–200 groups
 * as rows, each with three arrays, cost about 1.5 ms to decode against 0.3 ms to read): `groups`, the employee's
 * audit_statistics groups (read by audit_statistics_group_key) by month and scorecard, [month, scorecard, audits, scored, total
 * sum, passed, judged, min, max, field keys, field sums, field counts]; `cards`, their scorecards [id, name]; `fields`, those
 * scorecards' fields in position order [scorecard, key, label, max score].
 */
export function employeeQuery(f: AnalyticsFilters, employee: number, u = U): AnalyticsQuery {
  const params: unknown[] = [employee];
  const clauses = [`s.employee_id = $1::bigint`, ...where("s", { ...f, department: null, team: null }, params, { scorecard: true, person: "e" })];
  return {
    sql: `WITH g AS MATERIALIZED (
  SELECT s.month, s.scorecard_id, s.audit_count, s.scored_count, s.total_sum, s.passed_count, s.judged_count, s.min_total, s.max_total,
         s.field_keys, s.field_sums, s.field_counts
    FROM ${u}.audit_statistics s
   ${whereSql(clauses)})
SELECT
  (SELECT COALESCE(json_agg(json_build_array(to_char(g.month, 'YYYY-MM'), g.scorecard_id, g.audit_count::float8, g.scored_count::float8, g.total_sum::float8,
                                             g.passed_count::float8, g.judged_count::float8, g.min_total::float8, g.max_total::float8, g.field_keys,
                                             g.field_sums::float8[], g.field_counts) ORDER BY g.month, g.scorecard_id), '[]')
     FROM g) AS groups,
  (SELECT COALESCE(json_agg(json_build_array(c.id, COALESCE(c.name, c.source_table)) ORDER BY c.id), '[]')
     FROM ${u}.scorecards c WHERE c.id IN (SELECT scorecard_id FROM g)) AS cards,
  (SELECT COALESCE(json_agg(json_build_array(d.scorecard_id, d.field_key, COALESCE(d.label, d.field_key), d.max_score) ORDER BY d.scorecard_id, d.position, d.id), '[]')
     FROM ${u}.scorecard_fields d WHERE d.scorecard_id IN (SELECT scorecard_id FROM g)) AS fields`,
    params,
  };
}

/** Representative arguments of the main queries: a few recent months, the busiest scorecard, auditor and employee. */
export interface ReviewArguments {
  from: string;
  to: string;
  scorecard: number;
  /** The busiest department, or null when nobody has one. */
  department: number | null;
  auditor: number;
  employee: number;
}

const range = (a: ReviewArguments): AnalyticsFilters => ({ from: a.from, to: a.to, scorecard: null, channel: null, department: null, team: null });

/** The pages' main queries, as Phase 4's index review explains them, with the index each should use. */
export const MAIN_QUERIES: { id: string; title: string; index: string; build(a: ReviewArguments, u?: string): AnalyticsQuery }[] = [
  // The totals are a few hundred rows: the evidence is that the overview reads them, not the statistics (the planner reads them whole).
  { id: "overview-volume", title: "Overview: volume, average and pass rate by month", index: "scorecard_month_totals", build: (a, u) => volumeByMonthQuery(range(a), u) },
  { id: "overview-scorecard", title: "Overview filtered to one scorecard", index: "scorecard_month_totals", build: (a, u) => volumeByMonthQuery({ ...range(a), scorecard: a.scorecard }, u) },
  {
    id: "overview-department",
    title: "Overview filtered to one department",
    index: "scorecard_month_statistics_month_idx",
    build: (a, u) => volumeByMonthQuery({ ...range(a), department: a.department }, u),
  },
  {
    id: "auditors-packed",
    title: "Auditors page, default order: the range's two packed months",
    index: "auditor_month_vectors_pkey",
    build: (a, u) => auditorVectorsQuery(range(a), u),
  },
  {
    id: "auditors-named",
    title: "Auditors page, default order: the shown auditors named, with their exact figures and turnaround",
    index: "auditor_running_totals_pkey",
    build: (a, u) => auditorRowsQuery(range(a), [String(a.auditor)], `${a.to}-01`, [String(a.auditor)], u),
  },
  {
    id: "auditors-by-name",
    title: "Auditors page by name: the first thousand people in the name order, walked for the range's auditors",
    index: "employees_display_name_idx",
    build: (_a, u) => employeeNamesQuery("asc", 1000, 0, u),
  },
  {
    id: "auditors",
    title: "Every auditor over a range (two running-total rows per auditor): the statement, for the turnaround order",
    index: "auditor_running_totals_pkey",
    build: (a, u) => auditorsPageQuery(range(a), { sort: "audits", dir: "desc" }, null, SETTLED_AUDITS, u),
  },
  { id: "auditor", title: "One auditor's months", index: "auditor_performance_pkey", build: (a, u) => auditorMonthsQuery(range(a), a.auditor, u) },
  { id: "employee", title: "One employee across all scorecards", index: "audit_statistics_group_key", build: (a, u) => employeeQuery(range(a), a.employee, u) },
];
