import { describe, expect, it } from "vitest";
import { pool } from "./pool";
import { compareSchemaToCatalog, readDatamodel } from "./schema-agreement";
import { withTestDatabase } from "./testing/database";

withTestDatabase();

describe("schema.prisma and the SQL migrations", () => {
  it("describe the same console tables, columns, types, nullability and enums", async () => {
    expect(await compareSchemaToCatalog(pool(), { schemas: ["console"] })).toEqual([]);
  });

  it("find the unified models missing before Phase 1 has run", async () => {
    const problems = await compareSchemaToCatalog(pool(), { schemas: ["unified"] });
    expect(problems).toContain("model Employee (unified.employees) has no relation in the database");
  });

  it("a column the SQL changed but schema.prisma did not is reported", async () => {
    const datamodel = readDatamodel();
    const operator = datamodel.models.find((m) => m.name === "Operator")!;
    const drifted = {
      ...datamodel,
      models: [
        { ...operator, fields: operator.fields.map((f) => (f.name === "name" ? { ...f, isRequired: false } : f)) },
        ...datamodel.models.filter((m) => m.name !== "Operator"),
      ],
    };
    expect(await compareSchemaToCatalog(pool(), { datamodel: drifted, schemas: ["console"] })).toEqual([
      "model Operator (console.operators): column name is NOT NULL in the database but optional in schema.prisma",
    ]);
  });

  it("a column added in SQL only is reported", async () => {
    await pool().query(`ALTER TABLE console.sessions ADD COLUMN extra integer`);
    try {
      expect(await compareSchemaToCatalog(pool(), { schemas: ["console"] })).toEqual([
        "model Session (console.sessions): column extra exists in the database but not in schema.prisma",
      ]);
    } finally {
      await pool().query(`ALTER TABLE console.sessions DROP COLUMN extra`);
    }
  });
});
