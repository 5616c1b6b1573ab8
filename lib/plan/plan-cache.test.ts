import { beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { seedLegacy } from "@/lib/legacy/generator";
import { buildPlan } from "./plan";
import { cachedPlan, clearPlanCache } from "./plan-cache";
import { setArchiveOptions } from "./phase-5/archive";

withTestDatabase();
beforeAll(async () => {
  await seedLegacy(pool(), { audits: 500, scorecards: 2, seed: "plan-cache" });
  clearPlanCache();
});

describe("plans cached for pages", () => {
  it("the same legacy schema gives the same plan object without rebuilding it; it equals a fresh build", async () => {
    const first = await cachedPlan(1, pool());
    const second = await cachedPlan(1, pool());
    expect(second).toBe(first);
    expect(first.checksum).toBe((await buildPlan(1, pool())).checksum);
  });

  it("a newly registered scorecard table is a new discovery and so a new plan at once", async () => {
    const before = await cachedPlan(1, pool());
    const { rows } = await pool().query(`SELECT table_name FROM scorecards ORDER BY id LIMIT 1`);
    await pool().query(`CREATE TABLE cache_late_audit (LIKE "${rows[0].table_name}" INCLUDING ALL)`);
    await pool().query(`INSERT INTO scorecards (name, table_name, channel, passing_score) VALUES ('Late', 'cache_late_audit', 'Email', 80)`);
    const after = await cachedPlan(1, pool());
    expect(after).not.toBe(before);
    expect(after.checksum).not.toBe(before.checksum);
    expect(after.checksum).toBe((await buildPlan(1, pool())).checksum);
  });

  it("Phase 5's options a lead sets are plan inputs: saving them shows the new plan at once", async () => {
    const lead = { id: null, email: "lead@test", roles: ["lead" as const] };
    const before = await cachedPlan(5, pool());
    await setArchiveOptions({ actor: lead, retentionUntil: "2999-01-01", views: { users_compat: false } });
    const after = await cachedPlan(5, pool());
    expect(after.checksum).not.toBe(before.checksum);
    expect(after.checksum).toBe((await buildPlan(5, pool())).checksum);
    expect(after.steps.flatMap((s) => s.statements)).toContain(`ALTER VIEW IF EXISTS "unified"."users_compat" SET SCHEMA "legacy_archive_views"`);
  });
});
