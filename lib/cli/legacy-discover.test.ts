import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";

const run = promisify(execFile);
const TSX = join(process.cwd(), "node_modules", ".bin", "tsx");
const db = withTestDatabase({ migrate: false });

describe("unify legacy discover", () => {
  it("reads the legacy schema and changes nothing: not even the console's own schema appears", async () => {
    await pool().query(LEGACY_TABLES_DDL);
    const before = await pool().query(`SELECT nspname FROM pg_namespace ORDER BY 1`);
    const { stdout } = await run(TSX, ["lib/cli/main.ts", "legacy", "discover", "--json"], { env: { ...process.env, DATABASE_URL: db.url() } });
    expect(JSON.parse(stdout).scorecards).toEqual([]);
    const after = await pool().query(`SELECT nspname FROM pg_namespace ORDER BY 1`);
    expect(after.rows).toEqual(before.rows);
    expect(after.rows.map((r) => r.nspname)).not.toContain("console");
  });
});
