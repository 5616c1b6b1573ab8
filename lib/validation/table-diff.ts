import type pg from "pg";
import { qualified, quoteIdent } from "@/lib/db/sql";

/**
 * Row-level comparison of two relations with the same columns — a legacy table and the view that
 * reads it back from the unified side — after data-diff: per key segment, `count(*)` and the sum
 * of a 64-bit hash of each row's canonical text (order-independent, summed as a numeric that
 * cannot overflow); segments that differ are split until they are small enough to fetch and compare row
 * by row. Written independently of any phase's load SQL: it only reads both sides as they are.
 */
export interface Relation {
  schema: string;
  name: string;
}

export interface RowSample {
  key: string;
  /** The row as the left side (the source of truth) has it, or null when only the right has it. */
  left: Record<string, unknown> | null;
  right: Record<string, unknown> | null;
  /** Columns whose values differ (every column when one side is missing). */
  columns: string[];
}

export interface DiffResult {
  leftRows: number;
  rightRows: number;
  /** The left side's checksum over every compared column (relationFigures' form when the columns are all of them). */
  leftChecksum: string;
  equal: boolean;
  /** Rows only on the left, only on the right, or different on both (as multisets, keyed). */
  missing: number;
  extra: number;
  changed: number;
  samples: RowSample[];
}

type Db = pg.ClientBase | pg.Pool;

export const MAX_SAMPLES = 20;
/** Below this many rows on either side a segment is fetched and compared row by row. */
const LEAF_ROWS = 2000;
const SPLIT = 8;

/** The canonical text of a row: `ROW(...)::text` tells NULL (nothing) from '' (""). */
function rowText(alias: string, columns: string[]): string {
  return `ROW(${columns.map((c) => `${alias}.${quoteIdent(c)}`).join(", ")})::text`;
}

interface Segment {
  rows: number;
  sum: string;
}

interface Whole extends Segment {
  min: string | null;
  max: string | null;
  nullKeys: boolean;
}

// A row's 64-bit hash (PostgreSQL's own hashtextextended, seed 0), summed as numeric: it cannot
// overflow, and it costs a fifth of md5 plus the hex-to-bigint conversion per row.
const checksum = (columns: string[]) => `sum(hashtextextended(${rowText("t", columns)}, 0))::text`;

async function segment(db: Db, rel: Relation, key: string, columns: string[], lo: string | null, hi: string | null): Promise<Segment> {
  const k = `t.${quoteIdent(key)}`;
  const { rows } = await db.query<{ rows: string; sum: string | null }>(
    `SELECT count(*) AS rows, ${checksum(columns)} AS sum
       FROM ${qualified(rel.schema, rel.name)} t
      WHERE ($1::numeric IS NULL OR ${k} >= $1::numeric) AND ($2::numeric IS NULL OR ${k} < $2::numeric)`,
    [lo, hi],
  );
  return { rows: Number(rows[0]?.rows ?? 0), sum: rows[0]?.sum ?? "0" };
}

/** The whole relation in one pass: its count and checksum, and the key's bounds and NULLs. */
async function whole(db: Db, rel: Relation, key: string, columns: string[]): Promise<Whole> {
  const k = `t.${quoteIdent(key)}`;
  const { rows } = await db.query<{ rows: string; sum: string | null; lo: string | null; hi: string | null; nulls: boolean | null }>(
    `SELECT count(*) AS rows, ${checksum(columns)} AS sum, min(${k})::text AS lo, max(${k})::text AS hi, bool_or(${k} IS NULL) AS nulls
       FROM ${qualified(rel.schema, rel.name)} t`,
  );
  const r = rows[0];
  return { rows: Number(r?.rows ?? 0), sum: r?.sum ?? "0", min: r?.lo ?? null, max: r?.hi ?? null, nullKeys: r?.nulls === true };
}

/** The key range covering both sides. */
function keyBounds(sides: Whole[]): { min: string | null; max: string | null; nullKeys: boolean } {
  let min: string | null = null;
  let max: string | null = null;
  for (const side of sides) {
    if (side.min !== null && (min === null || Number(side.min) < Number(min))) min = side.min;
    if (side.max !== null && (max === null || Number(side.max) > Number(max))) max = side.max;
  }
  return { min, max, nullKeys: sides.some((side) => side.nullKeys) };
}

async function fetchRows(db: Db, rel: Relation, key: string, columns: string[], lo: string | null, hi: string | null, nullKeys: boolean) {
  const k = `t.${quoteIdent(key)}`;
  const where = nullKeys ? `${k} IS NULL` : `($1::numeric IS NULL OR ${k} >= $1::numeric) AND ($2::numeric IS NULL OR ${k} < $2::numeric)`;
  const { rows } = await db.query<{ k: string | null; row: Record<string, unknown>; text: string }>(
    `SELECT ${k}::text AS k, jsonb_build_object(${columns.map((c) => `${quoteLiteralName(c)}, t.${quoteIdent(c)}`).join(", ")}) AS row,
            ${rowText("t", columns)} AS text
       FROM ${qualified(rel.schema, rel.name)} t WHERE ${where} ORDER BY 1, 3`,
    nullKeys ? [] : [lo, hi],
  );
  return rows;
}

function quoteLiteralName(name: string): string {
  return `'${name.replace(/'/g, "''")}'`;
}

interface Tally {
  missing: number;
  extra: number;
  changed: number;
  samples: RowSample[];
}

/** Compares two fetched segments as keyed multisets of rows. */
function compareRows(
  left: { k: string | null; row: Record<string, unknown>; text: string }[],
  right: { k: string | null; row: Record<string, unknown>; text: string }[],
  columns: string[],
  tally: Tally,
): void {
  const byKey = (rows: typeof left) => {
    const map = new Map<string, typeof left>();
    for (const r of rows) {
      const k = r.k ?? "NULL";
      if (!map.has(k)) map.set(k, []);
      map.get(k)!.push(r);
    }
    return map;
  };
  const l = byKey(left);
  const r = byKey(right);
  const keys = [...new Set([...l.keys(), ...r.keys()])];
  for (const key of keys) {
    const ls = [...(l.get(key) ?? [])];
    const rs = [...(r.get(key) ?? [])];
    // Rows identical on both sides cancel out; what remains differs.
    for (let i = ls.length - 1; i >= 0; i--) {
      const j = rs.findIndex((x) => x.text === ls[i]!.text);
      if (j >= 0) {
        rs.splice(j, 1);
        ls.splice(i, 1);
      }
    }
    const pairs = Math.min(ls.length, rs.length);
    for (let i = 0; i < pairs; i++) {
      tally.changed++;
      const differing = columns.filter((c) => JSON.stringify(ls[i]!.row[c]) !== JSON.stringify(rs[i]!.row[c]));
      if (tally.samples.length < MAX_SAMPLES) tally.samples.push({ key, left: ls[i]!.row, right: rs[i]!.row, columns: differing });
    }
    for (const row of ls.slice(pairs)) {
      tally.missing++;
      if (tally.samples.length < MAX_SAMPLES) tally.samples.push({ key, left: row.row, right: null, columns });
    }
    for (const row of rs.slice(pairs)) {
      tally.extra++;
      if (tally.samples.length < MAX_SAMPLES) tally.samples.push({ key, left: null, right: row.row, columns });
    }
  }
}

/**
 * Compares `left` (the source of truth) with `right` on `columns`, keyed by `key` (a numeric
 * column; rows with a NULL key are compared as one segment of their own).
 */
export async function diffRelations(db: Db, input: { left: Relation; right: Relation; key: string; columns: string[] }): Promise<DiffResult> {
  const { left, right, key, columns } = input;
  const tally: Tally = { missing: 0, extra: 0, changed: 0, samples: [] };
  const total = { left: await whole(db, left, key, columns), right: await whole(db, right, key, columns) };
  const result = (): DiffResult => ({
    leftRows: total.left.rows,
    rightRows: total.right.rows,
    leftChecksum: total.left.sum,
    equal: tally.missing + tally.extra + tally.changed === 0,
    ...tally,
  });
  const bounds = keyBounds([total.left, total.right]);
  if (bounds.nullKeys) {
    compareRows(await fetchRows(db, left, key, columns, null, null, true), await fetchRows(db, right, key, columns, null, null, true), columns, tally);
  }
  if (total.left.rows === total.right.rows && total.left.sum === total.right.sum && !bounds.nullKeys) return result();
  if (bounds.min === null || bounds.max === null) return result();

  // Work through key segments [lo, hi): equal checksums are done, small ones compared row by row.
  // The root segment is the whole key range; without NULL keys its sums are the totals already read.
  const root: [string, string] = [bounds.min, (BigInt(bounds.max.split(".")[0]!) + 1n).toString()];
  const stack: [string, string][] = [root];
  while (stack.length) {
    const [lo, hi] = stack.pop()!;
    const known = lo === root[0] && hi === root[1] && !bounds.nullKeys;
    const [a, b] = known
      ? [total.left, total.right]
      : [await segment(db, left, key, columns, lo, hi), await segment(db, right, key, columns, lo, hi)];
    if (a.rows === b.rows && a.sum === b.sum) continue;
    const width = BigInt(hi) - BigInt(lo);
    if (Math.max(a.rows, b.rows) <= LEAF_ROWS || width <= 1n) {
      compareRows(await fetchRows(db, left, key, columns, lo, hi, false), await fetchRows(db, right, key, columns, lo, hi, false), columns, tally);
      continue;
    }
    const step = width / BigInt(SPLIT) > 0n ? width / BigInt(SPLIT) : 1n;
    const parts: [string, string][] = [];
    for (let start = BigInt(lo); start < BigInt(hi); start += step) {
      const end = start + step > BigInt(hi) ? BigInt(hi) : start + step;
      parts.push([start.toString(), end.toString()]);
    }
    stack.push(...parts.reverse());
  }
  return result();
}

/** A relation's row count and its order-independent checksum over every column, as a content check reads its left side. */
export interface Figures {
  rows: number;
  checksum: string;
}

export async function relationFigures(db: Db, rel: Relation): Promise<Figures> {
  const columns = await relationColumns(db, rel);
  const { rows } = await db.query<{ rows: string; sum: string | null }>(`SELECT count(*) AS rows, ${checksum(columns)} AS sum FROM ${qualified(rel.schema, rel.name)} t`);
  return { rows: Number(rows[0]?.rows ?? 0), checksum: rows[0]?.sum ?? "0" };
}

/** The columns of a relation in order, as the catalog has them. */
export async function relationColumns(db: Db, rel: Relation): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [rel.schema, rel.name],
  );
  return rows.map((r) => r.name);
}
