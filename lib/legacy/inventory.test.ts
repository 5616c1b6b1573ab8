import { beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { AUDIT_BASE_COLUMNS, CONTRACT_TABLES, createTableSql } from "./contract";
import { computeInventory, readInventory } from "./inventory";

withTestDatabase();

/**
 * A legacy database small enough to count by hand (normalised emails in the comments):
 * users  ann, bob, bob (again), cara, NULL            people  ann, bob, dan, dan (again), eve, blank
 */
async function buildFixture(schema: string): Promise<void> {
  const db = pool();
  await db.query(`CREATE SCHEMA ${schema}`);
  for (const t of CONTRACT_TABLES) await db.query(createTableSql(schema, t.name, t.columns));
  const scores = [{ name: "select", type: "integer" as const }, { name: "Tone", type: "integer" as const }];
  await db.query(createTableSql(schema, "Email Audit", [...AUDIT_BASE_COLUMNS, ...scores]));
  await db.query(createTableSql(schema, "chat_audit", [...AUDIT_BASE_COLUMNS, { name: "greeting", type: "integer" }]));
  await db.query(`
    INSERT INTO ${schema}.users (email) VALUES ('ann@x.test'), (' Bob@X.test'), ('bob@x.test'), ('cara@x.test'), (NULL);
    INSERT INTO ${schema}.people (email) VALUES ('ANN@x.test '), ('bob@x.test'), ('dan@x.test'), ('dan@x.test'), ('eve@x.test'), ('  ');
    INSERT INTO ${schema}.scorecards (id, name, table_name) VALUES (1, 'Email', 'Email Audit'), (2, 'Chat', 'chat_audit'), (3, 'Ghost', 'ghost_audit');
    INSERT INTO ${schema}.scorecard_fields (scorecard_id, field_key, column_name) VALUES
      (1, 'selection', 'select'), (1, 'tone', 'Tone'), (2, 'greeting', 'greeting'), (3, 'x', 'x');
    INSERT INTO ${schema}."Email Audit" (employee_email, auditor_email, audit_date) VALUES
      ('ann@x.test', 'bob@x.test', '2024-01-05'),      -- both match
      ('EVE@x.test', 'zed@x.test', '2024-03-01'),      -- auditor matches nobody
      ('nobody@x.test', ' cara@x.test', '2023-12-31'), -- employee matches nobody
      (NULL, 'ann@x.test', '2024-02-10');              -- no employee: matches nobody
    INSERT INTO ${schema}.audit_assignments (auditor_email, employee_email, scorecard_table) VALUES
      ('bob@x.test', 'ann@x.test', 'Email Audit'),
      ('x@y.test', 'dan@x.test', 'chat_audit'),         -- auditor matches nobody
      ('bob@x.test', 'ghost@x.test', 'email audit'),    -- employee nobody, table unknown (case)
      ('ann@x.test', 'eve@x.test', 'ghost_audit');      -- table unknown (missing)
    INSERT INTO ${schema}.notifications (recipient_email, type, audit_table, audit_id) VALUES
      ('ann@x.test', 'audit_completed', 'Email Audit', 1),
      ('who@x.test', 'system', NULL, NULL),             -- matches nobody
      ('DAN@X.TEST', 'audit_completed', 'dropped_audit', 5), -- unknown table
      (NULL, 'system', NULL, NULL);                     -- matches nobody
  `);
  for (const t of [...CONTRACT_TABLES.map((c) => c.name), "Email Audit", "chat_audit"]) {
    await db.query(`ALTER TABLE ${schema}."${t}" ADD PRIMARY KEY (id)`);
  }
}

describe("source inventory", () => {
  beforeAll(async () => {
    await buildFixture("counted");
  });

  it("counts scorecards, identities and links exactly as counted by hand", async () => {
    const inventory = await computeInventory(pool(), "counted");
    expect(inventory.audits).toBe(4);
    expect(inventory.scorecards).toEqual([
      {
        id: 1, name: "Email", table: "Email Audit", channel: null, fields: 2, rows: 4,
        firstAuditDate: "2023-12-31", lastAuditDate: "2024-03-01",
        employeeEmailsMatchingNobody: 2, auditorEmailsMatchingNobody: 1,
      },
      {
        id: 2, name: "Chat", table: "chat_audit", channel: null, fields: 1, rows: 0,
        firstAuditDate: null, lastAuditDate: null,
        employeeEmailsMatchingNobody: 0, auditorEmailsMatchingNobody: 0,
      },
    ]);
    expect(inventory.identity).toEqual({
      usersRows: 5, peopleRows: 6,
      usersEmails: 3, peopleEmails: 4,
      onlyInUsers: 1, onlyInPeople: 2, inBoth: 2,
      usersDuplicateEmails: 1, peopleDuplicateEmails: 1,
      usersWithoutEmail: 1, peopleWithoutEmail: 1,
    });
    expect(inventory.assignments).toEqual({
      rows: 4, auditorEmailsMatchingNobody: 1, employeeEmailsMatchingNobody: 1, unknownScorecardTable: 2,
    });
    expect(inventory.notifications).toEqual({ rows: 4, recipientEmailsMatchingNobody: 2, unknownAuditTable: 1 });
    expect(inventory.anomalies).toEqual([expect.objectContaining({ severity: "error", code: "audit_table_missing", table: "ghost_audit" })]);
  });

  it("serves the latest computation from the cache with its time, per legacy schema", async () => {
    expect(await readInventory("nowhere")).toBeNull();
    const first = await computeInventory(pool(), "counted");
    await pool().query(`INSERT INTO counted.chat_audit (employee_email, auditor_email, audit_date) VALUES ('ann@x.test', 'bob@x.test', '2024-05-01')`);
    expect((await readInventory("counted"))?.audits).toBe(first.audits);
    const second = await computeInventory(pool(), "counted");
    const cached = await readInventory("counted");
    expect(cached).toEqual(second);
    expect(cached?.audits).toBe(5);
    expect(Date.parse(cached!.computedAt)).toBeGreaterThanOrEqual(Date.parse(first.computedAt));
    expect(await readInventory("nowhere")).toBeNull();
  });

  it("still reports what it can when the identity and link tables are missing", async () => {
    await pool().query(`CREATE SCHEMA partial`);
    const registry = CONTRACT_TABLES.filter((t) => t.role === "registry");
    for (const t of registry) await pool().query(createTableSql("partial", t.name, t.columns));
    await pool().query(createTableSql("partial", "email_audit", AUDIT_BASE_COLUMNS));
    await pool().query(`
      INSERT INTO partial.scorecards (id, table_name) VALUES (1, 'email_audit');
      INSERT INTO partial.email_audit (employee_email, audit_date) VALUES ('a@x.test', '2024-01-01');`);
    const inventory = await computeInventory(pool(), "partial");
    expect(inventory.identity).toBeNull();
    expect(inventory.assignments).toBeNull();
    expect(inventory.notifications).toBeNull();
    expect(inventory.scorecards[0]).toMatchObject({ rows: 1, employeeEmailsMatchingNobody: 1, auditorEmailsMatchingNobody: 1 });
    expect(inventory.anomalies.filter((a) => a.code === "table_missing").map((a) => a.table)).toEqual([
      "users", "people", "audit_assignments", "notifications",
    ]);
  });
});
