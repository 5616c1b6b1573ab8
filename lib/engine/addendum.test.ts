import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { seedLegacy } from "@/lib/legacy/generator";
import { buildPlan } from "@/lib/plan/plan";
import { exceptAllBothWays, legacyChecksums } from "@/lib/plan/phase-2/testing";
import { approveAddendum, requestAddendum, scorecardAddendum } from "./addendum";
import { approvalState } from "./approvals";
import { runProgress } from "./progress";
import { stopQueue } from "./queue";
import { executeRun } from "./runner";
import { phaseStatus } from "./runs";
import { approveAndRun, rollBack, TEST_LEAD } from "./testing/phases";

withTestDatabase();
afterAll(() => stopQueue());

const NEW_TABLE = "Late Audit";
const TEST_ADMIN = { id: null, email: "admin@test", roles: ["admin" as const] };

/** Every audit of the tables that were there before, as text in origin order: equal means untouched. */
async function otherAudits(): Promise<{ rows: number; md5: string }> {
  const { rows } = await pool().query<{ n: string; h: string }>(
    `SELECT count(*) AS n, md5(coalesce(string_agg(a::text, E'\\n' ORDER BY a.source_table, a.source_id), '')) AS h
       FROM unified.audits a WHERE a.source_table <> $1`,
    [NEW_TABLE],
  );
  return { rows: Number(rows[0]!.n), md5: rows[0]!.h };
}

/** A scorecard registered after Phase 2: an odd table name, a score column, a human nobody knows yet. */
const REGISTER = `
CREATE TABLE "Late Audit" (id bigserial PRIMARY KEY, employee_email text, auditor_email text, audit_date date, status text,
  total_score numeric, comments text, created_at timestamptz, updated_at timestamptz, "Tone Score" integer);
INSERT INTO scorecards (id, name, table_name, channel, passing_score) VALUES (9001, 'Late', 'Late Audit', NULL, 60);
INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position)
VALUES (9001, 'tone', 'Tone Score', 'Tone', 10, 1, 1);
INSERT INTO "Late Audit" (employee_email, auditor_email, audit_date, status, total_score, comments, created_at, "Tone Score")
SELECT email, 'Brand.New@Example.com ', DATE '2026-01-01' + g, 'done', 50 + g, 'late ' || g, TIMESTAMPTZ '2026-01-01 10:00+00' + g * INTERVAL '1 hour', g % 11
  FROM generate_series(1, 40) g CROSS JOIN LATERAL (SELECT email FROM users ORDER BY id OFFSET g % 5 LIMIT 1) u;
`;

describe("a scorecard table registered after Phase 2", () => {
  let before: { rows: number; md5: string };
  let legacyBefore: Record<string, string>;
  let tables: string[];

  beforeAll(async () => {
    await seedLegacy(pool(), { audits: 1500, scorecards: 3, seed: "addendum" });
    expect((await approveAndRun(1)).status).toBe("succeeded");
    expect((await approveAndRun(2)).status).toBe("succeeded");
    const { rows } = await pool().query<{ table_name: string }>(`SELECT table_name FROM scorecards ORDER BY 1`);
    tables = rows.map((r) => r.table_name);
    expect(await scorecardAddendum()).toBeNull();
    await pool().query(REGISTER);
    before = await otherAudits();
    legacyBefore = await legacyChecksums(pool(), ["users", "people", "scorecards", "scorecard_fields", ...tables, NEW_TABLE]);
  }, 240_000);

  it("changes the plan of Phase 2, and the Overview's read model offers to load just that table", async () => {
    const full = await buildPlan(2, pool());
    expect(full.steps.find((s) => s.id === "load-audits")?.units?.map((u) => u.id)).toContain(NEW_TABLE);
    const addendum = await scorecardAddendum();
    expect(addendum?.plan.tables).toEqual([NEW_TABLE]);
    expect(addendum?.checks.every((c) => c.status === "pass")).toBe(true);
    expect(addendum?.plan.steps.map((s) => s.id)).toEqual(["scorecard-tables", "audit-sync", "load-audits", "audit-compat-views"]);
    expect(addendum?.plan.steps.find((s) => s.id === "load-audits")?.units?.map((u) => u.id)).toEqual([NEW_TABLE]);
    // Nothing of the other tables is in it: no trigger, no load, no view of theirs, no index rebuilt.
    const sql = addendum!.plan.steps.flatMap((s) => s.statements).join("\n");
    for (const table of tables) expect(sql).not.toContain(`"${table}_compat"`);
    expect(sql).not.toMatch(/audits_pkey|VALIDATE CONSTRAINT/);
  });

  it("refuses to run before a lead approves, and refuses an approval of a different checksum", async () => {
    await expect(requestAddendum(TEST_ADMIN)).rejects.toThrow(/A lead must approve loading Late Audit/);
    await expect(approveAddendum({ checksum: "0".repeat(64), comment: "", actor: TEST_LEAD })).rejects.toThrow(/plan changed while you were reading it/);
    await expect(approveAddendum({ checksum: (await scorecardAddendum())!.plan.checksum, comment: "", actor: TEST_ADMIN })).rejects.toThrow();
  });

  it("a lead approves, an admin runs it: the new rows are in audits, its compat view is exact, the Phase 2 suite passes, nothing else moved", async () => {
    const addendum = (await scorecardAddendum())!;
    await approveAddendum({ checksum: addendum.plan.checksum, comment: "load the late scorecard", actor: TEST_LEAD });
    expect((await approvalState(2, addendum.plan.checksum)).current?.decision).toBe("approved");
    await expect(approveAddendum({ checksum: addendum.plan.checksum, comment: "", actor: TEST_LEAD })).rejects.toThrow(/already approved/);

    const queued = await requestAddendum(TEST_ADMIN);
    await executeRun(queued.id);
    const run = (await runProgress(queued.id))!;
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.steps.map((s) => s.stepId)).toEqual(["scorecard-tables", "audit-sync", "load-audits", "audit-compat-views"]);
    // Post-validation is the whole Phase 2 suite, over every table, the new one included.
    expect(run.verification?.filter((c) => c.status === "fail")).toEqual([]);
    expect(run.verification?.some((c) => c.name.includes(NEW_TABLE))).toBe(true);
    expect(run.verification?.some((c) => c.name.includes(tables[0]!))).toBe(true);

    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM unified.audits WHERE source_table = $1 AND deleted_at IS NULL`, [NEW_TABLE]);
    expect(rows[0].n).toBe(40);
    expect(await exceptAllBothWays(pool(), NEW_TABLE)).toEqual([0, 0]);
    const human = await pool().query(`SELECT source FROM unified.employees WHERE email_normalized = 'brand.new@example.com'`);
    expect(human.rows).toEqual([{ source: "referenced" }]);
    expect(await otherAudits()).toEqual(before);
    for (const table of tables) expect(await exceptAllBothWays(pool(), table)).toEqual([0, 0]);
    expect(await legacyChecksums(pool(), ["users", "people", "scorecards", "scorecard_fields", ...tables, NEW_TABLE])).toEqual(legacyBefore);
    expect((await phaseStatus(2)).status).toBe("succeeded");
    expect(await scorecardAddendum()).toBeNull();
  });

  it("live sync is on for the new table: a legacy write reaches audits in the same transaction", async () => {
    await pool().query(`UPDATE "Late Audit" SET "Tone Score" = 10 WHERE id = 1`);
    const { rows } = await pool().query(`SELECT parameter_scores FROM unified.audits WHERE source_table = $1 AND source_id = 1`, [NEW_TABLE]);
    expect(rows[0].parameter_scores).toEqual({ tone: 10 });
    expect(await exceptAllBothWays(pool(), NEW_TABLE)).toEqual([0, 0]);
  });

  it("a rollback of Phase 2 afterwards undoes the new table too", async () => {
    expect((await rollBack(2)).status).toBe("succeeded");
    const { rows } = await pool().query(`SELECT to_regclass('unified.audits') AS audits, to_regclass('unified."Late Audit_compat"') AS view`);
    expect(rows[0]).toEqual({ audits: null, view: null });
    const triggers = await pool().query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = 'unify_sync' AND tgrelid = '"Late Audit"'::regclass`);
    expect(triggers.rows[0].n).toBe(0);
    expect(await scorecardAddendum()).toBeNull();
  });
});
