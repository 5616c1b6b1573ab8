import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { compareSchemaToCatalog } from "@/lib/db/schema-agreement";
import { withTestDatabase } from "@/lib/db/testing/database";
import { RunAlreadyActiveError } from "@/lib/engine/errors";
import { stopQueue } from "@/lib/engine/queue";
import { prisma } from "@/lib/db/prisma";
import { runProgress } from "@/lib/engine/progress";
import { executeRun } from "@/lib/engine/runner";
import { phaseStatus, requestRun } from "@/lib/engine/runs";
import { approve, approveAndRun, catalogSnapshot, phase1Outcome, rollBack } from "@/lib/engine/testing/phases";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";
import { PHASE_4_MODELS } from "../phase-4/models";

withTestDatabase();

/** Models of what Phases 2 and 3 create: their own tests cover them. */
const LATER_PHASE_MODELS = ["Scorecard", "ScorecardField", "Audit", "AuditAssignment", "Notification", "LinkOrphan", "AuditAssignmentsCompat", "NotificationsCompat", ...PHASE_4_MODELS];
afterAll(() => stopQueue());

/** A legacy database built by hand: every awkward case Phase 1 must settle, with known answers. */
const TRICKY_LEGACY = `
${LEGACY_TABLES_DDL}
INSERT INTO users (id, email, password_hash, full_name, role, is_active, created_at) VALUES
  (1, 'Ana@Example.com',    'h1', 'Ana Silva', 'Agent',      true,  '2024-01-01'),
  (2, ' ana@example.com ',  'h2', 'Ana S.',    'agent',      true,  '2024-02-01'),
  (3, 'bob@example.com',    'h3', 'Bob Stone', 'Supervisor', true,  '2024-01-01'),
  (4, 'carl@example.com',   'h4', 'Carl',      'Agent',      false, '2024-01-01'),
  (5, '   ',                'h5', 'No Email',  'agent',      true,  '2024-01-01');
INSERT INTO people (id, email, name, department, team, country, manager_email, hire_date, status, created_at) VALUES
  (1, 'ANA@example.com',  'Ana Silva',    'Support',  'Tier 1', 'Portugal', ' BOB@example.com', '2020-01-01', 'active',   '2023-01-01'),
  (2, 'bob@example.com ', 'Robert Stone', 'support ', 'Tier 2', 'Portugal', 'dana@example.com', '2019-01-01', 'active',   '2023-01-01'),
  (3, 'Bob@Example.com',  'Robert Stone', 'Sales',    'Tier 2', 'Portugal', 'dana@example.com', '2019-01-01', 'active',   '2023-06-01'),
  (4, 'dana@example.com', 'Dana',         'Support',  'Tier 1', 'Spain',    'bob@example.com',  '2018-01-01', 'Active',   '2023-01-01'),
  (5, 'eve@example.com',  'Eve',          'Support',  NULL,     'Spain',    'ghost@example.com', NULL,        'inactive', '2023-01-01');
INSERT INTO scorecards (id, name, table_name, channel, passing_score) VALUES (1, 'Email', 'email_audit', 'Email', 80);
INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position) VALUES (1, 'greeting', 'greeting', 'Greeting', 5, 1, 1);
INSERT INTO email_audit (employee_email, auditor_email, audit_date, status, total_score, greeting) VALUES
  ('ANA@EXAMPLE.COM', 'Zed@example.com', '2024-03-01', 'done', 90, 5);
INSERT INTO audit_assignments (auditor_email, employee_email, scorecard_table, due_date, status) VALUES
  ('bob@example.com', 'yan@example.com ', 'email_audit', '2024-04-01', 'open');
INSERT INTO notifications (recipient_email, type, message) VALUES ('Xia@example.com', 'audit', 'hello');
`;

describe("Phase 1 on hand-built tricky legacy data", () => {
  let before: string[] = [];
  let legacyBefore: Record<string, string> = {};
  const LEGACY_TABLES = ["users", "people", "scorecards", "scorecard_fields", "email_audit", "audit_assignments", "notifications"];
  const legacyChecksums = async () => {
    const sums: Record<string, string> = {};
    for (const t of LEGACY_TABLES) {
      const { rows } = await pool().query(`SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS h FROM "${t}" t`);
      sums[t] = rows[0].h;
    }
    return sums;
  };

  // Each test can run alone (`-t`): the fixture and the first run are set up here, and the tests
  // that change the outcome (overrides, rollback, a second request) restore what they need.
  let firstRun: Awaited<ReturnType<typeof approveAndRun>>;
  beforeAll(async () => {
    await pool().query(TRICKY_LEGACY);
    before = await catalogSnapshot(pool());
    legacyBefore = await legacyChecksums();
    firstRun = await approveAndRun(1);
  });

  it("ends with exactly the expected employees", async () => {
    const run = firstRun;
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    // Every check passes but one: the directory's manager loop (bob ↔ dana) is kept and reported, so it warns.
    expect(run.verification?.filter((c) => c.status !== "pass").map((c) => [c.name, c.status])).toEqual([
      ["manager chains end, or their loops are reported", "warn"],
    ]);

    const { employees } = await phase1Outcome(pool());
    const brief = employees.map((e) => [e.email_normalized, e.source, e.full_name, e.role, e.department, e.team, e.country, e.manager, e.is_active, e.legacy_user_id, e.legacy_person_id]);
    expect(brief).toEqual([
      ["ana@example.com", "both", "Ana Silva", "Agent", "Support", "Tier 1", "Portugal", "bob@example.com", true, 2, 1],
      ["bob@example.com", "both", "Robert Stone", "Supervisor", "Sales", "Tier 2", "Portugal", "dana@example.com", true, 3, 3],
      ["carl@example.com", "users", "Carl", "Agent", null, null, null, null, false, 4, null],
      ["dana@example.com", "people", "Dana", null, "Support", "Tier 1", "Spain", "bob@example.com", true, null, 4],
      ["eve@example.com", "people", "Eve", null, "Support", null, "Spain", null, false, null, 5],
      ["xia@example.com", "referenced", null, null, null, null, null, null, false, null, null],
      ["yan@example.com", "referenced", null, null, null, null, null, null, false, null, null],
      ["zed@example.com", "referenced", null, null, null, null, null, null, false, null, null],
    ]);
    expect(employees.find((e) => e.email_normalized === "ana@example.com")?.email).toBe("ANA@example.com");
  });

  it("leaves a catalog that schema.prisma describes exactly, unified models and views included", async () => {
    // Phase 2's models describe what Phase 2 creates: its own test covers them.
    expect(await compareSchemaToCatalog(pool(), { omit: LATER_PHASE_MODELS, everyUnifiedRelationExcept: [] })).toEqual([]);
  });

  it("records every conflict with both values and the rule's choice", async () => {
    const { conflicts } = await phase1Outcome(pool());
    const brief = conflicts.map((c) => [c.email_normalized, c.field, c.chosen_value, c.alternative_value, c.alternative_source]);
    expect(brief).toEqual([
      [null, "email", null, "No Email", "users#5"],
      ["ana@example.com", "duplicate_row", "ana@example.com", "Ana@Example.com", "users#1"],
      ["ana@example.com", "full_name", "Ana S.", "Ana Silva", "users#1"],
      ["ana@example.com", "full_name", "Ana Silva", "Ana S.", "users#2"],
      ["bob@example.com", "department", "Sales", "support", "people#2"],
      ["bob@example.com", "duplicate_row", "Bob@Example.com", "bob@example.com", "people#2"],
      ["bob@example.com", "full_name", "Robert Stone", "Bob Stone", "users#3"],
      ["bob@example.com", "manager_cycle", "dana@example.com", null, "people#3"],
      ["dana@example.com", "manager_cycle", "bob@example.com", null, "people#4"],
      ["eve@example.com", "manager", null, "ghost@example.com", "people#5"],
    ]);
  });

  it("the compatibility views are exactly the legacy tables: every id, every value as written", async () => {
    for (const [legacy, view] of [["users", "users_compat"], ["people", "people_compat"]]) {
      const { rows } = await pool().query(
        `SELECT (SELECT count(*)::int FROM (SELECT * FROM ${legacy} EXCEPT ALL SELECT * FROM unified.${view}) a) AS missing,
                (SELECT count(*)::int FROM (SELECT * FROM unified.${view} EXCEPT ALL SELECT * FROM ${legacy}) b) AS extra`,
      );
      expect(rows[0]).toEqual({ missing: 0, extra: 0 });
    }
    // The duplicate that lost the merge, the row without an email and the original spellings are all there.
    const users = await pool().query(`SELECT id, email, password_hash FROM unified.users_compat ORDER BY id`);
    expect(users.rows.map((r) => [r.id, r.email, r.password_hash])).toEqual([
      [1, "Ana@Example.com", "h1"],
      [2, " ana@example.com ", "h2"],
      [3, "bob@example.com", "h3"],
      [4, "carl@example.com", "h4"],
      [5, "   ", "h5"],
    ]);
    const people = await pool().query(`SELECT id, manager_email FROM unified.people_compat ORDER BY id`);
    expect(people.rows.map((r) => r.manager_email)).toEqual([" BOB@example.com", "dana@example.com", "dana@example.com", "bob@example.com", "ghost@example.com"]);
  });

  it("a lead's override is applied when the merge step runs again, and the phase stays succeeded", async () => {
    if ((await phaseStatus(1)).status !== "succeeded") await approveAndRun(1);
    await approve(1);
    await prisma().conflictOverride.create({
      data: { emailNormalized: "bob@example.com", field: "full_name", value: "Bob Stone", decidedBy: "lead@test", comment: "he signs as Bob" },
    });
    await prisma().conflictOverride.create({
      data: { emailNormalized: "bob@example.com", field: "department", value: "support", decidedBy: "lead@test" },
    });
    const run = await requestRun(1, SYSTEM_ACTOR, { onlyStep: "merge-identities" });
    await executeRun(run.id);
    expect((await runProgress(run.id))?.status).toBe("succeeded");
    const { employees } = await phase1Outcome(pool());
    const bob = employees.find((e) => e.email_normalized === "bob@example.com");
    expect([bob?.full_name, bob?.department, bob?.manager]).toEqual(["Bob Stone", "Support", "dana@example.com"]);
    expect((await phaseStatus(1)).status).toBe("succeeded");
  });

  it("rollback returns the database to its prior catalog; no legacy row changed on the way", async () => {
    if ((await phaseStatus(1)).status !== "succeeded") await approveAndRun(1);
    const run = await rollBack(1);
    expect(run.status).toBe("succeeded");
    expect(await catalogSnapshot(pool())).toEqual(before);
    expect(await legacyChecksums()).toEqual(legacyBefore);
  });

  it("two concurrent run requests give one run and a clear message", async () => {
    if ((await phaseStatus(1)).status === "succeeded") await rollBack(1);
    await approve(1);
    const results = await Promise.allSettled([requestRun(1, SYSTEM_ACTOR), requestRun(1, SYSTEM_ACTOR)]);
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(RunAlreadyActiveError);
    expect(String(rejected[0]!.reason.message)).toMatch(/^Already running: phase 1 \(run #\d+, queued\), started by system at /);
  });
});
