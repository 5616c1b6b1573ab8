import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { qualified, quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun, catalogSnapshot } from "@/lib/engine/testing/phases";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";
import { buildPlan } from "@/lib/plan/plan";

withTestDatabase();
afterAll(() => stopQueue());

/**
 * A registry whose names are attacks and oddities: a table name that ends a `--` comment and
 * drops a legacy table, quotes of both kinds, comment markers, `;`, and unicode. Discovery must
 * return them verbatim, the plan must carry them only quoted or escaped, and the run must do
 * exactly what the plan says and nothing else.
 */
const HOSTILE_TABLES = [
  "evil_audit\n; DROP TABLE public.people; --",
  "evil2_audit\r\nCREATE TABLE public.pwned (x int); --",
  `aud"it'x_audit`,
  "t*/ x /* y_audit",
  "审计_ü_audit",
];
const HOSTILE_FIELD = { key: "q1\n; DROP TABLE public.users; --", column: `score"; DROP TABLE users; --`, label: "Label */ with\nnewline" };

async function tableChecksums(): Promise<Record<string, string>> {
  const { rows } = await pool().query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1`,
  );
  const sums: Record<string, string> = {};
  for (const { name } of rows) {
    const { rows: h } = await pool().query(`SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS h FROM ${qualified("public", name)} t`);
    sums[name] = h[0].h;
  }
  return sums;
}

beforeAll(async () => {
  await pool().query(LEGACY_TABLES_DDL);
  await pool().query(`INSERT INTO users (email, full_name, role, is_active, created_at) VALUES ('ana@x.com', 'Ana', 'agent', true, now())`);
  await pool().query(`INSERT INTO people (email, name, department, status, created_at) VALUES ('ana@x.com', 'Ana', 'Support', 'active', now())`);
  for (const [i, table] of HOSTILE_TABLES.entries()) {
    await pool().query(
      `CREATE TABLE ${qualified("public", table)} (id bigserial PRIMARY KEY, employee_email text, auditor_email text, audit_date date, status text,
         total_score numeric, comments text, created_at timestamptz, updated_at timestamptz, ${quoteIdent(HOSTILE_FIELD.column)} integer)`,
    );
    await pool().query(
      `INSERT INTO ${qualified("public", table)} (employee_email, auditor_email, audit_date, status, total_score, ${quoteIdent(HOSTILE_FIELD.column)})
       VALUES ($1, 'boss@x.com', '2024-01-01', 'done', 90, 4)`,
      [`agent${i}@x.com`],
    );
    const { rows } = await pool().query(
      `INSERT INTO scorecards (name, table_name, channel, passing_score) VALUES ($1, $2, $3, 80) RETURNING id`,
      [`Name ${i} '); DROP TABLE people; --`, table, "chat\n; DROP TABLE people; --"],
    );
    await pool().query(
      `INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position) VALUES ($1, $2, $3, $4, 5, 1, 1)`,
      [rows[0].id, HOSTILE_FIELD.key, HOSTILE_FIELD.column, HOSTILE_FIELD.label],
    );
  }
});

describe("names from data never reach SQL unquoted", () => {
  it("discovery returns every hostile name verbatim and changes nothing", async () => {
    const before = await catalogSnapshot(pool());
    const discovery = await discoverLegacy(pool(), "public");
    expect(discovery.scorecards.map((s) => s.tableName).sort()).toEqual([...HOSTILE_TABLES].sort());
    expect(discovery.scorecards[0]!.fields[0]).toMatchObject({ fieldKey: HOSTILE_FIELD.key, columnName: HOSTILE_FIELD.column, label: HOSTILE_FIELD.label });
    expect(await catalogSnapshot(pool())).toEqual(before);
  });

  it("the plan carries each name only quoted as an identifier or escaped in a one-line comment", async () => {
    const plan = await buildPlan(1, pool());
    for (const step of plan.steps) {
      for (const sql of step.statements) {
        // Take the names out where they are quoted: no line left starts a command smuggled in by a name.
        let unquoted = sql;
        for (const table of HOSTILE_TABLES) unquoted = unquoted.split(quoteIdent(table)).join("").split(quoteLiteral(table)).join("");
        for (const line of unquoted.split("\n")) expect(line).not.toMatch(/^\s*;?\s*(DROP|CREATE TABLE public\.pwned)/);
        // Comments: each is one line; outside them, a name appears only as a quoted identifier or literal.
        const code = sql.split("\n").filter((line) => !line.trimStart().startsWith("--")).join("\n");
        for (const table of HOSTILE_TABLES) {
          const bare = code.split(quoteIdent(table)).join("").split(quoteLiteral(table)).join("");
          expect(bare.includes(table), `${JSON.stringify(table)} unquoted in ${step.id}`).toBe(false);
        }
      }
    }
    const referenced = plan.steps.find((s) => s.id === "referenced-humans")!;
    expect(referenced.statements.some((s) => s.startsWith("-- The humans evil_audit\\n; DROP TABLE public.people; --"))).toBe(true);
  });

  it("Phase 1 runs to success and does exactly what the plan says: no legacy table dropped, changed or created", async () => {
    const legacyBefore = await tableChecksums();
    const run = await approveAndRun(1);
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(await tableChecksums()).toEqual(legacyBefore);
    const created = (await catalogSnapshot(pool())).filter((item) => !item.startsWith("unified.") && item !== "unified:schema");
    expect(created).not.toContain("public.pwned:r");
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM unified.employees WHERE email_normalized LIKE 'agent%@x.com'`);
    expect(rows[0].n).toBe(HOSTILE_TABLES.length);
  });

  it("a statement that smuggles in a second command is refused by the server, not run", async () => {
    const { extendedSession } = await import("@/lib/db/extended");
    const client = extendedSession(await pool().connect());
    try {
      await expect(client.query(`SELECT 1; DROP TABLE public.people`)).rejects.toThrow(/cannot insert multiple commands into a prepared statement/);
    } finally {
      client.release();
    }
    const { rows } = await pool().query(`SELECT to_regclass('public.people') IS NOT NULL AS present`);
    expect(rows[0].present).toBe(true);
  });
});
