import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { refreshAnalytics } from "@/lib/analytics/refresh";
import { pool } from "@/lib/db/pool";
import { qualified, quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";
import { buildPlan } from "@/lib/plan/plan";
import { runSuite } from "./testing";

withTestDatabase();
afterAll(() => stopQueue());

/**
 * Phase 4's statements are generated from the registry (one per scorecard, one expression per
 * field key): table names and field keys that are attacks must reach SQL only as literals, and the
 * statistics must hold the keys verbatim.
 */
const TABLES = ["evil_audit'); DROP TABLE public.people; --", `aud"it'x_audit`];
const FIELDS = [
  { key: "q1'); DROP TABLE public.users; --", column: "q1" },
  { key: `it's "fine"`, column: "q2" },
];

beforeAll(async () => {
  await pool().query(LEGACY_TABLES_DDL);
  await pool().query(`INSERT INTO users (email, full_name, role, is_active, created_at) VALUES ('ana@x.com', 'Ana', 'agent', true, now()), ('boss@x.com', 'Boss', 'lead', true, now())`);
  await pool().query(`INSERT INTO people (email, name, department, status, created_at) VALUES ('ana@x.com', 'Ana', 'Support', 'active', now())`);
  for (const table of TABLES) {
    await pool().query(
      `CREATE TABLE ${qualified("public", table)} (id bigserial PRIMARY KEY, employee_email text, auditor_email text, audit_date date, status text,
         total_score numeric, comments text, created_at timestamptz, updated_at timestamptz, q1 integer, q2 integer)`,
    );
    await pool().query(
      `INSERT INTO ${qualified("public", table)} (employee_email, auditor_email, audit_date, status, total_score, q1, q2)
       VALUES ('ana@x.com', 'boss@x.com', '2024-01-03', 'done', 90, 4, NULL), ('ana@x.com', 'boss@x.com', '2024-01-20', 'done', 70, 2, 3)`,
    );
    const { rows } = await pool().query(`INSERT INTO scorecards (name, table_name, channel, passing_score) VALUES ($1, $2, 'chat', 80) RETURNING id`, [table, table]);
    for (const [i, f] of FIELDS.entries()) {
      await pool().query(
        `INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position) VALUES ($1, $2, $3, 'Label', 5, 1, $4)`,
        [rows[0].id, f.key, f.column, i + 1],
      );
    }
  }
  for (const phase of [1, 2, 3]) expect((await approveAndRun(phase)).status).toBe("succeeded");
});

describe("Phase 4 with hostile table names and field keys", () => {
  it("the plan carries every table name and field key only as a quoted literal or in an escaped comment", async () => {
    const plan = await buildPlan(4, pool());
    const statements = plan.steps.flatMap((s) => s.statements);
    for (const name of [...TABLES, ...FIELDS.map((f) => f.key)]) {
      expect(statements.some((sql) => sql.includes(quoteLiteral(name))), name).toBe(true);
      for (const sql of statements) {
        const code = sql.split("\n").filter((line) => !line.trimStart().startsWith("--")).join("\n");
        expect(code.split(quoteLiteral(name)).join("").split(quoteIdent(name)).join("").includes(name), `${name} unquoted`).toBe(false);
      }
    }
  });

  it("runs to success with its post-run suite passing, the keys verbatim in the statistics", async () => {
    const run = await approveAndRun(4);
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    const { rows } = await pool().query(
      `SELECT c.source_table, s.audit_count, s.field_keys, s.field_sums::float8[] AS sums, s.field_counts AS counts
         FROM unified.audit_statistics s JOIN unified.scorecards c ON c.id = s.scorecard_id ORDER BY 1`,
    );
    expect(rows).toEqual(
      [...TABLES].sort().map((table) => ({ source_table: table, audit_count: 2, field_keys: FIELDS.map((f) => f.key), sums: [6, 3], counts: [2, 1] })),
    );
    // The statements the names would smuggle in did not run.
    for (const name of ["people", "users"]) expect((await pool().query(`SELECT count(*)::int AS n FROM ${qualified("public", name)}`)).rows[0].n).toBeGreaterThan(0);
  });

  it("an incremental and a full refresh build the same statements from the unified registry", async () => {
    await pool().query(`UPDATE unified.audits SET parameter_scores = parameter_scores || jsonb_build_object($1::text, 5) WHERE source_id = 1`, [FIELDS[1]!.key]);
    const incremental = await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli" });
    expect(incremental.statisticsGroups).toBe(2);
    const after = await pool().query(`SELECT field_sums::float8[] AS sums, field_counts AS counts FROM unified.audit_statistics ORDER BY scorecard_id`);
    expect(after.rows).toEqual([
      { sums: [6, 8], counts: [2, 2] },
      { sums: [6, 8], counts: [2, 2] },
    ]);
    await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli", mode: "full" });
    expect((await pool().query(`SELECT field_sums::float8[] AS sums, field_counts AS counts FROM unified.audit_statistics ORDER BY scorecard_id`)).rows).toEqual(after.rows);
    expect(await runSuite()).toEqual([]);
  });
});
