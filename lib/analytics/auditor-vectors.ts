import { prisma } from "@/lib/db/prisma";
import { quoteIdent } from "@/lib/db/sql";
import { VECTOR_FIELDS } from "@/lib/plan/phase-4/aggregates";
import type { AnalyticsFilters } from "./filters";
import { histogramMedian } from "./median";
import { auditorRowsQuery, auditorVectorsQuery, BUSIEST, VECTOR_VERSION, versionsText } from "./sql";
import type { AuditorRow, AuditorSort } from "./types";

/**
 * The auditors page in its default order (most audits first) or by calibration deviation, from
 * auditor_month_vectors: the range's two months read whole (every auditor's counts and deviation
 * sum, packed as doubles) and the count, the bands, the busiest and the page worked out here, then
 * only the rows shown named and given their exact figures and turnaround by SQL (auditorRowsQuery).
 * The same doubles, subtractions, divisions and interpolation as auditorsPageQuery's, so the result
 * is the same bit for bit (lib/plan/phase-4/generated.test.ts compares the two on every range and
 * order). At 10M audits the statement over every auditor costs 17–20 ms; this path 3.8 ms (p50),
 * one round trip while no refresh has committed, 2 × 130 kB read on the first request after one.
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

/** The orders this path serves: the others (name, average, spread, turnaround) need more than counts, and go through SQL. */
export const VECTOR_SORTS = ["audits", "deviation"] as const satisfies readonly AuditorSort[];
type VectorSort = (typeof VECTOR_SORTS)[number];

const U = "unified";

/** Every auditor of the range, column by column (a deviation of NaN: none, no scored audit). */
interface Figures {
  ids: Float64Array;
  audits: Float64Array;
  deviation: Float64Array;
  length: number;
}

/** Whether a request can be answered from the vectors: an order they hold, and no department or team (the auditors' own, live). */
export function vectorsServe(f: AnalyticsFilters, sort: AuditorSort): sort is VectorSort {
  return (VECTOR_SORTS as readonly string[]).includes(sort) && !f.department && !f.team;
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

/** ORDER BY value DIR NULLS LAST, auditor_id::text COLLATE "C" over row indexes (ids are digits: code-unit order is byte order). */
function compare(values: Float64Array, ids: Float64Array, dir: "asc" | "desc") {
  const sign = dir === "asc" ? 1 : -1;
  return (a: number, b: number) => {
    const x = values[a]!;
    const y = values[b]!;
    if (x !== y) {
      if (Number.isNaN(x)) return Number.isNaN(y) ? byId(ids, a, b) : 1;
      if (Number.isNaN(y)) return -1;
      return (x < y ? -1 : 1) * sign;
    }
    return byId(ids, a, b);
  };
}

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

/** Forget every decoded month (the benchmark's cold reads: each request then reads its months' bytes, as the first after a refresh). */
export function forgetDecodedMonths(): void {
  decoded.clear();
}

/**
 * The packed doubles of the months found (undefined: none, an empty vector), read again only where their row changed; null when a
 * row changed again between the two reads (a refresh committed): the months would not be of one moment.
 */
async function months(v: string, rows: ({ month: string; version: string } | undefined)[]): Promise<Float64Array[] | null> {
  const key = (r: { month: string; version: string }) => `${r.version.split(" ")[0]} ${v} ${r.month}`;
  const stale = rows.filter((r): r is { month: string; version: string } => r !== undefined && decoded.get(key(r))?.version !== r.version);
  if (stale.length) {
    const read = await prisma().$queryRawUnsafe<{ month: string; version: string; data: Uint8Array }[]>(
      `SELECT month::text AS month, ${VECTOR_VERSION} AS version, data FROM ${v} WHERE month = ANY ($1::date[])`,
      stale.map((r) => r.month),
    );
    for (const r of read) decoded.set(key(r), { version: r.version, values: unpack(r.data) });
    if (stale.some((r) => decoded.get(key(r))?.version !== r.version)) return null;
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

/**
 * The rows in one order, cut by offset and limit as row indexes: only the rows at or past the value that many places in are
 * sorted (one native sort of the values finds it, shared by every cut), not all of them.
 */
function ranked(rows: Figures, sort: VectorSort, dir: "asc" | "desc"): (offset: number, limit: number) => number[] {
  const values = rows[sort];
  const known = values.filter((v) => !Number.isNaN(v)).sort();
  const order = compare(values, rows.ids, dir);
  return (offset, limit) => {
    const wanted = offset + limit;
    const candidates: number[] = [];
    if (wanted > 0 && wanted <= known.length) {
      const threshold = dir === "desc" ? known[known.length - wanted]! : known[wanted - 1]!;
      for (let i = 0; i < rows.length; i++) if (dir === "desc" ? values[i]! >= threshold : values[i]! <= threshold) candidates.push(i);
    } else {
      for (let i = 0; i < rows.length; i++) candidates.push(i);
    }
    return candidates.sort(order).slice(offset, wanted);
  };
}

type Version = { side: string; month: string; version: string };

/**
 * The months each range was last resolved to (its last month with data and the month before its first) with their row versions:
 * a request computes from them at once and the query that names its rows says whether they still hold (a refresh can move the
 * last month or rewrite a row), so a page costs one round trip when nothing changed.
 */
const resolved = new Map<string, Version[]>();

/**
 * The page's result as auditorsPageQuery returns it, with the turnaround median of each row shown, or null when the vectors
 * cannot serve it: another order, a department or team, a Phase 4 that ran before the vectors existed (its next refresh builds
 * them), or refreshes committing throughout three tries.
 */
export async function auditorsFromVectors(
  f: AnalyticsFilters,
  order: { sort: AuditorSort; dir: "asc" | "desc" },
  page: { limit: number; offset: number },
  settled: number,
  u = U,
): Promise<(AuditorsResult & { turnaround: Map<string, number | null> }) | null> {
  const sort = order.sort;
  if (!vectorsServe(f, sort)) return null;
  if (!(await vectorsExist(u))) return null;
  const range = `${u} ${f.from ?? ""} ${f.to ?? ""}`;
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      let versions = resolved.get(range);
      const remembered = versions !== undefined;
      if (!versions) {
        const q = auditorVectorsQuery(f, quoteIdent(u));
        versions = await prisma().$queryRawUnsafe<Version[]>(q.sql, ...q.params);
        resolved.set(range, versions);
      }
      const result = await fromMonths(f, { sort, dir: order.dir }, page, settled, { versions, remembered }, u);
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

/** The page from the months `versions` names (`remembered`: from an earlier request), or "stale" when they no longer hold. */
async function fromMonths(
  f: AnalyticsFilters,
  order: { sort: VectorSort; dir: "asc" | "desc" },
  page: { limit: number; offset: number },
  settled: number,
  { versions, remembered }: { versions: Version[]; remembered: boolean },
  u: string,
): Promise<(AuditorsResult & { turnaround: Map<string, number | null> }) | "stale"> {
  const endRow = versions.find((r) => r.side === "end");
  const both = await months(`${quoteIdent(u)}.auditor_month_vectors`, [endRow, versions.find((r) => r.side === "before")]);
  if (!both) return "stale";
  const [end, before] = both as [Float64Array, Float64Array];
  // Both months in auditor order: a merge. An auditor absent before the range had nothing then.
  const n = VECTOR_FIELDS.length;
  const size = end.length / n;
  const every: Figures = { ids: new Float64Array(size), audits: new Float64Array(size), deviation: new Float64Array(size), length: 0 };
  for (let i = 0, j = 0; i < end.length; i += n) {
    const id = end[i]!;
    while (j < before.length && before[j]! < id) j += n;
    const had = j < before.length && before[j] === id;
    const audits = had ? end[i + 1]! - before[j + 1]! : end[i + 1]!;
    if (!(audits > 0)) continue;
    const scored = had ? end[i + 2]! - before[j + 2]! : end[i + 2]!;
    const deviationSum = had ? end[i + 3]! - before[j + 3]! : end[i + 3]!;
    every.ids[every.length] = id;
    every.audits[every.length] = audits;
    every.deviation[every.length] = scored === 0 ? NaN : deviationSum / scored;
    every.length++;
  }
  for (const key of ["ids", "audits", "deviation"] as const) every[key] = every[key].subarray(0, every.length);
  // The bands: percentile_cont skips the NULL deviations; the settled ones are those of the auditors with enough audits.
  const band = (keep: (i: number) => boolean) => {
    const sorted = every.deviation.filter((d, i) => !Number.isNaN(d) && keep(i)).sort();
    return sorted.length ? [percentileCont(sorted, 0.25), percentileCont(sorted, 0.75)] : null;
  };
  let settledCount = 0;
  for (let i = 0; i < every.length; i++) if (every.audits[i]! >= settled) settledCount++;
  const byAudits = ranked(every, "audits", "desc");
  const busiest = byAudits(0, BUSIEST);
  const shown = (order.sort === "audits" && order.dir === "desc" ? byAudits : ranked(every, order.sort, order.dir))(page.offset, page.limit);
  const idOf = (i: number) => String(every.ids[i]);
  const ids = [...new Set([...shown, ...busiest].map(idOf))];
  let named: (NamedRow & { histogram: [number, number][] | null; versions: string | null })[] = [];
  if (endRow && ids.length) {
    const q = auditorRowsQuery(f, ids, endRow.month, shown.map(idOf), quoteIdent(u));
    named = await prisma().$queryRawUnsafe<typeof named>(q.sql, ...q.params);
  }
  // Whether remembered months still are the range's, as of the naming (or, with nobody to name, of a fresh look); months whose
  // versions were read by this request are (months() read their bytes at those versions).
  let now = versionsText(versions);
  if (named.length) now = named[0]!.versions ?? "";
  else if (remembered) {
    const q = auditorVectorsQuery(f, quoteIdent(u));
    now = versionsText(await prisma().$queryRawUnsafe<Version[]>(q.sql, ...q.params));
  }
  if (now !== versionsText(versions)) return "stale";
  const byId = new Map(
    named.map((r) => {
      const row: NamedRow = { id: r.id, name: r.name, email: r.email, audits: r.audits, avgScore: r.avgScore, spread: r.spread, deviation: r.deviation, matched: r.matched };
      return [r.id, { row, histogram: r.histogram }];
    }),
  );
  const pick = (list: number[]) => list.map((i) => byId.get(idOf(i))?.row).filter((r): r is NamedRow => r !== undefined);
  const turnaround = new Map(
    shown.map((i) => [idOf(i), histogramMedian((byId.get(idOf(i))?.histogram ?? []).map(([days, n]) => ({ days, n })))] as const),
  );
  return {
    total: every.length,
    settled: settledCount,
    settled_band: band((i) => every.audits[i]! >= settled),
    every_band: band(() => true),
    busiest: pick(busiest),
    rows: pick(shown),
    turnaround,
  };
}
