import { describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { qualified, quoteIdent } from "@/lib/db/sql";
import { withTestDatabase } from "@/lib/db/testing/database";
import { discoverLegacy } from "./discovery";
import { LegacyTablesExistError, seedLegacy, UnifiedSchemaExistsError } from "./generator";

withTestDatabase();

async function tablesOf(schema: string): Promise<string[]> {
  const { rows } = await pool().query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1`,
    [schema],
  );
  return rows.map((r) => r.name);
}

/** An order-independent fingerprint of every table in the schema. */
async function checksums(schema: string): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const table of await tablesOf(schema)) {
    const { rows } = await pool().query<{ sum: string }>(
      `SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.id)) AS sum FROM ${qualified(schema, table)} t`,
    );
    sums[table] = rows[0]!.sum;
  }
  return sums;
}

async function count(sql: string): Promise<number> {
  const { rows } = await pool().query<{ n: string }>(sql);
  return Number(rows[0]!.n);
}

describe("legacy generator", () => {
  it("the same seed gives identical tables whatever the parallelism, another seed different ones", async () => {
    await seedLegacy(pool(), { audits: 3000, seed: "same", schema: "twin_a", parallel: 2 });
    await seedLegacy(pool(), { audits: 3000, seed: "same", schema: "twin_b", parallel: 1 });
    await seedLegacy(pool(), { audits: 3000, seed: "other", schema: "cousin" });
    const a = await checksums("twin_a");
    expect(Object.keys(a)).toHaveLength(18);
    expect(await checksums("twin_b")).toEqual(a);
    const c = await checksums("cousin");
    for (const table of ["users", "people", "email_audit", "notifications"]) expect(c[table]).not.toBe(a[table]);
  });

  it("makes exactly what it reports, following the contract, with an awkward table and column name", async () => {
    const summary = await seedLegacy(pool(), { audits: 5000, scorecards: 12, seed: "report", schema: "report" });
    expect(summary.audits).toBe(5000);
    expect(summary.scorecards).toBe(12);
    const audits = summary.tables.filter((t) => !["users", "people", "scorecards", "scorecard_fields", "audit_assignments", "notifications"].includes(t.table));
    expect(audits.reduce((n, t) => n + t.rows, 0)).toBe(5000);
    for (const t of summary.tables) {
      expect(await count(`SELECT count(*) AS n FROM ${qualified("report", t.table)}`), t.table).toBe(t.rows);
    }
    const discovery = await discoverLegacy(pool(), "report");
    expect(discovery.anomalies).toEqual([]);
    expect(discovery.scorecards).toHaveLength(12);
    const escalations = discovery.scorecards.find((s) => s.tableName === "Escalation Audit");
    expect(escalations?.fields.map((f) => f.columnName)).toEqual(expect.arrayContaining(["select", "Ownership Taken"]));
    for (const s of discovery.scorecards) expect(s.fields.length).toBeGreaterThanOrEqual(10);
  });

  it("fills every column it promises and keeps each score between 0 and its field's maximum", async () => {
    await seedLegacy(pool(), { audits: 4000, scorecards: 12, seed: "filled", schema: "filled" });
    expect(await count(`SELECT count(*) AS n FROM filled.people
      WHERE email IS NULL OR name IS NULL OR department IS NULL OR team IS NULL OR country IS NULL OR hire_date IS NULL OR status IS NULL`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM filled.users
      WHERE email IS NULL OR password_hash IS NULL OR full_name IS NULL OR role IS NULL OR is_active IS NULL`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM filled.notifications WHERE message IS NULL OR type IS NULL`)).toBe(0);
    for (const s of (await discoverLegacy(pool(), "filled")).scorecards) {
      const table = qualified("filled", s.tableName);
      const { rows } = await pool().query<{ commented: string; scored: string }>(
        `SELECT count(comments) AS commented, count(total_score) AS scored FROM ${table}`,
      );
      expect(Number(rows[0]!.commented), s.tableName).toBeGreaterThan(0);
      expect(Number(rows[0]!.scored), s.tableName).toBeGreaterThan(0);
      for (const f of s.fields) {
        const out = await count(`SELECT count(*) AS n FROM ${table} WHERE ${quoteIdent(f.columnName)} NOT BETWEEN 0 AND ${f.maxScore}`);
        expect(out, `${s.tableName}.${f.columnName}`).toBe(0);
      }
    }
  });

  it("loads without secondary indexes and leaves a primary key and a working sequence on every table", async () => {
    await seedLegacy(pool(), { audits: 500, scorecards: 3, seed: "keys", schema: "keys" });
    const { rows } = await pool().query<{ table: string; indexes: string[] }>(
      `SELECT tablename AS table, array_agg(indexdef) AS indexes FROM pg_indexes WHERE schemaname = 'keys' GROUP BY 1`,
    );
    expect(rows).toHaveLength(9);
    for (const r of rows) expect(r.indexes, r.table).toEqual([expect.stringMatching(/_pkey ON .* USING btree \(id\)$/)]);
    await pool().query(`INSERT INTO keys.users (email) VALUES ('new@example.com')`);
    expect(await count(`SELECT count(*) AS n FROM keys.users WHERE email = 'new@example.com'`)).toBe(1);
  });

  it("makes the mess of a real legacy database at the documented rates", async () => {
    const summary = await seedLegacy(pool(), { audits: 200_000, scorecards: 12, seed: "mess", schema: "mess" });
    expect(summary.humans).toBe(1000);
    const norm = (c: string) => `lower(btrim(${c}))`;
    const peopleOnly = await count(`SELECT count(DISTINCT ${norm("email")}) AS n FROM mess.people p
      WHERE NOT EXISTS (SELECT 1 FROM mess.users u WHERE ${norm("u.email")} = ${norm("p.email")})`);
    const usersOnly = await count(`SELECT count(DISTINCT ${norm("email")}) AS n FROM mess.users u
      WHERE NOT EXISTS (SELECT 1 FROM mess.people p WHERE ${norm("u.email")} = ${norm("p.email")})`);
    expect(peopleOnly / 1000).toBeGreaterThan(0.05);
    expect(peopleOnly / 1000).toBeLessThan(0.1);
    expect(usersOnly / 1000).toBeGreaterThan(0.03);
    expect(usersOnly / 1000).toBeLessThan(0.07);
    const variants = await count(`SELECT count(*) AS n FROM mess.users WHERE email <> ${norm("email")}`);
    expect(variants).toBeGreaterThan(15);
    expect(variants).toBeLessThan(60);
    const duplicated = await count(`SELECT count(*) AS n FROM (SELECT ${norm("email")} FROM mess.people GROUP BY 1 HAVING count(*) > 1) d`);
    expect(duplicated).toBeGreaterThan(3);
    expect(duplicated).toBeLessThan(25);
    const disagree = await count(`SELECT count(*) AS n FROM mess.users u JOIN mess.people p ON ${norm("u.email")} = ${norm("p.email")}
      WHERE u.full_name <> p.name OR (u.is_active AND p.status <> 'active') OR (NOT u.is_active AND p.status = 'active')`);
    expect(disagree / 1000).toBeGreaterThan(0.06);
    expect(disagree / 1000).toBeLessThan(0.25);
    const cycle = await count(`SELECT count(*) AS n FROM mess.people a JOIN mess.people b
      ON ${norm("a.manager_email")} = ${norm("b.email")} AND ${norm("b.manager_email")} = ${norm("a.email")}`);
    expect(cycle).toBeGreaterThan(0);
    const dangling = await count(`SELECT count(*) AS n FROM mess.people p WHERE p.manager_email IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM mess.people m WHERE ${norm("m.email")} = ${norm("p.manager_email")})
      AND NOT EXISTS (SELECT 1 FROM mess.users m WHERE ${norm("m.email")} = ${norm("p.manager_email")})`);
    expect(dangling).toBeGreaterThan(0);
    const nobody = await count(`SELECT count(*) AS n FROM mess.email_audit a
      WHERE NOT EXISTS (SELECT 1 FROM mess.users u WHERE ${norm("u.email")} = ${norm("a.employee_email")})
        AND NOT EXISTS (SELECT 1 FROM mess.people p WHERE ${norm("p.email")} = ${norm("a.employee_email")})`);
    const rows = await count(`SELECT count(*) AS n FROM mess.email_audit`);
    expect(nobody / rows).toBeGreaterThan(0.003);
    expect(nobody / rows).toBeLessThan(0.008);
    const nullScores = await count(`SELECT count(*) AS n FROM mess.email_audit WHERE total_score IS NULL`);
    expect(nullScores).toBeGreaterThan(0);
  });

  it("refuses existing legacy tables unless reset, and reset replaces them", async () => {
    await seedLegacy(pool(), { audits: 300, scorecards: 2, seed: "first", schema: "again" });
    const attempt = seedLegacy(pool(), { audits: 300, scorecards: 2, seed: "second", schema: "again" });
    await expect(attempt).rejects.toBeInstanceOf(LegacyTablesExistError);
    await expect(attempt).rejects.toMatchObject({ expected: true, message: expect.stringMatching(/already has legacy tables .*--reset/) });
    await seedLegacy(pool(), { audits: 400, scorecards: 1, seed: "second", schema: "again", reset: true });
    expect(await tablesOf("again")).toEqual(["audit_assignments", "email_audit", "notifications", "people", "scorecard_fields", "scorecards", "users"]);
    expect(await count(`SELECT count(*) AS n FROM again.email_audit`)).toBe(400);
  });

  it("refuses to seed or reset once the unified schema exists", async () => {
    await seedLegacy(pool(), { audits: 300, scorecards: 1, seed: "u", schema: "migrated" });
    await pool().query(`CREATE SCHEMA unified; CREATE TABLE unified.employees (id int)`);
    try {
      const attempt = seedLegacy(pool(), { audits: 300, scorecards: 1, schema: "migrated", reset: true });
      await expect(attempt).rejects.toBeInstanceOf(UnifiedSchemaExistsError);
      await expect(attempt).rejects.toThrow(/unified\.employees/);
      expect(await count(`SELECT count(*) AS n FROM migrated.email_audit`)).toBe(300);
    } finally {
      await pool().query(`DROP SCHEMA unified CASCADE`);
    }
  });

  it("rejects options out of range with a message a person can act on", async () => {
    await expect(seedLegacy(pool(), { audits: 0, schema: "bad" })).rejects.toThrow("audits must be a whole number from 1 to 100,000,000 (got 0)");
    await expect(seedLegacy(pool(), { scorecards: 2.5, schema: "bad" })).rejects.toThrow(/scorecards must be a whole number/);
    await expect(seedLegacy(pool(), { seed: " ", schema: "bad" })).rejects.toThrow(/seed must be a non-empty text/);
    expect(await tablesOf("bad")).toEqual([]);
  });

  it("a second seed while one runs is refused, not interleaved", async () => {
    const holder = await pool().connect();
    try {
      await holder.query(`SELECT pg_advisory_lock($1)`, [0x6c656779]);
      await expect(seedLegacy(pool(), { audits: 100, schema: "busy" })).rejects.toThrow(/another legacy seed is running/);
    } finally {
      await holder.query(`SELECT pg_advisory_unlock_all()`);
      holder.release();
    }
  });
});
