import { afterAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { conflictFields, ConflictOverrideError, conflictsCsv, conflictSummary, listConflicts, overrideConflict, pendingOverrides, withdrawOverride } from "./conflicts";
import { stopQueue } from "@/lib/engine/queue";
import { executeRun } from "@/lib/engine/runner";
import { requestRun } from "@/lib/engine/runs";
import { approveAndRun, rollBack } from "@/lib/engine/testing/phases";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";

withTestDatabase();
afterAll(() => stopQueue());

const LEAD = { id: null, email: "lead@test", roles: ["lead" as const] };

/** Two humans who disagree with themselves, a row without email and a manager nobody is. */
const LEGACY = `
${LEGACY_TABLES_DDL}
INSERT INTO users (id, email, password_hash, full_name, role, is_active, created_at) VALUES
  (1, 'Ana@Example.com', 'h1', 'Ana S.',    'Agent',      true, '2024-01-01'),
  (2, 'bob@example.com', 'h2', 'Bob Stone', 'Supervisor', true, '2024-01-01'),
  (3, '  ',              'h3', 'No Email',  'Agent',      true, '2024-01-01');
INSERT INTO people (id, email, name, department, team, country, manager_email, hire_date, status, created_at) VALUES
  (1, ' ana@example.com', 'Ana Silva',    'Support', 'Tier 1', 'Portugal', 'bob@example.com',   '2020-01-01', 'active',   '2023-01-01'),
  (2, 'BOB@example.com',  'Robert Stone', 'Support', 'Tier 1', 'Portugal', NULL,                '2019-01-01', 'inactive', '2023-01-01'),
  (3, 'eve@example.com',  'Eve',          'Sales',   'Tier 2', 'Spain',    'ghost@example.com', NULL,         'active',   '2023-01-01');
INSERT INTO scorecards (id, name, table_name, channel, passing_score) VALUES (1, 'Email', 'email_audit', 'Email', 80);
INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position) VALUES (1, 'greeting', 'greeting', 'Greeting', 5, 1, 1);
`;

async function runMergeStep() {
  const run = await requestRun(1, SYSTEM_ACTOR, { onlyStep: "merge-identities" });
  await executeRun(run.id);
}

async function employee(email: string) {
  const { rows } = await pool().query(`SELECT full_name, is_active FROM unified.employees WHERE email_normalized = $1`, [email]);
  return rows[0];
}

describe("merge conflicts and leads' overrides", () => {
  it("lists nothing, and says so, before Phase 1 has created the conflicts table", async () => {
    await pool().query(LEGACY);
    expect(await listConflicts({})).toEqual({ available: false, rows: [], total: 0, next: null });
    expect(await conflictFields()).toEqual([]);
    await expect(
      overrideConflict({ emailNormalized: "bob@example.com", field: "is_active", value: "true", comment: "back", actor: LEAD }),
    ).rejects.toThrow(/no merge conflicts to override/);
  });

  it("lists every conflict after Phase 1, filterable by field and by a part of the email", async () => {
    const run = await approveAndRun(1);
    expect(run.status).toBe("succeeded");

    const all = await listConflicts({});
    expect(all.available).toBe(true);
    expect(all.rows.map((r) => [r.emailNormalized, r.field, r.chosenValue, r.alternativeValue, r.alternativeSource, r.overrideField])).toEqual([
      ["ana@example.com", "full_name", "Ana Silva", "Ana S.", "users#1", "full_name"],
      ["bob@example.com", "full_name", "Robert Stone", "Bob Stone", "users#2", "full_name"],
      ["bob@example.com", "is_active", "false", "true", "users#2", "is_active"],
      ["eve@example.com", "manager", null, "ghost@example.com", "people#3", "manager_email"],
      [null, "email", null, "No Email", "users#3", null],
    ]);
    expect(all.next).toBeNull();
    expect(await conflictFields()).toEqual([
      { field: "email", count: 1 },
      { field: "full_name", count: 2 },
      { field: "is_active", count: 1 },
      { field: "manager", count: 1 },
    ]);

    const names = await listConflicts({ field: "full_name" });
    expect(names.rows.map((r) => r.emailNormalized)).toEqual(["ana@example.com", "bob@example.com"]);
    const bob = await listConflicts({ search: " BOB@ " });
    expect(bob.total).toBe(2);
    expect(bob.rows.every((r) => r.emailNormalized === "bob@example.com")).toBe(true);
    expect((await listConflicts({ search: "%" })).total).toBe(0);
    await expect(listConflicts({ after: "not-a-cursor" })).rejects.toThrow("This page of conflicts does not exist: start from the first page");
  });

  it("refuses an override a lead cannot act on with a message that says why", async () => {
    const attempt = (input: Partial<Parameters<typeof overrideConflict>[0]>) =>
      overrideConflict({ emailNormalized: "bob@example.com", field: "is_active", value: "true", comment: "back from leave", actor: LEAD, ...input });
    await expect(attempt({ field: "duplicate_row" })).rejects.toThrow(/"duplicate_row" cannot be overridden/);
    await expect(attempt({ value: "maybe" })).rejects.toThrow("is_active is true or false");
    await expect(attempt({ comment: "  " })).rejects.toThrow(/a comment is required/);
    await expect(attempt({ value: " " })).rejects.toThrow(/Choose one of the recorded values/);
    await expect(attempt({ field: "hire_date", value: "2020-02-30" })).rejects.toThrow(/YYYY-MM-DD/);
    await expect(attempt({ field: "department" })).rejects.toThrow("No conflict is recorded for department of bob@example.com");
    await expect(attempt({ field: "role" })).rejects.toBeInstanceOf(ConflictOverrideError);
    expect(await prisma().conflictOverride.count()).toBe(0);
  });

  it("records an override, logs it, and keeps it pending until the merge step runs again", async () => {
    await overrideConflict({ emailNormalized: "BOB@example.com ", field: "is_active", value: "TRUE", comment: "back from leave", actor: LEAD });
    await overrideConflict({ emailNormalized: "ana@example.com", field: "full_name", value: "Ana Sofia Silva", comment: "her full name", actor: LEAD });
    await overrideConflict({ emailNormalized: "eve@example.com", field: "manager_email", value: "bob@example.com", comment: "Bob manages Eve now", actor: LEAD });

    const bob = (await listConflicts({ search: "bob", field: "is_active" })).rows[0]!;
    expect(bob.override).toMatchObject({ value: "true", comment: "back from leave", decidedBy: "lead@test", pending: true });
    const eve = (await listConflicts({ search: "eve" })).rows[0]!;
    expect(eve.override).toMatchObject({ value: "bob@example.com", pending: true });
    expect((await pendingOverrides()).map((o) => `${o.emailNormalized} ${o.field}`)).toEqual([
      "ana@example.com full_name", "bob@example.com is_active", "eve@example.com manager_email",
    ]);
    const logged = await prisma().activityEntry.findMany({ where: { action: "conflict.override" }, orderBy: { id: "asc" } });
    expect(logged.map((e) => [e.actorEmail, e.target, e.outcome])).toEqual([
      ["lead@test", "bob@example.com is_active", "ok"],
      ["lead@test", "ana@example.com full_name", "ok"],
      ["lead@test", "eve@example.com manager_email", "ok"],
    ]);
    expect(await employee("bob@example.com")).toEqual({ full_name: "Robert Stone", is_active: false });
  });

  it("the next run of the merge step applies the overrides and they stop being pending", async () => {
    await runMergeStep();
    expect(await employee("bob@example.com")).toEqual({ full_name: "Robert Stone", is_active: true });
    expect(await employee("ana@example.com")).toEqual({ full_name: "Ana Sofia Silva", is_active: true });
    expect(await pendingOverrides()).toEqual([]);
    const rows = (await listConflicts({})).rows.filter((r) => r.override);
    expect(rows.map((r) => [r.emailNormalized, r.field, r.override?.pending])).toEqual([
      ["ana@example.com", "full_name", false],
      ["bob@example.com", "is_active", false],
      ["eve@example.com", "manager", false],
    ]);
  });

  it("a changed mind replaces the override and is pending again", async () => {
    await overrideConflict({ emailNormalized: "bob@example.com", field: "is_active", value: "false", comment: "left after all", actor: LEAD });
    expect(await prisma().conflictOverride.count()).toBe(3);
    const bob = (await listConflicts({ search: "bob", field: "is_active" })).rows[0]!;
    expect(bob.override).toMatchObject({ value: "false", comment: "left after all", pending: true });
    const logged = await prisma().activityEntry.findFirst({ where: { action: "conflict.override" }, orderBy: { id: "desc" } });
    expect(logged?.detail).toEqual({ value: "false", comment: "left after all", previous: "true" });
  });

  it("a withdrawn override is gone, logged with what it was, and cannot be withdrawn twice", async () => {
    await withdrawOverride({ emailNormalized: " Bob@example.com", field: "is_active", actor: LEAD });
    expect(await prisma().conflictOverride.count()).toBe(2);
    const bob = (await listConflicts({ search: "bob", field: "is_active" })).rows[0]!;
    expect(bob.override).toBeNull();
    const logged = await prisma().activityEntry.findFirst({ where: { action: "conflict.withdraw" }, orderBy: { id: "desc" } });
    expect(logged).toMatchObject({ target: "bob@example.com is_active", detail: { value: "false", comment: "left after all", decidedBy: "lead@test" } });
    await expect(withdrawOverride({ emailNormalized: "bob@example.com", field: "is_active", actor: LEAD })).rejects.toThrow(
      "There is no override of is_active for bob@example.com to withdraw",
    );
  });

  it("after a rollback the conflicts are gone but the overrides stay for the next run", async () => {
    const run = await rollBack(1);
    expect(run.status).toBe("succeeded");
    expect((await listConflicts({})).available).toBe(false);
    expect(await prisma().conflictOverride.count()).toBe(2);
  });
});

describe("conflicts paged by keyset", () => {
  it("walks every conflict exactly once, a person's rows together, the emailless last, while new conflicts arrive", async () => {
    if (!(await relationPresent())) await approveAndRun(1);
    await pool().query(
      `INSERT INTO unified.merge_conflicts (email_normalized, field, chosen_value, chosen_source, alternative_value, alternative_source, rule)
       SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE 'p' || lpad((g % 37)::text, 3, '0') || '@x.com' END, 'field_' || (g % 3), 'a', 's', 'b', 'src#' || g, 'test'
         FROM generate_series(1, 260) g`,
    );
    const { rows: expected } = await pool().query(
      `SELECT id::text FROM unified.merge_conflicts ORDER BY email_normalized NULLS LAST, field, alternative_source`,
    );
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await listConflicts({ after });
      expect(page.rows.length).toBeLessThanOrEqual(50);
      seen.push(...page.rows.map((r) => r.id));
      if (pages === 1) {
        // Arrivals behind the cursor are not shown again; ahead of it they are simply part of the walk.
        await pool().query(
          `INSERT INTO unified.merge_conflicts (email_normalized, field, chosen_value, chosen_source, alternative_value, alternative_source, rule)
           VALUES ('a-early@x.com', 'late', 'a', 's', 'b', 'late#1', 'test'), ('zz-late@x.com', 'late', 'a', 's', 'b', 'late#2', 'test')`,
        );
      }
      if (!page.next) break;
      after = page.next;
    }
    const late = (await pool().query(`SELECT id::text FROM unified.merge_conflicts WHERE alternative_source = 'late#2'`)).rows[0].id;
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => id !== late)).toEqual(expected.map((r) => r.id));
    expect(seen).toContain(late);
    const filtered = await listConflicts({ field: "field_1" });
    expect(filtered.rows.every((r) => r.field === "field_1")).toBe(true);
    await pool().query(`DELETE FROM unified.merge_conflicts WHERE rule = 'test'`);
  });
});

async function relationPresent(): Promise<boolean> {
  const { rows } = await pool().query(`SELECT to_regclass('unified.merge_conflicts') IS NOT NULL AS present`);
  return rows[0].present;
}

describe("the conflicts workbench at real sizes", () => {
  it("summarises by field and rule, largest first, and exports the filtered conflicts as safe CSV", async () => {
    if (!(await relationPresent())) await approveAndRun(1);
    await pool().query(
      `INSERT INTO unified.merge_conflicts (email_normalized, field, chosen_value, chosen_source, alternative_value, alternative_source, rule)
       SELECT 'csv' || g || '@x.com', 'full_name', '=HYPERLINK("x")', 'people#' || g, 'Smith, "Jo"', 'users#' || (9000 + g), 'csv test'
         FROM generate_series(1, 120) g`,
    );
    try {
      const summary = await conflictSummary();
      expect(summary[0]).toEqual({ field: "full_name", rule: "csv test", count: 120 });
      const lines: string[] = [];
      for await (const line of conflictsCsv({ field: "full_name", search: "csv" })) lines.push(line);
      expect(lines[0]).toBe("email_normalized,field,chosen_value,chosen_source,alternative_value,alternative_source,rule\n");
      expect(lines).toHaveLength(121);
      // A formula is defused, quotes and commas are quoted.
      expect(lines.find((l) => l.startsWith("csv1@"))).toBe(`csv1@x.com,full_name,"'=HYPERLINK(""x"")",people#1,"Smith, ""Jo""",users#9001,csv test\n`);
    } finally {
      await pool().query(`DELETE FROM unified.merge_conflicts WHERE rule = 'csv test'`);
    }
  });
});
