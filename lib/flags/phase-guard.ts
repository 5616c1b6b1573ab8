import type pg from "pg";
import { pool } from "@/lib/db/pool";
import { PhaseOrderError } from "@/lib/engine/errors";

/** Serialises "turn a flag on" with "roll its phase back": neither can slip between the other's check and write. */
export const FLAG_LOCK_NAMESPACE = 0x666c6167; // "flag"

/** Rolling back a phase whose flag is on would send readers to objects that are about to vanish. */
export class FlagStillOnError extends PhaseOrderError {
  override name = "FlagStillOnError";
}

/** Runs `fn` holding the phase's flag lock on one session of the pool. */
export async function withPhaseFlagLock<T>(phase: number, fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  const db = await pool().connect();
  try {
    await db.query(`SELECT pg_advisory_lock($1, $2)`, [FLAG_LOCK_NAMESPACE, phase]);
    try {
      return await fn(db);
    } finally {
      await db.query(`SELECT pg_advisory_unlock($1, $2)`, [FLAG_LOCK_NAMESPACE, phase]).catch(() => undefined);
    }
  } finally {
    db.release();
  }
}

/**
 * For `requestRollback`: refuses while a flag interlocked on this phase is on, and holds the lock
 * while `insert` queues the rollback, so a flag cannot be turned on in between (the toggle then sees
 * the phase rolling back and refuses).
 */
export async function whileFlagsOff<T>(phase: number, insert: () => Promise<T>): Promise<T> {
  return withPhaseFlagLock(phase, async (db) => {
    const { rows } = await db.query<{ key: string; retired: boolean }>(
      `SELECT key, retired_at IS NOT NULL AS retired FROM console.feature_flags WHERE phase = $1 AND enabled ORDER BY key`,
      [phase],
    );
    // A retired flag serves its final value for good: it cannot be turned off, so its phase stays.
    const retired = rows.filter((r) => r.retired).map((r) => r.key);
    if (retired.length) throw new FlagStillOnError(`${retired.join(", ")} ${retired.length > 1 ? "are" : "is"} retired and always on: phase ${phase} can no longer be rolled back`);
    if (rows.length) {
      const keys = rows.map((r) => r.key).join(", ");
      throw new FlagStillOnError(`Turn ${keys} off before rolling back phase ${phase}: readers are still sent to its tables (Flags page)`);
    }
    return insert();
  });
}
