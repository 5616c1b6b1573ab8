import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";

withTestDatabase();
afterAll(() => stopQueue());

/**
 * A directory whose manager emails make one loop of 100 people (longer than any fixed walking
 * depth), a chain of 5 that leads into it, and an ordinary tree of 3: the loop's members, and only
 * they, are reported, and the post-run suite warns (a reported loop) instead of failing.
 */
const LOOP = 100;
const email = (kind: string, i: number) => `${kind}${i}@loops.example`;

beforeAll(async () => {
  await pool().query(LEGACY_TABLES_DDL);
  const rows: [string, string | null][] = [];
  for (let i = 0; i < LOOP; i++) rows.push([email("loop", i), email("loop", (i + 1) % LOOP)]);
  for (let i = 0; i < 5; i++) rows.push([email("tail", i), i === 4 ? email("loop", 0) : email("tail", i + 1)]);
  rows.push([email("top", 0), null], [email("top", 1), email("top", 0)], [email("top", 2), email("top", 1)]);
  await pool().query(
    `INSERT INTO people (id, email, name, manager_email, status, created_at)
     SELECT n, e, 'Person ' || n, m, 'active', '2024-01-01' FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(e, m, n)`,
    [rows.map((r) => r[0]), rows.map((r) => r[1])],
  );
});

describe("manager loops", () => {
  it("a loop of 100 is reported member by member; the chain leading into it and the tree are not", async () => {
    const run = await approveAndRun(1);
    expect([run.status, run.error]).toEqual(["succeeded", null]);
    const { rows } = await pool().query<{ email_normalized: string }>(
      `SELECT email_normalized FROM unified.merge_conflicts WHERE field = 'manager_cycle' ORDER BY 1`,
    );
    expect(rows.map((r) => r.email_normalized)).toEqual(Array.from({ length: LOOP }, (_, i) => email("loop", i)).sort());
    const { rows: suite } = await pool().query<{ verdict: string; results: { name: string; status: string; actual: string }[] }>(
      `SELECT v.verdict, c.results FROM console.validation_runs v JOIN console.validation_checks c ON c.run_id = v.id
        WHERE v.phase_run_id = $1 AND c.check_id = 'integrity:employees'`,
      [run.id],
    );
    expect(suite[0]!.verdict).toBe("warn");
    expect(suite[0]!.results.find((r) => r.name === "manager chains end, or their loops are reported")).toMatchObject({
      status: "warn",
      actual: `${LOOP} employees in loops, 0 unreported`,
    });
  });
});
