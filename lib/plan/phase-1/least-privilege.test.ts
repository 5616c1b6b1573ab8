import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "@/lib/db/migrate";
import { closePool, pool } from "@/lib/db/pool";
import { disconnectPrisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { serverCores } from "@/lib/engine/parallelism";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun, rollBack } from "@/lib/engine/testing/phases";
import { seedLegacy } from "@/lib/legacy/generator";

/**
 * The console as docs/security.md says to run it, with the grants written there: a role that is no superuser, may create schemas
 * in the database (so it owns `console` and `unified`), and only reads the legacy schema. The
 * legacy data is seeded by the superuser that owns it; migrations and Phase 1 run as the role.
 */
const db = withTestDatabase({ migrate: false });
const role = `unify_console_${randomBytes(4).toString("hex")}`;
/** The legacy application's own role: it writes users and has no right on the unified schema. */
const app = `legacy_app_${randomBytes(4).toString("hex")}`;
const password = randomBytes(12).toString("hex");
let superuser: pg.Client;

const grants = (database: string) => [
  `CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE`,
  `GRANT CONNECT, CREATE ON DATABASE "${database}" TO ${role}`,
  `GRANT USAGE ON SCHEMA public TO ${role}`,
  `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`,
  `ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA public GRANT SELECT ON TABLES TO ${role}`,
  // Phase 1's live sync attaches its triggers to users and people (never changing a row).
  `GRANT TRIGGER ON public.users, public.people TO ${role}`,
];

beforeAll(async () => {
  await seedLegacy(pool(), { audits: 1200, scorecards: 3, seed: "least-privilege" });
  const url = new URL(db.url());
  superuser = new pg.Client({ connectionString: db.url() });
  await superuser.connect();
  for (const statement of grants(decodeURIComponent(url.pathname.slice(1)))) await superuser.query(statement);
  await disconnectPrisma();
  await closePool();
  url.username = role;
  url.password = password;
  process.env.DATABASE_URL = url.toString();
  await migrate(pool());
});

afterAll(async () => {
  await stopQueue();
  await disconnectPrisma();
  await closePool();
  // What the role owns here goes with it; the database itself is dropped by withTestDatabase.
  await superuser.query(`DROP OWNED BY ${role}`);
  await superuser.query(`DROP ROLE ${role}`);
  await superuser.query(`DROP OWNED BY ${app}`);
  await superuser.query(`DROP ROLE IF EXISTS ${app}`);
  await superuser.end();
});

async function permissionDenied(sql: string): Promise<string | undefined> {
  return pool()
    .query(sql)
    .then(() => undefined)
    .catch((error: { code?: string }) => error.code);
}

describe("the console on a role that only reads the legacy schema", () => {
  it("connects as no superuser, and owns the console's schema it migrated", async () => {
    const { rows } = await pool().query(
      `SELECT current_user AS who, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super,
              (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'console') AS owner`,
    );
    expect(rows[0]).toEqual({ who: role, super: false, owner: role });
  });

  it("counts the server's cores without pg_read_file, and leaves the caller's transaction usable", async () => {
    const client = await pool().connect();
    try {
      await client.query("BEGIN");
      expect(await serverCores(client)).toBeGreaterThan(0);
      expect((await client.query("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }]);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("plans, approves, runs and rolls back Phase 1, with pg-boss's tables in the console's schema", async () => {
    const run = await approveAndRun(1);
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    const { rows } = await pool().query(
      `SELECT (SELECT count(*)::int FROM unified.employees) AS employees,
              (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'unified') AS owner,
              to_regclass('console.job') IS NOT NULL AS queue_in_console,
              EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss') AS pgboss`,
    );
    expect(rows[0]).toMatchObject({ owner: role, queue_in_console: true, pgboss: false });
    expect(rows[0].employees).toBeGreaterThan(0);

    // The legacy application, with no right on the unified schema, writes a login: live sync merges it.
    await superuser.query(`CREATE ROLE ${app} LOGIN PASSWORD '${password}'`);
    await superuser.query(`GRANT USAGE ON SCHEMA public TO ${app}; GRANT SELECT, INSERT ON public.users TO ${app}`);
    const appUrl = new URL(db.url());
    appUrl.username = app;
    appUrl.password = password;
    const legacyApp = new pg.Client({ connectionString: appUrl.toString() });
    await legacyApp.connect();
    try {
      await legacyApp.query(`INSERT INTO users (id, email, full_name, role, is_active, created_at) VALUES (990001, ' Live.Writer@Example.com', 'Live Writer', 'agent', true, now())`);
      expect((await legacyApp.query(`SELECT count(*)::int AS n FROM unified.employees`).catch((e: { code?: string }) => e.code))).toBe("42501");
    } finally {
      await legacyApp.end();
    }
    const { rows: synced } = await pool().query(`SELECT email, legacy_user_id, source FROM unified.employees WHERE email_normalized = 'live.writer@example.com'`);
    expect(synced).toEqual([{ email: "Live.Writer@Example.com", legacy_user_id: 990001, source: "users" }]);

    const undone = await rollBack(1);
    expect(undone.status).toBe("succeeded");
    expect((await pool().query(`SELECT to_regnamespace('unified') AS s`)).rows[0].s).toBeNull();
  });

  it("cannot change the legacy tables: no insert, update, delete, truncate, DDL, nor a trigger beyond users and people", async () => {
    for (const sql of [
      `INSERT INTO users (id, email) VALUES (999999, 'intruder@example.com')`,
      `UPDATE people SET name = 'changed'`,
      `DELETE FROM users`,
      `TRUNCATE scorecards`,
      `ALTER TABLE users ADD COLUMN extra int`,
      `CREATE INDEX ON people (email)`,
      `CREATE TABLE public.planted (id int)`,
    ]) {
      expect({ sql, code: await permissionDenied(sql) }).toEqual({ sql, code: "42501" });
    }
    await pool().query(`CREATE FUNCTION console.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`);
    expect(await permissionDenied(`CREATE TRIGGER t AFTER INSERT ON scorecards FOR EACH ROW EXECUTE FUNCTION console.noop()`)).toBe("42501");
  });

  it("reads a scorecard table the legacy owner creates after the grants", async () => {
    await superuser.query(`CREATE TABLE public.late_audit (id bigint PRIMARY KEY, employee_email text)`);
    await superuser.query(`INSERT INTO public.late_audit VALUES (1, 'a@example.com')`);
    expect((await pool().query(`SELECT count(*)::int AS n FROM late_audit`)).rows).toEqual([{ n: 1 }]);
  });
});
