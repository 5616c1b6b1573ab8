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

/** Connections kept outside the pool (a LISTEN session), closed with it. */
const closers = new Set<() => Promise<void>>();

/** Closes `close` with the pool (closePool), once; returns a function that forgets it. */
export function closeWithPool(close: () => Promise<void>): () => void {
  closers.add(close);
  return () => closers.delete(close);
}

export async function closePool(): Promise<void> {
  const p = globalForPool.unifyPool;
  globalForPool.unifyPool = undefined;
  const closing = [...closers];
  closers.clear();
  await Promise.all(closing.map((close) => close().catch(() => undefined)));
  await p?.end();
}
