import pg from "pg";
import { requireDatabaseUrl } from "./url";

/**
 * A `pg` pool for what Prisma cannot express: DDL, migrations, advisory locks held on one
 * session, set-based statements over tables whose names are data. App tables go through Prisma.
 */
const globalForPool = globalThis as unknown as { unifyPool?: pg.Pool };

export function pool(): pg.Pool {
  if (!globalForPool.unifyPool) {
    globalForPool.unifyPool = new pg.Pool({
      connectionString: requireDatabaseUrl(),
      max: 10,
      application_name: "unify",
    });
    // An idle connection closed by the server (restart, shutdown) must not crash the process.
    globalForPool.unifyPool.on("error", () => undefined);
  }
  return globalForPool.unifyPool;
}

export async function closePool(): Promise<void> {
  const p = globalForPool.unifyPool;
  globalForPool.unifyPool = undefined;
  await p?.end();
}

/** Runs `work` inside one transaction on one connection. */
export async function inTransaction<T>(
  client: pg.Pool | pg.PoolClient,
  work: (c: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const c = "release" in client ? client : await client.connect();
  try {
    await c.query("BEGIN");
    const result = await work(c);
    await c.query("COMMIT");
    return result;
  } catch (error) {
    await c.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    if (c !== client) c.release();
  }
}
