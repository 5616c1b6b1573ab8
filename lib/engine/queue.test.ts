import { randomBytes } from "node:crypto";
import pg from "pg";
import PgBoss from "pg-boss";
import { afterAll, describe, expect, inject, it } from "vitest";
import { migrate } from "@/lib/db/migrate";
import { pool } from "@/lib/db/pool";
import { compareSchemaToCatalog } from "@/lib/db/schema-agreement";
import { quoteIdent } from "@/lib/db/sql";
import { withTestDatabase } from "@/lib/db/testing/database";
import { withDatabase } from "@/lib/db/url";
import { enqueueRun, queue, RUN_QUEUE, stopQueue } from "./queue";

withTestDatabase();
afterAll(() => stopQueue());

/** A database of an earlier Unify: pg-boss in its own `pgboss` schema, with `queues` in it. */
async function databaseWithOldQueue(queues: string[]): Promise<{ db: pg.Pool; drop: () => Promise<void> }> {
  const name = `unify_test_${randomBytes(6).toString("hex")}`;
  const server = new pg.Client({ connectionString: inject("serverUrl") });
  await server.connect();
  await server.query(`CREATE DATABASE ${quoteIdent(name)}`);
  const url = withDatabase(inject("serverUrl"), name);
  const boss = new PgBoss({ connectionString: url, schema: "pgboss", max: 1 });
  // Its pool's connections are ended by the DROP DATABASE … WITH (FORCE) below: expected, not a failure.
  boss.on("error", () => undefined);
  await boss.start();
  for (const q of queues) {
    await boss.createQueue(q);
    await boss.send(q, { runId: 1 });
  }
  await boss.stop({ graceful: true, wait: true });
  const db = new pg.Pool({ connectionString: url, max: 2 });
  return {
    db,
    drop: async () => {
      await db.end();
      // pg-boss closes its pool after stop() returns: wait for its sessions to leave rather than
      // end them (an ended session's client would raise an error nobody is listening for).
      for (let tries = 0; tries < 100; tries++) {
        const { rows } = await server.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`, [name]);
        if (rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await server.query(`DROP DATABASE ${quoteIdent(name)} WITH (FORCE)`);
      await server.end();
    },
  };
}

async function schemaExists(db: pg.Pool, schema: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
  return rows.length > 0;
}

describe("the job queue", () => {
  it("keeps pg-boss's tables in the console's schema and makes no schema of its own", async () => {
    await queue();
    await enqueueRun(424242);
    const { rows } = await pool().query<{ name: string }>(`SELECT name FROM console.job WHERE data->>'runId' = '424242'`);
    expect(rows).toEqual([{ name: RUN_QUEUE }]);
    expect(await schemaExists(pool(), "pgboss")).toBe(false);
    expect(await compareSchemaToCatalog(pool(), { schemas: ["console"] })).toEqual([]);
  });

  it("an earlier console's pgboss schema is dropped by the migration", async () => {
    const old = await databaseWithOldQueue([RUN_QUEUE, "unify-validation"]);
    try {
      await migrate(old.db);
      expect(await schemaExists(old.db, "pgboss")).toBe(false);
    } finally {
      await old.drop();
    }
  });

  it("a pgboss schema holding another application's queue is left in place", async () => {
    const old = await databaseWithOldQueue([RUN_QUEUE, "billing-emails"]);
    try {
      await migrate(old.db);
      const { rows } = await old.db.query(`SELECT name FROM pgboss.queue ORDER BY name`);
      expect(rows.map((r) => r.name)).toContain("billing-emails");
    } finally {
      await old.drop();
    }
  });
});
