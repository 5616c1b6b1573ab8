import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "@/lib/db/migrate";
import { closePool, pool } from "@/lib/db/pool";
import { disconnectPrisma } from "@/lib/db/prisma";
import { qualified, quoteIdent } from "@/lib/db/sql";
import { withTestDatabase } from "@/lib/db/testing/database";
import { serverCores } from "@/lib/engine/parallelism";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun, rollBack, TEST_LEAD } from "@/lib/engine/testing/phases";
import { seedLegacy } from "@/lib/legacy/generator";
import { executeValidation, requestValidation, validationReport } from "@/lib/validation/runs";
import { exceptAllBothWays } from "../phase-2/testing";
import { SYNC_TRIGGER } from "../sync";

/**
 * The console as docs/security.md says to run it, with the grants of its section "The exact
 * grants" read from the file and run as written: a role that is no superuser, owns the schemas it
 * creates, reads the legacy schema and has TRIGGER on the tables live sync mirrors. The legacy
 * tables belong to a legacy owner (no superuser either), who keeps writing while the triggers are on.
 */
const db = withTestDatabase({ migrate: false });
const suffix = randomBytes(4).toString("hex");
const role = `unify_console_${suffix}`;
const owner = `legacy_owner_${suffix}`;
const password = randomBytes(12).toString("hex");
let superuser: pg.Client;
let legacyOwner: pg.Client;
let auditTables: string[] = [];

/** The SQL blocks of "The exact grants" in docs/security.md, with this test's database, roles and password. */
function documentedGrants(database: string): { asSuperuser: string } {
  const doc = readFileSync(join(process.cwd(), "docs/security.md"), "utf8");
  const section = doc.slice(doc.indexOf("## The exact grants"), doc.indexOf("### Phase 5 needs ownership"));
  const blocks = [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks.map((b) => b.split("\n")[0])).toEqual(["-- As a superuser (or the database's owner):"]);
  const named = (sql: string) =>
    sql
      .replaceAll("DATABASE qa ", `DATABASE ${quoteIdent(database)} `)
      .replace(/\bunify_console\b/g, role)
      .replace(/\blegacy_owner\b/g, owner)
      .replace("PASSWORD 'change me'", `PASSWORD '${password}'`);
  return { asSuperuser: named(blocks[0]!) };
}

function urlAs(user: string, secret: string): string {
  const url = new URL(db.url());
  url.username = user;
  url.password = secret;
  return url.toString();
}

beforeAll(async () => {
  await seedLegacy(pool(), { audits: 1500, scorecards: 3, seed: "least-privilege" });
  auditTables = (await pool().query<{ t: string }>(`SELECT table_name AS t FROM scorecards ORDER BY id`)).rows.map((r) => r.t);
  superuser = new pg.Client({ connectionString: db.url() });
  await superuser.connect();
  // The legacy application's own role owns its tables (and their sequences), as on a real server.
  const ownerPassword = randomBytes(12).toString("hex");
  await superuser.query(`CREATE ROLE ${owner} LOGIN PASSWORD '${ownerPassword}' NOSUPERUSER`);
  await superuser.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${owner}`);
  const { rows: tables } = await superuser.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`);
  for (const { t } of tables) await superuser.query(`ALTER TABLE ${qualified("public", t)} OWNER TO ${owner}`);

  const grants = documentedGrants(decodeURIComponent(new URL(db.url()).pathname.slice(1)));
  await superuser.query(grants.asSuperuser);
  legacyOwner = new pg.Client({ connectionString: urlAs(owner, ownerPassword) });
  await legacyOwner.connect();

  await disconnectPrisma();
  await closePool();
  process.env.DATABASE_URL = urlAs(role, password);
  await migrate(pool());
});

afterAll(async () => {
  await stopQueue();
  await disconnectPrisma();
  await closePool();
  await legacyOwner.end();
  // What the roles own here goes with them; the database itself is dropped by withTestDatabase.
  await superuser.query(`DROP OWNED BY ${role}, ${owner}`);
  await superuser.query(`DROP ROLE ${role}`);
  await superuser.query(`DROP ROLE ${owner}`);
  await superuser.end();
});

async function permissionDenied(sql: string): Promise<string | undefined> {
  return pool()
    .query(sql)
    .then(() => undefined)
    .catch((error: { code?: string }) => error.code);
}

async function postRunVerdict(phase: number): Promise<{ verdict: string | null; failed: string[] }> {
  const { id } = await requestValidation({ phase, kind: "post_run", actor: TEST_LEAD, enqueue: false });
  await executeValidation(id);
  const report = (await validationReport(id))!;
  return { verdict: report.verdict, failed: report.checks.flatMap((c) => c.results).filter((r) => r.status === "fail").map((r) => r.name) };
}

describe("the console on a role with exactly the documented grants", () => {
  it("connects as no superuser, and owns the console's schema it migrated", async () => {
    const { rows } = await pool().query(
      `SELECT current_user AS who, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super,
              (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'console') AS owner`,
    );
    expect(rows[0]).toEqual({ who: role, super: false, owner: role });
  });

  it("holds SELECT on every legacy table, TRIGGER on exactly the mirrored ones, and nothing that writes", async () => {
    const { rows } = await pool().query<{ t: string; privileges: string[] }>(
      `SELECT c.relname AS t, ARRAY(SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
                                   WHERE has_table_privilege(c.oid, p)) AS privileges
         FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY 1`,
    );
    const mirrored = new Set(["users", "people", ...auditTables, "audit_assignments", "notifications"]);
    expect(rows.length).toBeGreaterThan(mirrored.size);
    for (const { t, privileges } of rows) expect({ t, privileges }).toEqual({ t, privileges: mirrored.has(t) ? ["SELECT", "TRIGGER"] : ["SELECT"] });
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

  it("runs Phases 1-3 with their validation and live sync while the legacy owner writes, then rolls all three back", { timeout: 600_000 }, async () => {
    for (const phase of [1, 2, 3]) {
      const run = await approveAndRun(phase);
      expect({ phase, status: run.status, error: run.error }).toEqual({ phase, status: "succeeded", error: null });
    }
    const { rows: setup } = await pool().query(
      `SELECT (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'unified') AS owner,
              to_regclass('console.job') IS NOT NULL AS queue_in_console,
              (SELECT count(*)::int FROM pg_trigger WHERE tgname = $1) AS triggers`,
      [SYNC_TRIGGER],
    );
    expect(setup[0]).toEqual({ owner: role, queue_in_console: true, triggers: auditTables.length + 4 });

    // The legacy application at work, as its own role, which has no privilege on unified: every
    // write goes through, and live sync applies it with the console's privileges.
    const table = qualified("public", auditTables[0]!);
    const { rows: human } = await legacyOwner.query<{ email: string }>(`SELECT email FROM users ORDER BY id LIMIT 1`);
    const email = human[0]!.email;
    const inserted = (
      await legacyOwner.query<{ id: number }>(
        `INSERT INTO ${table} (employee_email, auditor_email, audit_date, status, total_score, comments, created_at, updated_at)
         VALUES ($1, $1, '2025-06-01', 'completed', 88, 'written by the legacy owner', now(), now()) RETURNING id`,
        [email],
      )
    ).rows[0]!.id;
    const [first, second] = (await legacyOwner.query<{ id: number }>(`SELECT id FROM ${table} WHERE id <> $1 ORDER BY id LIMIT 2`, [inserted])).rows.map((r) => r.id);
    await legacyOwner.query(`UPDATE ${table} SET total_score = 12, comments = 'edited by the legacy owner' WHERE id = $1`, [first]);
    await legacyOwner.query(`DELETE FROM ${table} WHERE id = $1`, [second]);
    await legacyOwner.query(`INSERT INTO audit_assignments (auditor_email, employee_email, scorecard_table, due_date, status, created_at) VALUES ($1, $1, $2, '2025-07-01', 'open', now())`, [email, auditTables[0]]);
    await legacyOwner.query(`INSERT INTO notifications (recipient_email, type, message, audit_table, audit_id, created_at) VALUES ($1, 'audit', 'live', $2, $3, now())`, [email, auditTables[0], inserted]);
    // A new login: Phase 1's live sync merges it into employees in the writer's transaction.
    await legacyOwner.query(
      `INSERT INTO users (id, email, full_name, role, is_active, created_at) VALUES (990001, ' Live.Writer@Example.com', 'Live Writer', 'agent', true, now())`,
    );
    expect((await legacyOwner.query(`SELECT has_schema_privilege('unified', 'USAGE') AS usage`)).rows[0]).toEqual({ usage: false });
    const { rows: login } = await pool().query(`SELECT email, legacy_user_id, source FROM unified.employees WHERE email_normalized = 'live.writer@example.com'`);
    expect(login).toEqual([{ email: "Live.Writer@Example.com", legacy_user_id: 990001, source: "users" }]);

    const { rows: synced } = await pool().query(
      `SELECT (SELECT total_score::int FROM unified.audits WHERE source_table = $1 AND source_id = $2) AS inserted,
              (SELECT total_score::int FROM unified.audits WHERE source_table = $1 AND source_id = $3) AS updated,
              (SELECT deleted_at IS NOT NULL FROM unified.audits WHERE source_table = $1 AND source_id = $4) AS deleted,
              (SELECT count(*)::int FROM unified.sync_writes) AS writes`,
      [auditTables[0], inserted, first, second],
    );
    expect(synced[0]).toEqual({ inserted: 88, updated: 12, deleted: true, writes: 6 });
    for (const t of auditTables) expect({ t, diff: await exceptAllBothWays(pool(), t) }).toEqual({ t, diff: [0, 0] });
    for (const phase of [1, 2, 3]) expect({ phase, ...(await postRunVerdict(phase)) }).toEqual({ phase, verdict: expect.stringMatching(/^(pass|warn)$/), failed: [] });

    for (const phase of [3, 2, 1]) {
      const undone = await rollBack(phase);
      expect({ phase, status: undone.status, error: undone.error }).toEqual({ phase, status: "succeeded", error: null });
    }
    const { rows: after } = await superuser.query(`SELECT to_regnamespace('unified') AS unified, (SELECT count(*)::int FROM pg_trigger WHERE tgname = $1) AS triggers`, [SYNC_TRIGGER]);
    expect(after[0]).toEqual({ unified: null, triggers: 0 });
  });

  it("cannot change the legacy tables: no insert, update, delete, truncate, DDL, move or trigger without the grant", async () => {
    for (const sql of [
      `INSERT INTO users (id, email) VALUES (999999, 'intruder@example.com')`,
      `UPDATE people SET name = 'changed'`,
      `DELETE FROM ${qualified("public", auditTables[0]!)}`,
      `TRUNCATE scorecards`,
      `ALTER TABLE users ADD COLUMN extra int`,
      `CREATE INDEX ON people (email)`,
      `CREATE TABLE public.planted (id int)`,
      `ALTER TABLE notifications SET SCHEMA console`,
    ]) {
      expect({ sql, code: await permissionDenied(sql) }).toEqual({ sql, code: "42501" });
    }
    await pool().query(`CREATE FUNCTION console.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`);
    expect(await permissionDenied(`CREATE TRIGGER t AFTER INSERT ON scorecards FOR EACH ROW EXECUTE FUNCTION console.noop()`)).toBe("42501");
  });

  it("reads a scorecard table the legacy owner creates after the grants", async () => {
    await legacyOwner.query(`CREATE TABLE public.late_audit (id bigint PRIMARY KEY, employee_email text)`);
    await legacyOwner.query(`INSERT INTO public.late_audit VALUES (1, 'a@example.com')`);
    expect((await pool().query(`SELECT count(*)::int AS n FROM late_audit`)).rows).toEqual([{ n: 1 }]);
  });
});
