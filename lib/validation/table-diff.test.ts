import { beforeEach, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { diffRelations, relationColumns } from "./table-diff";

withTestDatabase({ migrate: false });

const LEFT = { schema: "public", name: "src" };
const RIGHT = { schema: "public", name: "copy" };

beforeEach(async () => {
  await pool().query(`DROP TABLE IF EXISTS src, copy`);
  await pool().query(`CREATE TABLE src (id integer, email text, score integer, at timestamptz)`);
  await pool().query(
    `INSERT INTO src SELECT g, ' User' || g || '@X.com ', g % 11, '2024-01-01'::timestamptz + g * interval '1 minute' FROM generate_series(1, 20000) g`,
  );
  await pool().query(`CREATE TABLE copy AS SELECT * FROM src`);
});

async function diff() {
  return diffRelations(pool(), { left: LEFT, right: RIGHT, key: "id", columns: await relationColumns(pool(), LEFT) });
}

describe("row-level diff of a table and its read-back", () => {
  it("equal tables are equal without fetching rows", async () => {
    const result = await diff();
    expect(result).toMatchObject({ equal: true, leftRows: 20000, rightRows: 20000, missing: 0, extra: 0, changed: 0, samples: [] });
  });

  it("finds a deleted, an extra and a changed row among 20,000, with the differing column", async () => {
    await pool().query(`DELETE FROM copy WHERE id = 7345`);
    await pool().query(`INSERT INTO copy VALUES (20001, 'ghost@x.com', 3, now())`);
    await pool().query(`UPDATE copy SET score = score + 1 WHERE id = 15000`);
    const result = await diff();
    expect(result).toMatchObject({ equal: false, missing: 1, extra: 1, changed: 1 });
    const byKey = Object.fromEntries(result.samples.map((s) => [s.key, s]));
    expect(byKey["7345"]).toMatchObject({ right: null, left: { id: 7345 } });
    expect(byKey["20001"]).toMatchObject({ left: null, right: { email: "ghost@x.com" } });
    expect(byKey["15000"]!.columns).toEqual(["score"]);
    expect(byKey["15000"]!.left).toMatchObject({ score: 15000 % 11 });
  });

  it("an email changed only in case or spacing is a difference: the legacy spelling is the truth", async () => {
    await pool().query(`UPDATE copy SET email = lower(btrim(email)) WHERE id = 42`);
    const result = await diff();
    expect(result.changed).toBe(1);
    expect(result.samples[0]).toMatchObject({ key: "42", columns: ["email"], left: { email: " User42@X.com " }, right: { email: "user42@x.com" } });
  });

  it("tells NULL from an empty string and compares duplicate keys as multisets", async () => {
    await pool().query(`UPDATE src SET email = NULL WHERE id = 10`);
    await pool().query(`UPDATE copy SET email = '' WHERE id = 10`);
    await pool().query(`INSERT INTO src SELECT * FROM src WHERE id = 11`);
    await pool().query(`INSERT INTO copy SELECT * FROM copy WHERE id = 11`);
    await pool().query(`INSERT INTO src SELECT * FROM src WHERE id = 12`);
    const result = await diff();
    expect(result).toMatchObject({ changed: 1, missing: 1, extra: 0 });
    expect(result.samples.find((s) => s.key === "10")?.columns).toEqual(["email"]);
    expect(result.samples.find((s) => s.key === "12")?.right).toBeNull();
  });

  it("keeps at most 20 samples but counts every difference", async () => {
    await pool().query(`UPDATE copy SET score = -1 WHERE id % 100 = 0`);
    const result = await diff();
    expect(result.changed).toBe(200);
    expect(result.samples).toHaveLength(20);
  });

  it("rows whose key is NULL are compared too", async () => {
    await pool().query(`INSERT INTO src VALUES (NULL, 'nokey@x.com', 1, NULL)`);
    const result = await diff();
    expect(result).toMatchObject({ missing: 1, equal: false });
    expect(result.samples[0]).toMatchObject({ key: "NULL", right: null });
  });
});
