import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ForbiddenError } from "@/lib/auth/authorize";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { seedLegacy } from "@/lib/legacy/generator";
import { buildPlan } from "@/lib/plan/plan";
import { legacyChecksums } from "@/lib/plan/phase-2/testing";
import { stopQueue } from "./queue";
import { predictStep, rehearse, RehearsalRefusedError, SCRATCH_LEGACY, SCRATCH_UNIFIED } from "./rehearsal";
import { describePrediction, formatApproxDuration, latestRehearsal, rehearsalOf } from "./rehearsal-view";
import { catalogSnapshot } from "./testing/phases";

withTestDatabase();
afterAll(() => stopQueue());

const ADMIN = { id: null, email: "admin@test", roles: ["admin" as const] };
const LEAD = { id: null, email: "lead@test", roles: ["lead" as const] };
let legacyTables: string[] = [];

beforeAll(async () => {
  await seedLegacy(pool(), { audits: 4000, scorecards: 3, seed: "rehearsal" });
  legacyTables = (await pool().query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.t);
});

describe("a dress rehearsal", () => {
  it("runs Phase 2 (after Phase 1) on a sample, predicts each step, and leaves nothing behind", { timeout: 300_000 }, async () => {
    const before = { catalog: await catalogSnapshot(pool()), legacy: await legacyChecksums(pool(), legacyTables) };
    const evidence = (await pool().query(`SELECT count(*)::int AS n FROM console.analytics_index_evidence`)).rows[0].n;
    const done = await rehearse({ phase: 2, actor: ADMIN, percent: 10 });
    expect(done.status).toBe("succeeded");

    const plan = await buildPlan(2, pool());
    const view = (await latestRehearsal(2))!;
    expect(view.planChecksum).toBe(plan.checksum);
    expect((await rehearsalOf(2, plan.checksum))?.id).toBe(done.id);
    expect(view.steps.map((s) => s.stepId)).toEqual(plan.steps.map((s) => s.id));
    expect(view.auditsTotal).toBe(4000);
    // 10% of the 4,000 audits, sampled row by row: near 400.
    expect(view.auditsSampled).toBeGreaterThan(250);
    expect(view.auditsSampled).toBeLessThan(550);
    const load = view.steps.find((s) => s.stepId === "load-audits")!;
    expect(load.fullRows).toBe(plan.steps.find((s) => s.id === "load-audits")!.estimatedRows);
    expect(load.sampleRows).toBe(view.auditsSampled);
    expect(load.rowsPerSecond).toBeGreaterThan(0);
    expect(load.units).toBe(3);
    // The index builds state no rows but read every audit: scaled by the audits' sample ratio; a DDL-only step is not.
    const indexes = view.steps.find((s) => s.stepId === "audit-indexes")!;
    expect(indexes.sampleRows).toBe(view.auditsSampled);
    expect(indexes.fullRows).toBe(4000);
    expect(indexes.predictedSeconds).toBeCloseTo((indexes.seconds * 4000) / view.auditsSampled!, 6);
    const table = view.steps.find((s) => s.stepId === "audits-table")!;
    expect(table.fullRows).toBe(0);
    expect(table.predictedSeconds).toBeCloseTo(table.seconds, 6);
    for (const s of view.steps) expect(s.predictedSeconds).toBeGreaterThan(0);
    expect(view.predictedSeconds).toBeCloseTo(view.steps.reduce((sum, s) => sum + s.predictedSeconds, 0), 6);
    expect(describePrediction(view)).toMatch(/^expected to take about \d+ (s|min \d\d s) at 4,000 audits \(rehearsed \d\d:\d\d, 10% sample\)$/);

    // Rolled back whole: no scratch schema, no unified, legacy tables as they were, the console's evidence untouched.
    expect(await catalogSnapshot(pool())).toEqual(before.catalog);
    expect(await legacyChecksums(pool(), legacyTables)).toEqual(before.legacy);
    const { rows } = await pool().query(`SELECT to_regnamespace($1) AS a, to_regnamespace($2) AS b, to_regnamespace('unified') AS u`, [SCRATCH_LEGACY, SCRATCH_UNIFIED]);
    expect(rows[0]).toEqual({ a: null, b: null, u: null });
    expect((await pool().query(`SELECT count(*)::int AS n FROM console.analytics_index_evidence`)).rows[0].n).toBe(evidence);
    const logged = await pool().query(`SELECT actor_email, outcome FROM console.activity_log WHERE action = 'phase.rehearse' ORDER BY id DESC LIMIT 1`);
    expect(logged.rows).toEqual([{ actor_email: "admin@test", outcome: "ok" }]);
  });

  it("runs Phase 4 (after Phases 1–3) on a sample, its index review explaining the scratch summaries, and leaves nothing behind", { timeout: 300_000 }, async () => {
    const before = { catalog: await catalogSnapshot(pool()), legacy: await legacyChecksums(pool(), legacyTables) };
    const evidence = (await pool().query(`SELECT count(*)::int AS n FROM console.analytics_index_evidence`)).rows[0].n;
    const done = await rehearse({ phase: 4, actor: ADMIN, percent: 10 });
    expect(done.error).toBeNull();
    expect(done.status).toBe("succeeded");
    const plan = await buildPlan(4, pool());
    const view = (await latestRehearsal(4))!;
    expect(view.steps.map((s) => s.stepId)).toEqual(plan.steps.map((s) => s.id));
    expect(view.steps.map((s) => s.stepId)).toContain("index-review");
    for (const s of view.steps) expect(s.predictedSeconds).toBeGreaterThan(0);
    expect(await catalogSnapshot(pool())).toEqual(before.catalog);
    expect(await legacyChecksums(pool(), legacyTables)).toEqual(before.legacy);
    expect((await pool().query(`SELECT count(*)::int AS n FROM console.analytics_index_evidence`)).rows[0].n).toBe(evidence);
  });

  it("is refused to a lead, for a bad sample, for a phase that does not exist, and while a run is active", async () => {
    await expect(rehearse({ phase: 1, actor: LEAD })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(rehearse({ phase: 1, actor: ADMIN, percent: 0 })).rejects.toThrow(/above 0 and at most 100/);
    await expect(rehearse({ phase: 6, actor: ADMIN })).rejects.toThrow(/There is no phase 6: phases are 1 to 5/);
    const { rows } = await pool().query(`INSERT INTO console.phase_runs (phase, kind, status, plan_checksum, requested_by) VALUES (1, 'run', 'queued', 'x', 'test') RETURNING id`);
    try {
      await expect(rehearse({ phase: 1, actor: ADMIN })).rejects.toThrow(new RehearsalRefusedError(`Run #${rows[0].id} (phase 1) is queued: rehearse once it has finished, so that neither slows the other`));
    } finally {
      await pool().query(`DELETE FROM console.phase_runs WHERE id = $1`, [rows[0].id]);
    }
  });
});

describe("the prediction", () => {
  it("scales a step's time by its rows and spreads its units over the engine's sessions", () => {
    expect(predictStep({ seconds: 2, sampleRows: 100, fullRows: 10_000, units: 0, parallel: 2 })).toBe(200);
    expect(predictStep({ seconds: 2, sampleRows: 100, fullRows: 10_000, units: 20, parallel: 2 })).toBe(100);
    expect(predictStep({ seconds: 2, sampleRows: 100, fullRows: 10_000, units: 1, parallel: 8 })).toBe(200);
    // A step of DDL states no rows: it takes what it took.
    expect(predictStep({ seconds: 0.5, sampleRows: 0, fullRows: 0, units: 0, parallel: 2 })).toBe(0.5);
  });

  it("reads as a person says it", () => {
    expect(formatApproxDuration(220)).toBe("3 min 40 s");
    expect(formatApproxDuration(45.4)).toBe("45 s");
    expect(formatApproxDuration(7_500)).toBe("2 h 05 min");
    expect(describePrediction({ predictedSeconds: 220, auditsTotal: 10_000_000, finishedAt: "2026-12-01T10:02:31.000Z", samplePercent: 1 })).toBe(
      "expected to take about 3 min 40 s at 10,000,000 audits (rehearsed 10:02, 1% sample)",
    );
  });
});
