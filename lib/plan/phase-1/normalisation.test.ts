import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun, rollBack } from "@/lib/engine/testing/phases";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";

withTestDatabase();
afterAll(() => stopQueue());

beforeAll(async () => {
  await pool().query(LEGACY_TABLES_DDL);
  await pool().query(
    `INSERT INTO users (id, email, full_name, role, is_active, created_at) VALUES
       (1, E'\\ttab@x.com', 'Tab', 'agent', true, '2024-01-01'),
       (2, E'TAB@x.com\\n', 'Tab Again', 'agent', true, '2024-02-01'),
       (3, E'\\u00a0nbsp@x.com\\u3000', 'Nbsp', 'agent', true, '2024-01-01'),
       (4, 'undated@x.com', 'Undated, newest id', 'agent', true, NULL),
       (5, 'undated@x.com', 'Dated', 'agent', true, '2020-01-01')`,
  );
  await pool().query(`INSERT INTO people (id, email, name, status, created_at) VALUES (1, ' nbsp@X.com', 'Nbsp', 'active', '2024-01-01')`);
});

describe("Phase 1 normalises every kind of white space and refuses shared ids", () => {
  it("a tab, a line break, a no-break or an ideographic space around an email is the same human", async () => {
    const run = await approveAndRun(1);
    expect(run.status).toBe("succeeded");
    const { rows } = await pool().query(`SELECT email_normalized, source, legacy_user_id, full_name FROM unified.employees ORDER BY 1`);
    expect(rows.map((r) => [r.email_normalized, r.source, r.legacy_user_id])).toEqual([
      ["nbsp@x.com", "both", 3],
      ["tab@x.com", "users", 2],
      ["undated@x.com", "users", 5],
    ]);
    // The documented order: a row without created_at is older than any dated row, whatever its id.
    expect(rows.find((r) => r.email_normalized === "undated@x.com").full_name).toBe("Dated");
    // Nothing is lost: the losing rows are kept as written.
    const kept = await pool().query(`SELECT id, email FROM unified.user_source_rows ORDER BY id`);
    expect(kept.rows.map((r) => [r.id, r.email])).toEqual([[1, "\ttab@x.com"], [2, "TAB@x.com\n"], [3, "\u00a0nbsp@x.com\u3000"], [4, "undated@x.com"], [5, "undated@x.com"]]);
    expect((await rollBack(1)).status).toBe("succeeded");
  });

  it("rows that share an id stop the copy before the merge with the table and the ids, not PostgreSQL's raw message", async () => {
    await pool().query(`ALTER TABLE users DROP CONSTRAINT users_pkey`);
    await pool().query(`INSERT INTO users (id, email, full_name, role, is_active, created_at) VALUES (4, 'undated@x.com', 'Copy', 'agent', true, '2019-01-01')`);
    try {
      const run = await approveAndRun(1);
      expect(run.status).toBe("failed");
      expect(run.error).toBe(
        "source-rows: users has rows that share an id: 4 (2 rows). The contract requires unique ids in users: give each row its own id, then run the phase again",
      );
    } finally {
      await pool().query(`DELETE FROM users WHERE full_name = 'Copy'`);
    }
  });
});
