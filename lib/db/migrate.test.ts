import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrate, migrationState, MigrationChecksumError } from "./migrate";
import { pool } from "./pool";
import { withTestDatabase } from "./testing/database";

withTestDatabase({ migrate: false });

describe("SQL migrations", () => {
  it("applies every file once and records it", async () => {
    const first = await migrate(pool());
    expect(first).toContain("0001_console.sql");
    expect(await migrate(pool())).toEqual([]);
    const state = await migrationState(pool());
    expect(state.pending).toEqual([]);
  });

  it("two processes migrating at once apply each file exactly once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unify-mig-"));
    writeFileSync(join(dir, "0001_a.sql"), "CREATE TABLE console.race_a (id int)");
    const results = await Promise.all([migrate(pool(), dir), migrate(pool(), dir)]);
    expect(results.flat()).toEqual(["0001_a.sql"]);
  });

  it("refuses a migration edited after it was applied", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unify-mig-"));
    writeFileSync(join(dir, "0001_b.sql"), "CREATE TABLE console.edited (id int)");
    await migrate(pool(), dir);
    writeFileSync(join(dir, "0001_b.sql"), "CREATE TABLE console.edited (id bigint)");
    await expect(migrate(pool(), dir)).rejects.toBeInstanceOf(MigrationChecksumError);
    await expect(migrate(pool(), dir)).rejects.toThrow(/was edited after it was applied/);
  });

  it("a failing migration leaves nothing half-applied", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unify-mig-"));
    writeFileSync(join(dir, "0001_c.sql"), "CREATE TABLE console.half (id int); SELECT 1/0;");
    await expect(migrate(pool(), dir)).rejects.toThrow(/0001_c.sql failed: division by zero/);
    const { rows } = await pool().query(`SELECT to_regclass('console.half') AS t`);
    expect(rows[0].t).toBeNull();
  });
});
