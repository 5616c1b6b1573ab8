import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { seedLegacy } from "@/lib/legacy/generator";
import { exceptAllBothWays, parameterScoreKeyMismatches } from "./testing";

withTestDatabase();
afterAll(() => stopQueue());

describe("Phase 2 on generated legacy data", () => {
  let tables: string[] = [];
  let run: Awaited<ReturnType<typeof approveAndRun>>;
  beforeAll(async () => {
    await seedLegacy(pool(), { audits: 30_000, scorecards: 12, seed: "phase-2-generated" });
    tables = (await discoverLegacy(pool(), "public")).scorecards.map((s) => s.tableName);
    expect((await approveAndRun(1)).status).toBe("succeeded");
    run = await approveAndRun(2);
  });

  it("succeeds with its post-run suite passing", () => {
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.verification?.filter((c) => c.status === "fail")).toEqual([]);
  });

  it("loads every table in its own unit, side by side", async () => {
    const { rows } = await pool().query(
      `SELECT unit_id, status, rows_done::int AS rows FROM console.unit_runs WHERE step_id = 'load-audits' ORDER BY position`,
    );
    expect(rows.map((r) => r.unit_id).sort()).toEqual([...tables].sort());
    expect(rows.every((r) => r.status === "succeeded")).toBe(true);
    expect(rows.reduce((n, r) => n + r.rows, 0)).toBe(30_000);
  });

  it("every T_compat equals its table, the awkward `Escalation Audit` included", async () => {
    expect(tables).toContain("Escalation Audit");
    for (const table of tables) expect([table, await exceptAllBothWays(pool(), table)]).toEqual([table, [0, 0]]);
  });

  it("parameter_scores keys are exactly the scorecard's field keys", async () => {
    expect(await parameterScoreKeyMismatches(pool())).toEqual([]);
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM unified.audits WHERE jsonb_path_exists(parameter_scores, '$.* ? (@ == null)')`);
    expect(rows[0].n).toBeGreaterThan(0); // the generator's NULL score cells survive as JSON null
  });
});
