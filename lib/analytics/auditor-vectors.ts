import { createHash } from "node:crypto";
import { prepared, prisma } from "@/lib/db/prisma";
import { quoteIdent } from "@/lib/db/sql";
import { VECTOR_BYTES, VECTOR_FIELDS } from "@/lib/plan/phase-4/aggregates";
import type { AnalyticsFilters } from "./filters";
import { histogramMedian } from "./median";
import { auditorMembersQuery, auditorRowsQuery, auditorTurnaroundsQuery, auditorVectorsQuery, employeeNamesQuery, BUSIEST, VECTOR_VERSION, versionsText } from "./sql";
import type { AuditorRow, AuditorSort } from "./types";

/**
 * The auditors page in every order, with or without a department or team, from auditor_month_vectors: the range's two months
 * read whole (every auditor's counts and sums, packed as doubles) and the count, the bands, the busiest and the page worked out
 * here, then only the rows that can be on the page named and given their exact figures and turnaround by SQL (auditorRowsQuery). The counts and the deviation are the statement's own doubles, so those orders are decided here, bit for bit
 * as auditorsPageQuery decides them. The average and the spread are exact numerics in SQL: here they are known within a bound, so
 * every auditor whose bound reaches the page is named with its exact figure and the page is cut from those. The name order walks
 * everybody's ids in the database's name order (names are live and sorted by its collation), keeping the range's auditors; the
 * turnaround order merges every timed auditor's histograms once per refresh; a department or team is the auditors' own, read as
 * of the request. lib/plan/phase-4/generated.test.ts compares this path with the statement on every range, order and page. At 10M
 * audits the statement over every auditor costs 17–40 ms (100–140 ms by turnaround); this path 1.6–3.4 ms (p50) in most orders,
 * one round trip while no refresh has committed, 2 × 230 kB read on the first request after one (docs/performance.md).
 */

export type NamedRow = Omit<AuditorRow, "turnaround">;

export interface AuditorsResult {
  total: number;
  settled: number;
  settled_band: number[] | null;
  every_band: number[] | null;
  busiest: NamedRow[];
  rows: NamedRow[];
}

const U = "unified";

/** More named rows than this could be on one page (thousands of equal spreads, say): the statement answers. */
const MAX_CANDIDATES = 400;

/**
 * Every auditor of the range, column by column (NaN: NULL). `low`/`high` bound the average and the spread as SQL computes them
 * from the exact sums; the counts and the deviation are exact.
 */
interface Figures {
  ids: Float64Array;
  audits: Float64Array;
  deviation: Float64Array;
  avgLow: Float64Array;
  avgHigh: Float64Array;
  spreadLow: Float64Array;
  spreadHigh: Float64Array;
  /** Audits matched to an assignment: an auditor with none has no turnaround median. */
  matched: Float64Array;
  length: number;
}

/** The packed doubles of one month (a copy: the bytes are not aligned), VECTOR_FIELDS per auditor, in auditor order. */
function unpack(bytes: Uint8Array): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(Math.floor(bytes.byteLength / 8));
  for (let k = 0; k < out.length; k++) out[k] = view.getFloat64(k * 8, false);
  return out;
}

/** percentile_cont over ascending doubles, as PostgreSQL interpolates (lo + (p·(n−1) − ⌊p·(n−1)⌋) · (hi − lo)). */
export function percentileCont(sorted: Float64Array, p: number): number {
  const position = p * (sorted.length - 1);
  const first = Math.floor(position);
  const second = Math.ceil(position);
  const low = sorted[first]!;
  if (first === second) return low;
  return low + (position - first) * (sorted[second]! - low);
}

/** auditor_id::text COLLATE "C" over row indexes (ids are digits: code-unit order is byte order). */
function byId(ids: Float64Array, a: number, b: number): number {
  const x = String(ids[a]);
  const y = String(ids[b]);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Decoded months, by database, relation and month, with the version of the row they were read from (its xmin and ctid: any
 * write of the row — a refresh, a Phase 4 load — makes a new tuple, so a changed month is never served from here). At most a
 * few hundred kB a month; a month no longer read stays until its row changes.
 */
const decoded = new Map<string, { version: string; values: Float64Array }>();

/** How many times this process has read months' bytes (for tests: a warm request reads none). */
let monthsRead = 0;
export function monthReads(): number {
  return monthsRead;
}

/** Forget every decoded month (the benchmark's cold reads: each request then reads its months' bytes, as the first after a refresh). */
export function forgetDecodedMonths(): void {
  decoded.clear();
  summaries.clear();
}

/**
 * The packed doubles of the months found (undefined: none, an empty vector), read again only where their row changed; "stale" when
 * a row changed again between the two reads (a refresh committed: the months would not be of one moment); "older" when a month is
 * not of this format's length (packed by older code: the next refresh packs it again).
 */
async function months(v: string, rows: ({ month: string; version: string } | undefined)[]): Promise<Float64Array[] | "stale" | "older"> {
  const key = (r: { month: string; version: string }) => `${r.version.split(" ")[0]} ${v} ${r.month}`;
  const stale = rows.filter((r): r is { month: string; version: string } => r !== undefined && decoded.get(key(r))?.version !== r.version);
  if (stale.length) {
    monthsRead++;
    const read = await prisma().$queryRawUnsafe<{ month: string; version: string; auditors: number; data: Uint8Array }[]>(
      prepared(`SELECT month::text AS month, ${VECTOR_VERSION} AS version, auditors, data FROM ${v} WHERE month = ANY ($1::date[])`),
      stale.map((r) => r.month),
    );
    for (const r of read) {
      if (r.data.byteLength !== r.auditors * VECTOR_BYTES) return "older";
      decoded.set(key(r), { version: r.version, values: unpack(r.data) });
    }
    if (stale.some((r) => decoded.get(key(r))?.version !== r.version)) return "stale";
  }
  return rows.map((r) => (r ? (decoded.get(key(r))?.values ?? new Float64Array(0)) : new Float64Array(0)));
}

/** Whether the vectors exist: remembered once seen (only a Phase 4 rollback drops them, and the pages check for that first). */
const seen = new Set<string>();
async function vectorsExist(u: string): Promise<boolean> {
  if (seen.has(u)) return true;
  const [row] = await prisma().$queryRawUnsafe<{ present: boolean }[]>(`SELECT to_regclass($1) IS NOT NULL AS present`, `${quoteIdent(u)}.auditor_month_vectors`);
  if (row?.present) seen.add(u);
  return Boolean(row?.present);
}

/** A sorted copy of values (NaN last), made once per array: the busiest and the page of the default order share it. */
const sortedCopies = new WeakMap<Float64Array, Float64Array>();
function ascending(values: Float64Array): Float64Array {
  let sorted = sortedCopies.get(values);
  if (!sorted) sortedCopies.set(values, (sorted = values.slice().sort()));
  return sorted;
}

/**
 * Where rows `offset` to `offset + limit` of `ORDER BY value ASC NULLS LAST, id` can be, each row's value known to lie in
 * [low, high] (NaN: NULL, exact): `candidates`, the rows whose bounds reach the page, of which the page is `candidates` in exact
 * order from `offset − before` on (`before` rows are certainly ahead of every row of the page), then `nulls`, the NULL rows on it.
 *
 * Every row of the page has a value of at least B, the (offset+1)-th smallest low bound, and at most T, the (offset+limit)-th
 * smallest high bound: a row whose high bound is under B is ahead of the whole page, one whose low bound is over T behind it.
 * Exact values (low = high) make the candidates the rows between the two values, ties included.
 */
function cut(low: Float64Array, high: Float64Array, ids: Float64Array, offset: number, limit: number): { candidates: number[]; before: number; nulls: number[] } {
  // A typed sort puts NaN last: the first m are the known values, ascending.
  const lows = ascending(low);
  let m = lows.length;
  while (m > 0 && Number.isNaN(lows[m - 1]!)) m--;
  const wanted = offset + limit;
  let nulls: number[] = [];
  if (wanted > m && m < low.length) {
    for (let i = 0; i < low.length; i++) if (Number.isNaN(low[i]!)) nulls.push(i);
    nulls = nulls.sort((a, b) => byId(ids, a, b)).slice(Math.max(offset - m, 0), wanted - m);
  }
  if (offset >= m || limit <= 0) return { candidates: [], before: Math.min(offset, m), nulls };
  const b = lows[offset]!;
  const t = wanted > m ? Infinity : ascending(high)[wanted - 1]!;
  const candidates: number[] = [];
  let before = 0;
  for (let i = 0; i < low.length; i++) {
    const l = low[i]!;
    if (Number.isNaN(l)) continue;
    if (high[i]! < b) before++;
    else if (l <= t) candidates.push(i);
  }
  return { candidates, before, nulls };
}

/** The page of an order from cut(), the candidates' exact values at hand (`exact`, by row index): row indexes, in order. */
function pageOf(c: ReturnType<typeof cut>, exact: (i: number) => number, ids: Float64Array, offset: number, limit: number): number[] {
  const sorted = [...c.candidates].sort((a, b) => {
    const x = exact(a);
    const y = exact(b);
    return x !== y ? (x < y ? -1 : 1) : byId(ids, a, b);
  });
  return [...sorted.slice(offset - c.before, offset - c.before + limit), ...c.nulls].slice(0, limit);
}

/** Bounds as ascending values (descending: negated, the ties still by id ascending, NULLs still last). */
function bounds(low: Float64Array, high: Float64Array, dir: "asc" | "desc"): { low: Float64Array; high: Float64Array } {
  if (dir === "asc") return { low, high };
  const negated = (values: Float64Array) => {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = -values[i]!;
    return out;
  };
  const negatedHigh = negated(high);
  return { low: negatedHigh, high: low === high ? negatedHigh : negated(low) };
}

type Version = { side: string; month: string; version: string };

/**
 * The months each range was last resolved to (its last month with data and the month before its first) with their row versions:
 * a request computes from them at once and the query that names its rows says whether they still hold (a refresh can move the
 * last month or rewrite a row), so a page costs one round trip when nothing changed.
 */
const resolved = new Map<string, Version[]>();

type Result = AuditorsResult & { turnaround: Map<string, number | null> };

/**
 * The page's result as auditorsPageQuery returns it, with the turnaround median of each row shown, or null when the vectors
 * cannot serve it: a Phase 4 that ran before the vectors existed or packed them in an older format (its next refresh packs them),
 * more rows within reach of the page than MAX_CANDIDATES, or refreshes committing throughout three tries.
 */
export async function auditorsFromVectors(
  f: AnalyticsFilters,
  order: { sort: AuditorSort; dir: "asc" | "desc" },
  page: { limit: number; offset: number },
  settled: number,
  u = U,
): Promise<Result | null> {
  const sort = order.sort;
  if (!(await vectorsExist(u))) return null;
  const range = `${u} ${f.from ?? ""} ${f.to ?? ""}`;
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      let versions = resolved.get(range);
      const remembered = versions !== undefined;
      const members = f.department || f.team ? membersOf(f, u) : Promise.resolve(null);
      if (!versions) {
        const q = auditorVectorsQuery(f, quoteIdent(u));
        versions = await prisma().$queryRawUnsafe<Version[]>(prepared(q.sql), ...q.params);
        resolved.set(range, versions);
      }
      const result = await fromMonths(f, { sort, dir: order.dir }, page, settled, { versions, remembered, members: await members }, u);
      if (result === "older" || result === "unserved") return null;
      if (result !== "stale") return result;
      resolved.delete(range);
    }
    return null;
  } catch (error) {
    // Dropped since it was seen (a Phase 4 rollback between the page's readiness check and here): the statement answers.
    seen.delete(u);
    if (!(await vectorsExist(u))) return null;
    throw error;
  }
}

/** The ids of the department's or team's employees, as of now. */
async function membersOf(f: AnalyticsFilters, u: string): Promise<Members> {
  const q = auditorMembersQuery(f, quoteIdent(u));
  const [row] = await prisma().$queryRawUnsafe<{ ids: Uint8Array }[]>(prepared(q.sql), ...q.params);
  const bytes = row?.ids ?? new Uint8Array(0);
  return { ids: () => new Set(unpack(bytes)), key: createHash("sha256").update(bytes).digest("base64") };
}

/** A department's or team's people as of a request, and a digest of them (their summary is reused while they stay the same). */
interface Members {
  /** Made only when the summary is not known. */
  ids: () => Set<number>;
  key: string;
}

/** A bound's relative width: far above float8's rounding of the packed sums (2⁻⁵³) and of SQL's own numeric and float8 steps. */
const SLACK = 1e-12;

/**
 * Every auditor of the range from its two months in auditor order (a merge: an auditor absent before the range had nothing then),
 * kept to `members` when given.
 */
function figures(end: Float64Array, before: Float64Array, members: Set<number> | null): Figures {
  const n = VECTOR_FIELDS.length;
  const size = end.length / n;
  const column = () => new Float64Array(size);
  const every: Figures = {
    ids: column(), audits: column(), deviation: column(), avgLow: column(), avgHigh: column(), spreadLow: column(), spreadHigh: column(), matched: column(), length: 0,
  };
  // The auditor's totals before the range, field by field (b: where they start; none: zero).
  let b = -1;
  const at = (field: number) => (b < 0 ? 0 : before[b + field]!);
  for (let i = 0, j = 0; i < end.length; i += n) {
    const id = end[i]!;
    while (j < before.length && before[j]! < id) j += n;
    if (members && !members.has(id)) continue;
    b = j < before.length && before[j] === id ? j : -1;
    const audits = end[i + 1]! - at(1);
    if (!(audits > 0)) continue;
    const scored = end[i + 2]! - at(2);
    const k = every.length++;
    every.ids[k] = id;
    every.audits[k] = audits;
    every.matched[k] = end[i + 6]! - at(6);
    every.deviation[k] = scored === 0 ? NaN : (end[i + 3]! - at(3)) / scored;
    if (scored === 0) {
      // SQL: the average NULL; the spread GREATEST(NULL, 0), so 0.
      every.avgLow[k] = every.avgHigh[k] = NaN;
      every.spreadLow[k] = every.spreadHigh[k] = 0;
      continue;
    }
    const sum = end[i + 4]! - at(4);
    const sumError = SLACK * (Math.abs(end[i + 4]!) + Math.abs(at(4)));
    const avg = sum / scored;
    const avgError = sumError / scored + SLACK * Math.abs(avg);
    every.avgLow[k] = avg - avgError;
    every.avgHigh[k] = avg + avgError;
    const squares = end[i + 5]! - at(5);
    const squaresError = SLACK * (Math.abs(end[i + 5]!) + Math.abs(at(5)));
    const centred = squares - (sum * sum) / scored;
    const centredError = squaresError + (2 * Math.abs(sum) * sumError + sumError * sumError) / scored + SLACK * (Math.abs(squares) + (sum * sum) / scored);
    const variance = centred / scored;
    const varianceError = centredError / scored + SLACK * Math.abs(variance);
    every.spreadLow[k] = Math.sqrt(Math.max(variance - varianceError, 0)) * (1 - SLACK);
    every.spreadHigh[k] = Math.sqrt(Math.max(variance + varianceError, 0)) * (1 + SLACK);
  }
  for (const key of ["ids", "audits", "deviation", "avgLow", "avgHigh", "spreadLow", "spreadHigh", "matched"] as const) every[key] = every[key].subarray(0, every.length);
  return every;
}

/** What a range's months give whatever the order: every auditor's figures, the count, the bands and the busiest. */
interface Summary {
  every: Figures;
  settled: number;
  settledBand: number[] | null;
  everyBand: number[] | null;
  busiest: number[];
  /** Every auditor's turnaround median (NaN: none), once the turnaround order asked for it. */
  turnaround?: Float64Array;
  /** The row index of an auditor id (undefined: not in the range). */
  indexOf(id: number): number | undefined;
  /** How many people employees holds, as the planner last counted them, once the name order asked. */
  people?: number;
  /** An order's bounds, made once (their sorted copies with them: ascending()). */
  boundsOf(sort: Exclude<AuditorSort, "name">, dir: "asc" | "desc"): { low: Float64Array; high: Float64Array };
}

/**
 * Summaries of the last ranges asked, by the versions of their months and the digest of the department's or team's people: the
 * next request of the same range on the same months and people (any order, any page) reuses it. A few hundred kB each, at most
 * SUMMARIES of them.
 */
const summaries = new Map<string, Summary>();
const SUMMARIES = 32;

function summaryOf(versions: Version[], end: Float64Array, before: Float64Array, members: Members | null, settled: number): Summary {
  const key = `${versionsText(versions)} | ${settled} | ${members?.key ?? "everyone"}`;
  const known = summaries.get(key);
  if (known) return known;
  const every = figures(end, before, members ? members.ids() : null);
  // The bands: percentile_cont skips the NULL deviations; the settled ones are those of the auditors with enough audits.
  const band = (least: number) => {
    const kept = new Float64Array(every.length);
    let k = 0;
    for (let i = 0; i < every.length; i++) {
      const d = every.deviation[i]!;
      if (!Number.isNaN(d) && every.audits[i]! >= least) kept[k++] = d;
    }
    const sorted = kept.subarray(0, k).sort();
    return k ? [percentileCont(sorted, 0.25), percentileCont(sorted, 0.75)] : null;
  };
  let settledCount = 0;
  for (let i = 0; i < every.length; i++) if (every.audits[i]! >= settled) settledCount++;
  const made = new Map<string, { low: Float64Array; high: Float64Array }>();
  const boundsOf: Summary["boundsOf"] = (sort, dir) => {
    const k = `${sort} ${dir}`;
    let b = made.get(k);
    if (!b) {
      // The counts, the deviation and the turnaround medians (once known: turnaroundMedians) are exact.
      const [low, high] =
        sort === "avgScore" ? [every.avgLow, every.avgHigh] : sort === "spread" ? [every.spreadLow, every.spreadHigh] : sort === "turnaround" ? [summary.turnaround!, summary.turnaround!] : [every[sort], every[sort]];
      made.set(k, (b = bounds(low, high, dir)));
    }
    return b;
  };
  const byAudits = boundsOf("audits", "desc");
  const busiest = pageOf(cut(byAudits.low, byAudits.high, every.ids, 0, BUSIEST), (i) => byAudits.low[i]!, every.ids, 0, BUSIEST);
  let indexes: Map<number, number> | null = null;
  const indexOf = (id: number) => (indexes ??= new Map(Array.from(every.ids, (x, i) => [x, i]))).get(id);
  const summary: Summary = { every, settled: settledCount, settledBand: band(settled), everyBand: band(-Infinity), busiest, indexOf, boundsOf };
  summaries.set(key, summary);
  if (summaries.size > SUMMARIES) summaries.delete(summaries.keys().next().value!);
  return summary;
}

type Named = NamedRow & { histogram: [number, number][] | null; versions: string | null };

/**
 * The page from the months `versions` names (`remembered`: from an earlier request), or "stale" when they no longer hold, "older"
 * when a month is of an older format, "unserved" when more than MAX_CANDIDATES rows could be on the page or an exact figure is
 * outside its bound (the statement answers either).
 */
async function fromMonths(
  f: AnalyticsFilters,
  order: { sort: AuditorSort; dir: "asc" | "desc" },
  page: { limit: number; offset: number },
  settled: number,
  { versions, remembered, members }: { versions: Version[]; remembered: boolean; members: Members | null },
  u: string,
): Promise<Result | "stale" | "older" | "unserved"> {
  const endRow = versions.find((r) => r.side === "end");
  const both = await months(`${quoteIdent(u)}.auditor_month_vectors`, [endRow, versions.find((r) => r.side === "before")]);
  if (both === "stale" || both === "older") return both;
  const summary = summaryOf(versions, both[0]!, both[1]!, members, settled);
  const { every, busiest } = summary;
  const idOf = (i: number) => String(every.ids[i]);
  // The rows that can be on the page: exactly the page when the order's values are exact; else every row within reach.
  let shown: number[] | null = null;
  let reach: ReturnType<typeof cut> | null = null;
  let sorted: { low: Float64Array; high: Float64Array } | null = null;
  // By turnaround: the medians of every auditor with a matched audit in the range (the others have none), merged from their months.
  // Remembered with the summary: auditor_performance changes only in a refresh's auditor batches, which pack the months again, so
  // the months' versions are theirs too (a refresh between the two reads makes the naming below find the versions moved).
  let medians: Float64Array | null = null;
  if (order.sort === "turnaround") {
    medians = summary.turnaround ??= await turnaroundMedians(f, summary, u);
  }
  if (order.sort === "audits" || order.sort === "deviation" || order.sort === "turnaround") {
    const values = summary.boundsOf(order.sort, order.dir).low;
    shown = pageOf(cut(values, values, every.ids, page.offset, page.limit), (i) => values[i]!, every.ids, page.offset, page.limit);
  } else if (order.sort === "name") {
    shown = await namePage(summary, order.dir, page, u);
  } else {
    sorted = summary.boundsOf(order.sort, order.dir);
    reach = cut(sorted.low, sorted.high, every.ids, page.offset, page.limit);
    if (reach.candidates.length > MAX_CANDIDATES) return "unserved";
  }
  const toName = shown ?? [...(reach?.candidates ?? []), ...(reach?.nulls ?? [])];
  const ids = [...new Set([...toName, ...busiest].map(idOf))];
  let named: Named[] = [];
  if (endRow && ids.length) {
    // By turnaround the shown rows' medians are known: no histogram is merged again.
    const q = auditorRowsQuery(f, ids, endRow.month, medians ? [] : toName.map(idOf), quoteIdent(u));
    named = await prisma().$queryRawUnsafe<Named[]>(prepared(q.sql), ...q.params);
  }
  // Whether remembered months still are the range's, as of the naming (or, with nobody to name, of a fresh look); months whose
  // versions were read by this request are (months() read their bytes at those versions).
  let now = versionsText(versions);
  if (named.length) now = named[0]!.versions ?? "";
  else if (remembered) {
    const q = auditorVectorsQuery(f, quoteIdent(u));
    now = versionsText(await prisma().$queryRawUnsafe<Version[]>(prepared(q.sql), ...q.params));
  }
  if (now !== versionsText(versions)) return "stale";
  const byId = new Map(named.map((r) => [r.id, r]));
  if (!shown) {
    // The candidates' exact figures, each within its bound (else the bounds are wrong: the statement answers).
    const key = order.sort === "avgScore" ? "avgScore" : "spread";
    const sign = order.dir === "asc" ? 1 : -1;
    const exact = new Map<number, number>();
    for (const i of reach!.candidates) {
      const value = byId.get(idOf(i))?.[key];
      if (value === null || value === undefined) return "unserved";
      const v = sign * value;
      if (!(v >= sorted!.low[i]! && v <= sorted!.high[i]!)) return "unserved";
      exact.set(i, v);
    }
    shown = pageOf(reach!, (i) => exact.get(i)!, every.ids, page.offset, page.limit);
  }
  const pick = (list: number[]) => list.map((i) => byId.get(idOf(i))).filter((r): r is Named => r !== undefined).map(plain);
  const turnaround = new Map(
    shown.map((i) => [
      idOf(i),
      medians ? (Number.isNaN(medians[i]!) ? null : medians[i]!) : histogramMedian((byId.get(idOf(i))?.histogram ?? []).map(([days, n]) => ({ days, n }))),
    ] as const),
  );
  return {
    total: every.length,
    settled: summary.settled,
    settled_band: summary.settledBand,
    every_band: summary.everyBand,
    busiest: pick(busiest),
    rows: pick(shown),
    turnaround,
  };
}

/** Every auditor's turnaround median over the range, by row index (NaN: no matched audit). */
async function turnaroundMedians(f: AnalyticsFilters, summary: Summary, u: string): Promise<Float64Array> {
  const medians = new Float64Array(summary.every.length).fill(NaN);
  if (!summary.every.matched.some((n) => n > 0)) return medians;
  const q = auditorTurnaroundsQuery(f, quoteIdent(u));
  for (const r of await prisma().$queryRawUnsafe<{ id: string; histogram: [number, number][] }[]>(prepared(q.sql), ...q.params)) {
    // Every timed auditor of the range: those outside the department or team asked are not on the page.
    const i = summary.indexOf(Number(r.id));
    if (i !== undefined) medians[i] = histogramMedian(r.histogram.map(([days, n]) => ({ days, n }))) ?? NaN;
  }
  return medians;
}

/** How many people employees holds, as the planner last counted them (reltuples): only the name walk's first read is sized by it. */
async function peopleCount(u: string): Promise<number> {
  const [row] = await prisma().$queryRawUnsafe<{ n: number }[]>(
    prepared(`SELECT GREATEST(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = to_regclass($1)`),
    `${quoteIdent(u)}.employees`,
  );
  return row?.n ?? 0;
}

/**
 * The page of the name order, as row indexes: everybody's ids walked in that order (employeeNamesQuery; names are live and
 * sorted by the database's collation), the range's auditors kept, until the page is full. The first read is sized to hold the
 * page twice over at the range's share of everybody (auditors are not spread evenly through the alphabet); each further read is
 * twice as long.
 */
async function namePage(summary: Summary, dir: "asc" | "desc", page: { limit: number; offset: number }, u: string): Promise<number[]> {
  const wanted = page.offset + page.limit;
  const auditors = summary.every.length;
  if (page.offset >= auditors || page.limit <= 0) return [];
  const people = Math.max((summary.people ??= await peopleCount(u)), auditors);
  // A power of two: the walk's statements are of a few texts, each kept prepared (its limit and offset are in the text).
  let chunk = 2 ** Math.ceil(Math.log2(Math.max(512, Math.ceil(((Math.min(wanted, auditors) * people) / auditors) * 2) + 256)));
  const found: number[] = [];
  for (let offset = 0; found.length < wanted; offset += chunk, chunk *= 2) {
    const q = employeeNamesQuery(dir, chunk, offset, quoteIdent(u));
    const [row] = await prisma().$queryRawUnsafe<{ ids: Uint8Array }[]>(prepared(q.sql), ...q.params);
    const ids = unpack(row?.ids ?? new Uint8Array(0));
    for (const id of ids) {
      const i = summary.indexOf(id);
      if (i !== undefined) found.push(i);
    }
    if (ids.length < chunk) break; // everybody read
  }
  return found.slice(page.offset, wanted);
}

/** A named row as the table shows it (without what the naming query adds). */
function plain(r: Named): NamedRow {
  return { id: r.id, name: r.name, email: r.email, audits: r.audits, avgScore: r.avgScore, spread: r.spread, deviation: r.deviation, matched: r.matched };
}
