import pg from "pg";
import { describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { qualified, quoteIdent } from "@/lib/db/sql";
import { withTestDatabase } from "@/lib/db/testing/database";
import { AUDIT_BASE_COLUMNS, CONTRACT_TABLES, createTableSql, type ContractTableName } from "./contract";
import { discoverLegacy, type Anomaly } from "./discovery";

const database = withTestDatabase();

/** A contract-following legacy schema, minus the tables left out, with primary keys. */
async function legacySchemaWith(schema: string, options: { without?: ContractTableName[] } = {}): Promise<void> {
  await pool().query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  for (const t of CONTRACT_TABLES.filter((t) => !options.without?.includes(t.name))) {
    await pool().query(createTableSql(schema, t.name, t.columns));
    await pool().query(`ALTER TABLE ${qualified(schema, t.name)} ADD PRIMARY KEY (id)`);
  }
}

async function auditTable(schema: string, table: string, scoreColumns: string[]): Promise<void> {
  const scores = scoreColumns.map((name) => ({ name, type: "integer" as const }));
  await pool().query(createTableSql(schema, table, [...AUDIT_BASE_COLUMNS, ...scores]));
  await pool().query(`ALTER TABLE ${qualified(schema, table)} ADD PRIMARY KEY (id)`);
}

async function register(schema: string, id: number, table: string, fields: [key: string, column: string][]): Promise<void> {
  await pool().query(`INSERT INTO ${qualified(schema, "scorecards")} (id, name, table_name) VALUES ($1, $2, $3)`, [id, `Scorecard ${id}`, table]);
  for (const [key, column] of fields) {
    await pool().query(
      `INSERT INTO ${qualified(schema, "scorecard_fields")} (scorecard_id, field_key, column_name, max_score, weight, position) VALUES ($1, $2, $3, 5, 1, 1)`,
      [id, key, column],
    );
  }
}

const codes = (anomalies: Anomaly[]) => anomalies.map((a) => `${a.severity} ${a.code} ${a.table ?? ""}${a.column ? `.${a.column}` : ""}`);

describe("legacy discovery", () => {
  it("finds every registered scorecard and its fields in a database that follows the contract", async () => {
    await legacySchemaWith("clean");
    await auditTable("clean", "email_audit", ["greeting", "tone"]);
    await auditTable("clean", "chat_audit", ["empathy"]);
    await register("clean", 1, "email_audit", [["greeting", "greeting"], ["tone", "tone"]]);
    await register("clean", 2, "chat_audit", [["empathy", "empathy"]]);
    const found = await discoverLegacy(pool(), "clean");
    expect(found.anomalies).toEqual([]);
    expect(found.conformingTables).toHaveLength(6);
    expect(found.scorecards.map((s) => [s.tableName, s.fields.map((f) => f.columnName)])).toEqual([
      ["email_audit", ["greeting", "tone"]],
      ["chat_audit", ["empathy"]],
    ]);
    expect(found.scorecards[0]!.fields[0]).toMatchObject({ fieldKey: "greeting", maxScore: 5, weight: 1, position: 1, scorecardId: 1 });
  });

  it("works with a schema, table and columns whose names need quoting", async () => {
    const schema = 'Legacy "QA" Data';
    await legacySchemaWith(schema);
    await auditTable(schema, "Email Audit", ["select", "Tone & Empathy", 'say "hi"']);
    await register(schema, 1, "Email Audit", [["selection", "select"], ["tone", "Tone & Empathy"], ["hi", 'say "hi"']]);
    const found = await discoverLegacy(pool(), schema);
    expect(found.anomalies).toEqual([]);
    expect(found.scorecards[0]?.tableName).toBe("Email Audit");
    expect(found.scorecards[0]?.fields.map((f) => f.columnName)).toEqual(["select", "Tone & Empathy", 'say "hi"']);
  });

  it("reports missing identity and registry tables without throwing", async () => {
    await legacySchemaWith("no_people", { without: ["people", "scorecard_fields"] });
    const found = await discoverLegacy(pool(), "no_people");
    expect(codes(found.anomalies)).toEqual([
      "error table_missing people",
      "error table_missing scorecard_fields",
      "error registry_unreadable scorecards",
    ]);
    expect(found.scorecards).toEqual([]);
    expect(found.conformingTables).toEqual(["users", "scorecards", "audit_assignments", "notifications"]);
  });

  it("reports a schema that does not exist", async () => {
    const found = await discoverLegacy(pool(), "nowhere");
    expect(codes(found.anomalies)).toEqual(["error schema_missing "]);
  });

  it("reports a registered table that is missing and an audit table nobody registered", async () => {
    await legacySchemaWith("tables");
    await auditTable("tables", "email_audit", ["greeting"]);
    await auditTable("tables", "old_chat_audit", ["greeting"]);
    await auditTable("tables", "Phone Audit", []);
    await auditTable("tables", "qa_scores_2019", ["greeting"]);
    await pool().query(`CREATE TABLE tables.lookup (id int PRIMARY KEY, label text)`);
    await register("tables", 1, "email_audit", [["greeting", "greeting"]]);
    await register("tables", 2, "phone_audit", [["greeting", "greeting"]]);
    const found = await discoverLegacy(pool(), "tables");
    expect(codes(found.anomalies)).toEqual([
      "error audit_table_missing phone_audit",
      "warning audit_table_unregistered Phone Audit",
      "warning audit_table_unregistered old_chat_audit",
      "warning audit_table_unregistered qa_scores_2019",
    ]);
    expect(found.scorecards.map((s) => s.tableName)).toEqual(["email_audit"]);
  });

  it("reports columns missing or of the wrong type and keeps only what can be migrated", async () => {
    await legacySchemaWith("columns");
    await auditTable("columns", "email_audit", ["greeting", "tone", "extra"]);
    await pool().query(`ALTER TABLE columns.email_audit ALTER COLUMN tone TYPE text`);
    await auditTable("columns", "chat_audit", ["greeting"]);
    await pool().query(`ALTER TABLE columns.chat_audit DROP COLUMN auditor_email`);
    await pool().query(`ALTER TABLE columns.users ALTER COLUMN is_active TYPE text, DROP COLUMN last_login_at`);
    await register("columns", 1, "email_audit", [["greeting", "greeting"], ["tone", "tone"], ["empathy", "empathy"]]);
    await register("columns", 2, "chat_audit", [["greeting", "greeting"]]);
    const found = await discoverLegacy(pool(), "columns");
    expect(codes(found.anomalies)).toEqual([
      "error column_wrong_type users.is_active",
      "error column_missing users.last_login_at",
      "error column_wrong_type email_audit.tone",
      "warning field_column_missing email_audit.empathy",
      "warning column_unregistered email_audit.extra",
      "error base_column_missing chat_audit.auditor_email",
    ]);
    expect(found.scorecards.map((s) => [s.tableName, s.fields.map((f) => f.columnName)])).toEqual([["email_audit", ["greeting"]]]);
    expect(found.conformingTables).not.toContain("users");
    expect(found.anomalies[0]?.message).toBe('column "users"."is_active" is text, the contract expects boolean');
  });

  it("accepts the types the migration reads without loss (varchar, bigint, smallint, domains)", async () => {
    await legacySchemaWith("types");
    await pool().query(`CREATE DOMAIN types.email AS varchar(320)`);
    await pool().query(`ALTER TABLE types.users ALTER COLUMN email TYPE types.email, ALTER COLUMN id TYPE bigint`);
    await auditTable("types", "email_audit", ["greeting"]);
    await pool().query(`ALTER TABLE types.email_audit ALTER COLUMN greeting TYPE smallint, ALTER COLUMN total_score TYPE integer`);
    await register("types", 1, "email_audit", [["greeting", "greeting"]]);
    const found = await discoverLegacy(pool(), "types");
    expect(found.anomalies).toEqual([]);
  });

  it("reports an empty registry, registry mistakes and tables without a key as data", async () => {
    await legacySchemaWith("registry");
    expect(codes((await discoverLegacy(pool(), "registry")).anomalies)).toEqual(["warning registry_empty scorecards"]);
    await pool().query(`CREATE TABLE registry.email_audit (${AUDIT_BASE_COLUMNS.map((c) => `${c.name} ${c.type}`).join(", ")}, greeting int)`);
    await register("registry", 1, "email_audit", [["greeting", "greeting"], ["greeting", "status"]]);
    await register("registry", 2, "email_audit", []);
    await register("registry", 3, "users", []);
    await pool().query(`INSERT INTO registry.scorecards (id, table_name) VALUES (4, NULL)`);
    await pool().query(`INSERT INTO registry.scorecard_fields (scorecard_id, field_key, column_name) VALUES (9, 'lost', 'lost')`);
    const found = await discoverLegacy(pool(), "registry");
    expect(codes(found.anomalies)).toEqual([
      "warning primary_key_missing email_audit.id",
      "error field_invalid email_audit.status",
      "error scorecard_invalid email_audit",
      "error scorecard_invalid users",
      "error scorecard_invalid ",
      "warning field_orphan scorecard_fields",
    ]);
    expect(found.scorecards.map((s) => s.id)).toEqual([1]);
  });

  it("reports a registry whose rows cannot be read, and fails only when the database cannot be reached", async () => {
    await legacySchemaWith("unreadable");
    await pool().query(`INSERT INTO unreadable.scorecards (id, table_name) VALUES (1, 'x_audit')`);
    await pool().query(`CREATE ROLE discovery_reader LOGIN PASSWORD 'reader'`);
    await pool().query(`GRANT USAGE ON SCHEMA unreadable TO discovery_reader`);
    const reader = new pg.Pool({ connectionString: database.url().replace(/\/\/[^@]*@/, "//discovery_reader:reader@") });
    try {
      const found = await discoverLegacy(reader, "unreadable");
      expect(codes(found.anomalies)).toEqual(["error registry_unreadable scorecards"]);
      expect(found.anomalies[0]?.message).toMatch(/permission denied/);
    } finally {
      await reader.end();
      await pool().query(`REVOKE ALL ON SCHEMA unreadable FROM discovery_reader; DROP ROLE discovery_reader`);
    }
    const gone = new pg.Pool({ connectionString: "postgresql://u:p@127.0.0.1:1/none", connectionTimeoutMillis: 2000 });
    await expect(discoverLegacy(gone, "unreadable")).rejects.toThrow(/ECONNREFUSED/);
    await gone.end();
  });
});
