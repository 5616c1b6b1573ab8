import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";
import { getAuditReport, getEmployee, getScorecardSummary } from "./adapter";
import { FLAG_KEYS } from "./keys";
import { setFlag } from "./store";
import { EVERYTHING, expectBothPathsEqual, legacySpellings } from "./testing/adapter-equality";

withTestDatabase();

/**
 * Odd on purpose: emails in other case, with tabs, no-break spaces and trailing blanks, a human in
 * users only, one in people only, a duplicate in people (the newest wins), an auditor known only
 * from audits; an audit table `Email Audit` with a `real` total, a score column `select` and a
 * field of the wrong type; a scorecard with no rows; NULL dates, totals and scores.
 */
const ODD = `
${LEGACY_TABLES_DDL}
INSERT INTO users (id, email, password_hash, full_name, role, is_active, created_at) VALUES
  (1, 'Ana@Example.com', 'h1', 'Ana Silva', 'Agent', true, '2024-01-01'),
  (2, 'bob@example.com', 'h2', 'Bob Stone', 'Supervisor', true, '2024-01-01'),
  (3, E'\\tcarla@example.com', 'h3', 'Carla Only-User', 'Agent', false, NULL);
INSERT INTO people (id, email, name, department, team, country, manager_email, hire_date, status, created_at) VALUES
  (1, 'ana@example.com ', 'Ana Silva', 'Support', 'Tier 1', 'Portugal', 'BOB@example.com', '2020-01-01', 'active', '2023-01-01'),
  (2, 'Bob@Example.com', 'Bob Stone', 'Support', 'Tier 2', 'Portugal', NULL, '2019-01-01', 'active', '2023-01-01'),
  (3, E'dan@example.com\\u00a0', 'Dan People-Only', 'Sales', 'Field', 'Spain', 'ana@example.com', NULL, ' Left ', '2022-01-01'),
  (4, 'DAN@example.com', 'Dan Older', 'Sales', 'Field', 'Spain', NULL, NULL, 'active', '2021-01-01');
CREATE TABLE "Email Audit" (id integer PRIMARY KEY, employee_email varchar(100), auditor_email text, audit_date date, status text,
  total_score real, comments text, created_at timestamp, updated_at timestamptz, "select" integer, "Score-1" smallint, "bad score" text);
CREATE TABLE empty_audit (id bigserial PRIMARY KEY, employee_email text, auditor_email text, audit_date date, status text, total_score numeric,
  comments text, created_at timestamptz, updated_at timestamptz, tone integer);
INSERT INTO scorecards (id, name, table_name, channel, passing_score) VALUES
  (1, 'Email', 'email_audit', 'Email', 80), (2, 'Email (new)', 'Email Audit', ' email ', 70.5), (3, 'Empty', 'empty_audit', 'Chat', 50);
INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position) VALUES
  (1, 'greeting', 'greeting', 'Greeting', 5, 1, 1), (2, 'q_select', 'select', 'Select', 10, 1, 1),
  (2, 'score_1', 'Score-1', 'Score 1', 3, 1, 2), (2, 'bad', 'bad score', 'Bad', 5, 1, 3), (3, 'tone', 'tone', 'Tone', 5, 1, 1);
INSERT INTO email_audit (id, employee_email, auditor_email, audit_date, status, total_score, comments, greeting) VALUES
  (1, 'ANA@EXAMPLE.COM', ' bob@example.com', '2024-03-01', 'done', 90, 'fine', 5),
  (2, E'\\tana@example.com', 'Zed@example.com', '2024-03-02', 'draft', NULL, NULL, NULL),
  (3, NULL, '   ', '2024-03-03', 'done', 79.99, 'no employee named', 4),
  (4, 'ana@example.com', 'bob@example.com', NULL, 'done', 50, 'undated', 1),
  (10, 'Ana@Example.com', 'bob@example.com', '2024-03-04', 'done', 80, E'it''s "quoted"; -- not SQL', 6),
  (11, E'Dan@Example.com\\u00a0', 'ana@example.com', '2024-06-01', 'done', 12.5, NULL, 0);
INSERT INTO "Email Audit" VALUES
  (7, ' Ana@Example.com ', 'bob@example.com', '2024-04-01', 'done', 70.49, 'below', '2024-04-01 10:00:00.123456', NULL, 9, 2, 'n/a'),
  (8, 'bob@example.com', 'Ana@Example.com', '2024-04-02', 'done', 0.1, NULL, '2024-04-02 10:00', NULL, NULL, NULL, NULL),
  (9, 'bob@example.com', 'Ana@Example.com', '2024-04-03', 'done', 70.5, NULL, NULL, NULL, 10, 3, '7'),
  (12, 'carla@example.com', 'zed@example.com', '2024-04-03', 'done', 71, NULL, NULL, NULL, 1, 1, NULL);
`;

beforeAll(async () => {
  await pool().query(ODD);
  expect((await approveAndRun(1)).status).toBe("succeeded");
  expect((await approveAndRun(2)).status).toBe("succeeded");
});
afterAll(() => stopQueue());

const ADMIN = { id: null, email: "admin@test", roles: ["admin" as const] };

describe("the adapter on hand-built data with odd emails and an odd table name", () => {
  it("answers every legacy spelling of every email the same from legacy and unified", async () => {
    const emails = [...(await legacySpellings(["email_audit", "Email Audit", "empty_audit"])), "nobody@example.com", "ZED@example.com"];
    const { employees, audits } = await expectBothPathsEqual(emails, [EVERYTHING, { from: "2024-03-02", to: "2024-04-02" }]);
    expect(employees).toBeGreaterThanOrEqual(8);
    expect(audits).toBeGreaterThan(10);
  });

  it("merges as Phase 1 does: the directory's name and status, the login's role, the newest duplicate", async () => {
    const ana = (await getEmployee("  ANA@example.com\t", { source: "legacy" })).data;
    expect(ana).toEqual({
      email: "ana@example.com", emailNormalized: "ana@example.com", fullName: "Ana Silva", role: "Agent", department: "Support", team: "Tier 1",
      country: "Portugal", managerEmail: "bob@example.com", hireDate: "2020-01-01", status: "active", isActive: true, legacyUserId: 1, legacyPersonId: 1,
    });
    const dan = (await getEmployee("dan@example.com", { source: "unified" })).data;
    expect(dan).toMatchObject({ fullName: "Dan People-Only", status: "Left", isActive: false, legacyUserId: null, legacyPersonId: 3 });
    // Known only from an audit row: not an employee record to the application, on either side.
    expect((await getEmployee("zed@example.com", { source: "legacy" })).data).toBeNull();
    expect((await getEmployee("zed@example.com", { source: "unified" })).data).toBeNull();
  });

  it("reports an employee's audits across scorecards with scores by field key, the `real` total as written and passed derived", async () => {
    const report = (await getAuditReport("ana@example.com", EVERYTHING, { source: "unified" })).data.audits;
    expect(report.map((a) => [a.sourceTable, a.sourceId, a.auditDate, a.totalScore, a.passed, a.auditorEmail])).toEqual([
      ["email_audit", "1", "2024-03-01", "90", true, "bob@example.com"],
      ["email_audit", "2", "2024-03-02", null, null, "zed@example.com"],
      ["email_audit", "10", "2024-03-04", "80", true, "bob@example.com"],
      ["Email Audit", "7", "2024-04-01", "70.49", false, "bob@example.com"],
    ]);
    expect(report[3]!.scores).toEqual({ q_select: 9, score_1: 2 });
    expect(report[1]!.scores).toEqual({ greeting: null });
  });

  it("compares every scorecard side by side, the empty one left out", async () => {
    const summary = (await getScorecardSummary(EVERYTHING, { source: "legacy" })).data;
    expect(summary.map((s) => [s.sourceTable, s.audits, s.employees, s.passed])).toEqual(
      expect.arrayContaining([["email_audit", 5, 2, 2], ["Email Audit", 4, 3, 2]]),
    );
    expect(summary).toHaveLength(2);
  });

  it("follows the flags: legacy while they are off, unified once an admin turns them on", async () => {
    expect((await getEmployee("ana@example.com")).source).toBe("legacy");
    expect((await getAuditReport("ana@example.com", EVERYTHING)).source).toBe("legacy");
    await setFlag({ key: FLAG_KEYS.employees, enabled: true, comment: "adapter", actor: ADMIN });
    const employee = await getEmployee("ana@example.com");
    expect(employee).toMatchObject({ source: "unified", flag: { key: FLAG_KEYS.employees, on: true, from: "database" } });
    expect(employee.durationMs).toBeGreaterThan(0);
    expect((await getAuditReport("ana@example.com", EVERYTHING)).source).toBe("legacy");
    await setFlag({ key: FLAG_KEYS.audits, enabled: true, comment: "adapter", actor: ADMIN });
    expect((await getScorecardSummary(EVERYTHING)).source).toBe("unified");
    await setFlag({ key: FLAG_KEYS.audits, enabled: false, comment: "done", actor: ADMIN });
    await setFlag({ key: FLAG_KEYS.employees, enabled: false, comment: "done", actor: ADMIN });
  });

  it("refuses input it cannot answer with a message", async () => {
    await expect(getEmployee("   ")).rejects.toThrow("Give an email to look up");
    await expect(getAuditReport("a@x.com", { from: "2024-13-45", to: "2024-01-01" })).rejects.toThrow("Dates are YYYY-MM-DD");
    await expect(getAuditReport("a@x.com", { from: "2024-02-01", to: "2024-01-01" })).rejects.toThrow("The range starts after it ends");
  });
});
