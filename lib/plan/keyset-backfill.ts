import { qualified, quoteIdent } from "@/lib/db/sql";
import { estimateRows } from "./catalog";
import type { StepContext } from "./types";

export interface KeysetCheckpoint {
  /** The last key of the last committed batch (as text, so bigint keys survive JSON). */
  after: string | null;
}

export interface KeysetSource {
  schema: string;
  table: string;
  /** A unique, NOT NULL, indexed integer column (the legacy tables' `id`). */
  key: string;
}

/**
 * The statement that finds where a batch ends: the key `batchSize` rows after the checkpoint.
 * $1 is the last committed key (NULL at the start), $2 the batch size.
 */
export function keysetBoundStatement(source: KeysetSource): string {
  const key = quoteIdent(source.key);
  return `-- Where the next batch ends: $2 keys after $1 in key order.
SELECT max(k)::text AS bound FROM (
  SELECT ${key} AS k FROM ${qualified(source.schema, source.table)}
   WHERE $1::bigint IS NULL OR ${key} > $1::bigint
   ORDER BY ${key} LIMIT $2
) batch`;
}

/**
 * Keyset backfill, so steps do not each write their own batching: walks `source` in key order,
 * `batchSize` rows at a time, and runs the step's batch statement for each key range — $1 the
 * exclusive lower bound (NULL for the first batch), $2 the inclusive upper bound. Each batch
 * commits with its checkpoint; a resume continues after the last committed key. The statements
 * come from the frozen plan: `[boundStatement, batchStatement]`.
 */
export async function keysetBackfill(
  ctx: StepContext<KeysetCheckpoint>,
  options: { source: KeysetSource; batchSize: number; statements?: [string, string] },
): Promise<void> {
  const [bound, work] = options.statements ?? (ctx.statements as [string, string]);
  if (!bound || !work) throw new Error("keysetBackfill needs the bound and batch statements of the plan");
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new Error("batchSize must be a positive whole number");
  await ctx.setTotal(await estimateRows(ctx.db, options.source.schema, options.source.table));
  let after = ctx.checkpoint?.after ?? null;
  for (;;) {
    if (await ctx.interrupted()) return;
    const { rows } = await ctx.db.query<{ bound: string | null }>(bound, [after, options.batchSize]);
    const upper = rows[0]?.bound ?? null;
    if (upper === null) return;
    const lower = after;
    await ctx.batch(async (db) => {
      const result = await db.query(work, [lower, upper]);
      return { checkpoint: { after: upper }, rows: result.rowCount ?? 0 };
    });
    after = upper;
  }
}

/**
 * Rows per batch of a keyset load (audits, assignments, notifications): each batch commits with its
 * checkpoint, a fraction of a second of work. The size is a parameter of the batch statement, not
 * part of its SQL, so changing it (`UNIFY_AUDIT_BATCH_ROWS`) does not change the approved plan.
 */
export function batchRows(): number {
  const configured = Number(process.env.UNIFY_AUDIT_BATCH_ROWS);
  return Number.isInteger(configured) && configured > 0 ? configured : 100_000;
}
