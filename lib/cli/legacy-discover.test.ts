import { describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";
import { cliAgainst } from "./testing";

const db = withTestDatabase({ migrate: false });
const unify = cliAgainst(db);

describe("unify legacy discover", () => {
  it("reads the legacy schema and changes nothing: not even the console's own schema appears", async () => {
    await pool().query(LEGACY_TABLES_DDL);
    const before = await pool().query(`SELECT nspname FROM pg_namespace ORDER BY 1`);
    const { code, stdout } = await unify(["legacy", "discover", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).scorecards).toEqual([]);
    const after = await pool().query(`SELECT nspname FROM pg_namespace ORDER BY 1`);
    expect(after.rows).toEqual(before.rows);
    expect(after.rows.map((r) => r.nspname)).not.toContain("console");
  });
});
