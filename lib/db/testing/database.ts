import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { migrate } from "../migrate";
import { closePool, pool } from "../pool";
import { disconnectPrisma } from "../prisma";
import { quoteIdent } from "../sql";
import { withDatabase } from "../url";

/**
 * Gives the calling test file a fresh database of its own, migrated, and points
 * DATABASE_URL (and so `pool()` and `prisma()`) at it. Dropped when the file ends.
 */
export function withTestDatabase(options: { migrate?: boolean } = {}): { url: () => string } {
  const name = `unify_test_${randomBytes(6).toString("hex")}`;
  const serverUrl = inject("serverUrl");
  let url = "";
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    await admin.end();
    url = withDatabase(serverUrl, name);
    process.env.DATABASE_URL = url;
    if (options.migrate !== false) await migrate(pool());
  });
  afterAll(async () => {
    await disconnectPrisma();
    await closePool();
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    // Pools close their sessions asynchronously (pg-boss's after stop()): let them leave first, so
    // FORCE only ends what a test left behind (an ended session errors on a client nobody listens to).
    for (let tries = 0; tries < 50; tries++) {
      const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
      if (rows[0]!.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await admin.end();
  });
  return { url: () => url };
}
