import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { seedLegacy } from "@/lib/legacy/generator";
import { planContext } from "@/lib/plan/plan";
import { EVERYTHING, expectBothPathsEqual, legacySpellings } from "./testing/adapter-equality";

withTestDatabase();
afterAll(() => stopQueue());

let tables: string[] = [];
beforeAll(async () => {
  await seedLegacy(pool(), { audits: 4000, scorecards: 4, seed: "adapter" });
  tables = (await planContext(pool())).auditTables;
  expect((await approveAndRun(1)).status).toBe("succeeded");
  expect((await approveAndRun(2)).status).toBe("succeeded");
});

describe("the adapter on generated data", () => {
  it("answers a sample of every email spelling the same from legacy and unified, over all time and over one quarter", async () => {
    const all = await legacySpellings(tables);
    // Every 7th spelling (the generator's case, blank and duplicate variants included), in a stable order.
    const sample = all.filter((_, i) => i % 7 === 0);
    expect(sample.length).toBeGreaterThan(50);
    const { employees, audits } = await expectBothPathsEqual(sample, [EVERYTHING, { from: "2024-01-01", to: "2024-03-31" }]);
    expect(employees).toBeGreaterThan(30);
    expect(audits).toBeGreaterThan(100);
  });
});
