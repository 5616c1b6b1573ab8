import { qualified } from "@/lib/db/sql";
import type { Check, Queryable } from "./types";

/** At or below this many pages (8 MiB at the default block size) a table is counted exactly: a few milliseconds. */
const EXACT_COUNT_PAGES = 1024;

/**
 * Row estimate for a table. A small table is counted exactly. A larger one is estimated the way
 * the planner does: rows per page from the last ANALYZE times the table's current size in pages
 * (so growth shows before the next ANALYZE), or counted when there are no statistics yet.
 */
export async function estimateRows(db: Queryable, schema: string, table: string): Promise<number> {
  const { rows } = await db.query<{ estimate: number | null; pages: number }>(
    `SELECT CASE WHEN c.reltuples < 0 THEN -1
                 WHEN c.relpages > 0 THEN c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::float8)
                 ELSE c.reltuples END::float8 AS estimate,
            (pg_relation_size(c.oid) / current_setting('block_size')::int)::float8 AS pages
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, table],
  );
  const row = rows[0];
  if (!row || row.estimate === null) return 0;
  if (row.estimate >= 0 && row.pages > EXACT_COUNT_PAGES) return Math.round(row.estimate);
  const counted = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(schema, table)}`);
  return Number(counted.rows[0]?.n ?? 0);
}

export async function relationExists(db: Queryable, schema: string, name: string): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = $1 AND c.relname = $2) AS found`,
    [schema, name],
  );
  return rows[0]?.found ?? false;
}

/** Whether every one of `names` is a relation of `schema`, in one catalog read. */
export async function relationsExist(db: Queryable, schema: string, names: string[]): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(DISTINCT c.relname)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY ($2::text[])`,
    [schema, names],
  );
  return rows[0]?.n === new Set(names).size;
}

export async function schemaExists(db: Queryable, schema: string): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS found`,
    [schema],
  );
  return rows[0]?.found ?? false;
}

export async function countRows(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** The check that foreign key `name` in `schema` is in place and every row was checked against it. */
export async function foreignKeyValidatedCheck(db: Queryable, schema: string, name: string): Promise<Check> {
  const validated = await countRows(
    db,
    `SELECT count(*) AS n FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = $1 AND k.conname = $2 AND k.convalidated`,
    [schema, name],
  );
  return { name: `foreign key ${name} is validated`, status: validated === 1 ? "pass" : "fail", detail: validated === 1 ? "every row checked" : "missing or not validated" };
}
