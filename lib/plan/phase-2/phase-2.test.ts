import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { compareSchemaToCatalog } from "@/lib/db/schema-agreement";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun, catalogSnapshot, rollBack } from "@/lib/engine/testing/phases";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";
import { compatViewName } from "./audit-columns";
import { exceptAllBothWays, legacyChecksums, parameterScoreKeyMismatches } from "./testing";
import { PHASE_4_MODELS } from "../phase-4/models";

withTestDatabase();
afterAll(() => stopQueue());

const MANY_FIELDS = Array.from({ length: 60 }, (_, i) => `f${i + 1}`);

/**
 * A registry built to be awkward: a table `Email Audit` with an integer id, a varchar email, a
 * `real` total and a `timestamp` without zone, score columns `select` and `Score-1`, an
 * unregistered column and a field of the wrong type; an empty table; a scorecard of 60 fields
 * (more than one jsonb_build_object call holds) whose fields are all NULL in some rows.
 */
const TRICKY = `
${LEGACY_TABLES_DDL}
INSERT INTO users (id, email, password_hash, full_name, role, is_active, created_at) VALUES
  (1, 'Ana@Example.com', 'h1', 'Ana Silva', 'Agent', true, '2024-01-01'),
  (2, 'bob@example.com', 'h2', 'Bob Stone', 'Supervisor', true, '2024-01-01');
INSERT INTO people (id, email, name, department, team, country, manager_email, hire_date, status, created_at) VALUES
  (1, 'ana@example.com ', 'Ana Silva', 'Support', 'Tier 1', 'Portugal', 'bob@example.com', '2020-01-01', 'active', '2023-01-01'),
  (2, 'Bob@Example.com', 'Bob Stone', 'Support', 'Tier 2', 'Portugal', NULL, '2019-01-01', 'active', '2023-01-01');
CREATE TABLE "Email Audit" (id integer PRIMARY KEY, employee_email varchar(100), auditor_email text, audit_date date, status text,
  total_score real, comments text, created_at timestamp, updated_at timestamptz, "select" integer, "Score-1" smallint,
  "notes extra" text, "bad score" text);
CREATE TABLE empty_audit (id bigserial PRIMARY KEY, employee_email text, auditor_email text, audit_date date, status text, total_score numeric,
  comments text, created_at timestamptz, updated_at timestamptz, tone integer);
CREATE TABLE wide_audit (id bigserial PRIMARY KEY, employee_email text, auditor_email text, audit_date date, status text, total_score numeric,
  comments text, created_at timestamptz, updated_at timestamptz, ${MANY_FIELDS.map((f) => `${f} integer`).join(", ")});
INSERT INTO scorecards (id, name, table_name, channel, passing_score) VALUES
  (1, 'Email', 'email_audit', 'Email', 80),
  (2, 'Email (new)', 'Email Audit', ' email ', 70.5),
  (3, 'Empty', 'empty_audit', 'Chat', 50),
  (4, 'Wide', 'wide_audit', 'Phone', NULL);
INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position) VALUES
  (1, 'greeting', 'greeting', 'Greeting', 5, 1, 1),
  (2, 'q_select', 'select', 'Select', 10, 1, 1),
  (2, 'score_1', 'Score-1', 'Score 1', 3, 1, 2),
  (2, 'bad', 'bad score', 'Bad', 5, 1, 3),
  (3, 'tone', 'tone', 'Tone', 5, 1, 1),
  ${MANY_FIELDS.map((f, i) => `(4, '${f}_key', '${f}', 'Field ${i + 1}', 9, 1, ${i + 1})`).join(",\n  ")};
INSERT INTO email_audit (id, employee_email, auditor_email, audit_date, status, total_score, comments, created_at, updated_at, greeting) VALUES
  (1, 'ANA@EXAMPLE.COM', ' bob@example.com', '2024-03-01', 'done', 90, 'fine', '2024-03-01 10:00+00', '2024-03-02 10:00+00', 5),
  (2, E'\\tana@example.com', 'Zed@example.com', '2024-03-02', 'draft', NULL, NULL, NULL, NULL, NULL),
  (3, NULL, '   ', '2024-03-03', 'done', 79.99, 'no employee named', '2024-03-03 10:00+00', NULL, 4),
  (10, 'Ana@Example.com', 'bob@example.com', '2024-03-04', 'done', 80, E'it''s "quoted"; -- not SQL', '2024-03-04 10:00+00', NULL, 6);
INSERT INTO "Email Audit" VALUES
  (7, ' Ana@Example.com ', 'bob@example.com', '2024-04-01', 'done', 70.49, 'below', '2024-04-01 10:00:00.123456', '2024-04-01 11:00+02', 9, 2, 'kept', 'n/a'),
  (8, 'bob@example.com', 'Ana@Example.com', '2024-04-02', 'done', 0.1, NULL, '2024-04-02 10:00', NULL, NULL, NULL, NULL, NULL),
  (9, 'bob@example.com', 'Ana@Example.com', '2024-04-03', 'done', 70.5, NULL, NULL, NULL, 10, 3, '', '7');
INSERT INTO wide_audit (employee_email, auditor_email, audit_date, status, total_score, ${MANY_FIELDS.join(", ")}) VALUES
  ('bob@example.com', 'ana@example.com', '2024-05-01', 'done', 55, ${MANY_FIELDS.map((_, i) => i % 10).join(", ")}),
  ('bob@example.com', 'ana@example.com', '2024-05-02', 'done', NULL, ${MANY_FIELDS.map(() => "NULL").join(", ")});
`;

const AUDIT_TABLES = ["email_audit", "Email Audit", "empty_audit", "wide_audit"];

describe("Phase 2 on a hand-built registry with odd identifiers", () => {
  let afterPhase1: string[] = [];
  let legacyBefore: Record<string, string> = {};
  let run: Awaited<ReturnType<typeof approveAndRun>>;

  beforeAll(async () => {
    await pool().query(TRICKY);
    legacyBefore = await legacyChecksums(pool(), ["users", "people", "scorecards", "scorecard_fields", ...AUDIT_TABLES]);
    expect((await approveAndRun(1)).status).toBe("succeeded");
    afterPhase1 = await catalogSnapshot(pool());
    run = await approveAndRun(2);
  });

  it("succeeds with every check passing but the out-of-range score it reports", async () => {
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.verification?.filter((c) => c.status !== "pass").map((c) => [c.name, c.status])).toEqual([["email_audit: scores within 0..max", "warn"]]);
  });

  it("every T_compat holds exactly the rows of T (EXCEPT ALL both ways)", async () => {
    for (const table of AUDIT_TABLES) {
      expect([table, await exceptAllBothWays(pool(), table)]).toEqual([table, [0, 0]]);
    }
  });

  it("keeps the legacy column names, order and types in every compatibility view", async () => {
    const { rows } = await pool().query(
      `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'unified."Email Audit_compat"'::regclass AND attnum > 0 ORDER BY attnum`,
    );
    expect(rows.map((r) => `${r.attname} ${r.type}`)).toEqual([
      "id integer", "employee_email character varying(100)", "auditor_email text", "audit_date date", "status text",
      "total_score real", "comments text", "created_at timestamp without time zone", "updated_at timestamp with time zone",
      "select integer", "Score-1 smallint", "notes extra text", "bad score text",
    ]);
  });

  it("parameter_scores keys are exactly each scorecard's field keys, NULL scores kept as JSON null", async () => {
    expect(await parameterScoreKeyMismatches(pool())).toEqual([]);
    const { rows } = await pool().query(
      `SELECT source_id, parameter_scores FROM unified.audits WHERE source_table = $1 ORDER BY source_id`,
      ["Email Audit"],
    );
    expect(rows.map((r) => [Number(r.source_id), r.parameter_scores])).toEqual([
      [7, { q_select: 9, score_1: 2 }],
      [8, { q_select: null, score_1: null }],
      [9, { q_select: 10, score_1: 3 }],
    ]);
    const wide = await pool().query(`SELECT parameter_scores FROM unified.audits WHERE source_table = 'wide_audit' ORDER BY source_id`);
    expect(Object.keys(wide.rows[0].parameter_scores)).toHaveLength(60);
    expect(wide.rows[0].parameter_scores.f12_key).toBe(1);
    expect(Object.values(wide.rows[1].parameter_scores).every((v) => v === null)).toBe(true);
  });

  it("links audits to employees, keeps legacy spellings only where they differ, and derives passed", async () => {
    const { rows } = await pool().query(
      `SELECT a.source_id::int AS id, e.email_normalized AS employee, r.email_normalized AS auditor, a.employee_email_legacy,
              a.auditor_email_legacy, a.passed, s.name AS scorecard, c.name AS channel
         FROM unified.audits a LEFT JOIN unified.employees e ON e.id = a.employee_id LEFT JOIN unified.employees r ON r.id = a.auditor_id
         JOIN unified.scorecards s ON s.id = a.scorecard_id LEFT JOIN unified.channels c ON c.id = a.channel_id
        WHERE a.source_table IN ('email_audit', 'Email Audit') ORDER BY a.source_table, a.source_id`,
    );
    // The legacy spelling is kept exactly where it is not the employee's normalised email.
    const spelled = (raw: string) => (raw === raw.trim().toLowerCase() ? null : raw);
    expect(rows).toEqual([
      { id: 7, employee: "ana@example.com", auditor: "bob@example.com", employee_email_legacy: " Ana@Example.com ", auditor_email_legacy: spelled("bob@example.com"), passed: false, scorecard: "Email (new)", channel: "Email" },
      { id: 8, employee: "bob@example.com", auditor: "ana@example.com", employee_email_legacy: spelled("bob@example.com"), auditor_email_legacy: spelled("Ana@Example.com"), passed: false, scorecard: "Email (new)", channel: "Email" },
      { id: 9, employee: "bob@example.com", auditor: "ana@example.com", employee_email_legacy: spelled("bob@example.com"), auditor_email_legacy: spelled("Ana@Example.com"), passed: true, scorecard: "Email (new)", channel: "Email" },
      { id: 1, employee: "ana@example.com", auditor: "bob@example.com", employee_email_legacy: "ANA@EXAMPLE.COM", auditor_email_legacy: " bob@example.com", passed: true, scorecard: "Email", channel: "Email" },
      { id: 2, employee: "ana@example.com", auditor: "zed@example.com", employee_email_legacy: "\tana@example.com", auditor_email_legacy: spelled("Zed@example.com"), passed: null, scorecard: "Email", channel: "Email" },
      { id: 3, employee: null, auditor: null, employee_email_legacy: null, auditor_email_legacy: "   ", passed: false, scorecard: "Email", channel: "Email" },
      { id: 10, employee: "ana@example.com", auditor: "bob@example.com", employee_email_legacy: spelled("Ana@Example.com"), auditor_email_legacy: spelled("bob@example.com"), passed: true, scorecard: "Email", channel: "Email" },
    ]);
  });

  it("schema.prisma models scorecards, scorecard_fields and audits as the catalog has them", async () => {
    const dynamic = AUDIT_TABLES.map(compatViewName);
    const phase3 = ["AuditAssignment", "Notification", "LinkOrphan", "AuditAssignmentsCompat", "NotificationsCompat", ...PHASE_4_MODELS];
    expect(await compareSchemaToCatalog(pool(), { omit: phase3, everyUnifiedRelationExcept: dynamic })).toEqual([]);
  });

  it("rolls back to exactly the catalog after Phase 1, legacy tables byte-identical", async () => {
    const back = await rollBack(2);
    expect(back.status).toBe("succeeded");
    expect(await catalogSnapshot(pool())).toEqual(afterPhase1);
    expect(await legacyChecksums(pool(), ["users", "people", "scorecards", "scorecard_fields", ...AUDIT_TABLES])).toEqual(legacyBefore);
    // And it runs again from scratch to the same rows.
    expect((await approveAndRun(2)).status).toBe("succeeded");
    for (const table of AUDIT_TABLES) expect(await exceptAllBothWays(pool(), table)).toEqual([0, 0]);
  });
});
