import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { runProgress } from "@/lib/engine/progress";
import { stopQueue } from "@/lib/engine/queue";
import { executeRun, resumeOrphanedRuns } from "@/lib/engine/runner";
import { requestRun } from "@/lib/engine/runs";
import { approve, approveAndRun, rollBack } from "@/lib/engine/testing/phases";
import { seedLegacy } from "@/lib/legacy/generator";
import { auditsFingerprint } from "./testing";

const db = withTestDatabase();
afterAll(() => stopQueue());

interface UnitState {
  unit_id: string;
  status: string;
  rows: number;
  after: string | null;
  error: string | null;
}

async function loadUnits(runId: number): Promise<UnitState[]> {
  const { rows } = await pool().query<UnitState>(
    `SELECT unit_id, status::text, rows_done::int AS rows, checkpoint->>'after' AS after, error
       FROM console.unit_runs WHERE run_id = $1 AND step_id = 'load-audits' ORDER BY position`,
    [runId],
  );
  return rows;
}

describe("Phase 2 interrupted", () => {
  let expected: { rows: number; md5: string };
  beforeAll(async () => {
    await seedLegacy(pool(), { audits: 12_000, scorecards: 4, seed: "phase-2-resume" });
    expect((await approveAndRun(1)).status).toBe("succeeded");
    const uninterrupted = await approveAndRun(2);
    expect(uninterrupted.status).toBe("succeeded");
    expected = await auditsFingerprint(pool());
    expect(expected.rows).toBe(12_000);
    expect((await rollBack(2)).status).toBe("succeeded");
  });

  it("a worker killed mid-load resumes every unit from its checkpoint to the identical result", { timeout: 240_000 }, async () => {
    await approve(2);
    const run = await requestRun(2, SYSTEM_ACTOR);
    // A real worker process with small, slowed batches, so the kill lands inside the load.
    const worker = spawn(join(process.cwd(), "node_modules", ".bin", "tsx"), ["lib/cli/main.ts", "worker"], {
      env: { ...process.env, DATABASE_URL: db.url(), UNIFY_BATCH_DELAY_MS: "100", UNIFY_AUDIT_BATCH_ROWS: "400", UNIFY_PARALLEL: "2" },
      detached: true,
      stdio: "ignore",
    });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const units = await loadUnits(run.id);
      if (units.filter((u) => u.after !== null).length >= 2 && units.some((u) => u.status === "running")) break;
      if (Date.now() > deadline) throw new Error("the worker never got into the load");
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(-worker.pid!, "SIGKILL");
    await new Promise((r) => worker.once("exit", r));

    const killed = await loadUnits(run.id);
    const { rows: loaded } = await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM unified.audits`);
    expect(loaded[0]!.n).toBeGreaterThan(0);
    expect(loaded[0]!.n).toBeLessThan(12_000);
    // What is in audits is exactly what the checkpoints say: every committed batch, nothing more.
    expect(loaded[0]!.n).toBe(killed.reduce((n, u) => n + u.rows, 0));

    let resumed: number[] = [];
    for (let tries = 0; tries < 50 && resumed.length === 0; tries++) {
      resumed = await resumeOrphanedRuns();
      if (!resumed.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(resumed).toEqual([run.id]);
    const finished = await runProgress(run.id);
    expect(finished?.error).toBeNull();
    expect(finished?.status).toBe("succeeded");
    expect(await auditsFingerprint(pool())).toEqual(expected);
    expect((await rollBack(2)).status).toBe("succeeded");
  });

  it("two units that fail do so independently: each names its row, the others keep exactly their committed batches, a new run completes", { timeout: 240_000 }, async () => {
    await approve(2);
    const { rows: tables } = await pool().query<{ table_name: string }>(`SELECT table_name FROM scorecards ORDER BY table_name`);
    expect(tables).toHaveLength(4);
    const bad = [tables[0]!.table_name, tables[2]!.table_name];
    const quoted = (t: string) => `"${t.replace(/"/g, '""')}"`;
    // After the approval the legacy application writes an email no employee has into row 1 of two tables.
    const originals = new Map<string, string>();
    for (const table of bad) {
      const { rows } = await pool().query(`SELECT employee_email FROM ${quoted(table)} WHERE id = 1`);
      originals.set(table, rows[0].employee_email);
      await pool().query(`UPDATE ${quoted(table)} SET employee_email = 'ghost@nowhere.test' WHERE id = 1`);
    }
    // All four units start together and wait inside their first batch (employees is locked), so both
    // bad units reach their bad row: neither is stopped early by the other's failure.
    const blocker = await pool().connect();
    await blocker.query(`BEGIN`);
    await blocker.query(`LOCK TABLE unified.employees IN ACCESS EXCLUSIVE MODE`);
    const run = await requestRun(2, SYSTEM_ACTOR);
    process.env.UNIFY_AUDIT_BATCH_ROWS = "500";
    process.env.UNIFY_PARALLEL = "4";
    let execution: Promise<void> | null = null;
    try {
      execution = executeRun(run.id).then(() => undefined);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { rows } = await pool().query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'unified.employees'::regclass AND NOT granted`,
        );
        if (rows[0]!.n >= 4) break;
        if (Date.now() > deadline) throw new Error("the units never reached their first batch");
        await new Promise((r) => setTimeout(r, 20));
      }
      await blocker.query(`COMMIT`);
      await execution;
    } finally {
      blocker.release();
      delete process.env.UNIFY_AUDIT_BATCH_ROWS;
      delete process.env.UNIFY_PARALLEL;
    }
    const failed = await runProgress(run.id);
    expect(failed?.status).toBe("failed");
    const units = await loadUnits(run.id);
    expect(units.filter((u) => u.status === "failed").map((u) => u.unit_id).sort()).toEqual([...bad].sort());
    for (const unit of units.filter((u) => bad.includes(u.unit_id))) {
      expect(unit.error).toContain(`audit table "${unit.unit_id}" row id 1: employee_email "ghost@nowhere.test" matches no employee`);
      expect(unit.rows).toBe(0);
    }
    // Every unit's rows in audits are exactly its committed batches: none of a failed batch, none twice.
    const { rows: per } = await pool().query<{ source_table: string; n: number; max: string | null }>(
      `SELECT source_table, count(*)::int AS n, max(source_id)::text AS max FROM unified.audits GROUP BY 1`,
    );
    for (const unit of units) {
      const got = per.find((p) => p.source_table === unit.unit_id);
      expect([unit.unit_id, got?.n ?? 0, got?.max ?? null]).toEqual([unit.unit_id, unit.rows, unit.after]);
    }
    expect(units.filter((u) => !bad.includes(u.unit_id)).every((u) => u.rows >= 500)).toBe(true);

    // The bad rows are put right at the source; a new run of the phase finishes the job exactly.
    for (const table of bad) await pool().query(`UPDATE ${quoted(table)} SET employee_email = $1 WHERE id = 1`, [originals.get(table)]);
    const again = await requestRun(2, SYSTEM_ACTOR);
    await executeRun(again.id);
    expect((await runProgress(again.id))?.status).toBe("succeeded");
    expect(await auditsFingerprint(pool())).toEqual(expected);
  });
});
