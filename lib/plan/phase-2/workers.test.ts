import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { PoolClient } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { runProgress } from "@/lib/engine/progress";
import { stopQueue } from "@/lib/engine/queue";
import { requestRun } from "@/lib/engine/runs";
import { approve, approveAndRun, rollBack } from "@/lib/engine/testing/phases";
import { waitUntilReady } from "@/lib/engine/testing/workers";
import { UNIT_LOCK_NAMESPACE } from "@/lib/engine/unit-claims";
import { seedLegacy } from "@/lib/legacy/generator";
import { auditsFingerprint } from "./testing";

const db = withTestDatabase();
const workers = new Map<string, ChildProcess>();
afterAll(async () => {
  for (const worker of workers.values()) {
    if (worker.exitCode === null && worker.signalCode === null) process.kill(-worker.pid!, "SIGKILL");
  }
  await stopQueue();
});

interface UnitState {
  unit_id: string;
  status: string;
  worker: string | null;
  rows: number;
  after: string | null;
  held: boolean;
}

async function loadUnits(runId: number, client: Pick<PoolClient, "query"> = pool()): Promise<UnitState[]> {
  const { rows } = await client.query<UnitState>(
    `SELECT u.unit_id, u.status::text, u.worker, u.rows_done::int AS rows, u.checkpoint->>'after' AS after,
            EXISTS (SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database AND d.datname = current_database()
                     WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.classid = $2::oid AND l.objid = u.claim_key::oid) AS held
       FROM console.unit_runs u WHERE u.run_id = $1 AND u.step_id = 'load-audits' ORDER BY u.position`,
    [runId, UNIT_LOCK_NAMESPACE],
  );
  return rows;
}

/** A real `unify worker` process, two unit sessions, small slowed batches so the load takes a while. */
function startWorker(name: string): Promise<void> {
  const worker = spawn(join(process.cwd(), "node_modules", ".bin", "tsx"), ["lib/cli/main.ts", "worker"], {
    env: {
      ...process.env,
      DATABASE_URL: db.url(),
      UNIFY_WORKER_NAME: name,
      UNIFY_PARALLEL: "2",
      UNIFY_BATCH_DELAY_MS: "150",
      UNIFY_AUDIT_BATCH_ROWS: "250",
    },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  workers.set(name, worker);
  return waitUntilReady(worker);
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("Phase 2 on two workers", () => {
  let expected: { rows: number; md5: string };
  beforeAll(async () => {
    await seedLegacy(pool(), { audits: 18_000, scorecards: 6, seed: "phase-2-workers" });
    expect((await approveAndRun(1)).status).toBe("succeeded");
    // The reference: one uninterrupted run by one executor.
    expect((await approveAndRun(2)).status).toBe("succeeded");
    expected = await auditsFingerprint(pool());
    expect(expected.rows).toBe(18_000);
    expect((await rollBack(2)).status).toBe("succeeded");
  }, 240_000);

  it("two worker processes share the load; one killed mid-load, the other takes its units within seconds and the result is identical", { timeout: 300_000 }, async () => {
    await approve(2);
    await Promise.all([startWorker("w1"), startWorker("w2")]);
    const run = await requestRun(2, SYSTEM_ACTOR);

    // Both workers load units of the same step at the same time (seen in unit_runs and pg_locks).
    await waitFor("both workers inside the load", async () => {
      const units = await loadUnits(run.id);
      const working = units.filter((u) => u.status === "running" && u.held && u.after !== null);
      return new Set(working.map((u) => u.worker)).size === 2 ? working : null;
    }, 120_000);
    const { rows: lead } = await pool().query<{ name: string }>(
      `SELECT substring(message FROM 'started on worker (.*)$') AS name FROM console.run_log WHERE run_id = $1 AND message LIKE 'run started on worker %'`,
      [run.id],
    );
    // The coordinator (the run's lock holder) is killed: the other worker must take over the run and its units.
    const killed = lead[0]!.name;
    const survivor = killed === "w1" ? "w2" : "w1";
    const worker = workers.get(killed)!;
    const exited = new Promise((r) => worker.once("exit", r));
    process.kill(-worker.pid!, "SIGKILL");
    await exited;

    // The survivor keeps committing batches: read the units and audits in one snapshot.
    const snapshot = await pool().connect();
    let atKill: UnitState[];
    let per: { source_table: string; n: number }[];
    try {
      await snapshot.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      atKill = await loadUnits(run.id, snapshot);
      ({ rows: per } = await snapshot.query<{ source_table: string; n: number }>(`SELECT source_table, count(*)::int AS n FROM unified.audits GROUP BY 1`));
      await snapshot.query("COMMIT");
    } finally {
      snapshot.release();
    }
    const orphans = atKill.filter((u) => u.worker === killed && u.status === "running").map((u) => u.unit_id);
    expect(orphans.length).toBeGreaterThan(0);
    // Every committed batch is in audits, nothing more: the dead worker's last batches are exactly its checkpoints.
    for (const u of atKill) expect([u.unit_id, per.find((p) => p.source_table === u.unit_id)?.n ?? 0]).toEqual([u.unit_id, u.rows]);

    // Within seconds the survivor coordinates the run and has claimed (or finished) each orphaned unit.
    await waitFor("the survivor to take the dead worker's units", async () => {
      const units = await loadUnits(run.id);
      return orphans.every((id) => units.find((u) => u.unit_id === id)!.worker === survivor);
    }, 30_000);

    const finished = await waitFor("the run to finish", async () => {
      const p = await runProgress(run.id);
      return p && p.status !== "running" && p.status !== "queued" ? p : null;
    }, 180_000);
    expect(finished.error).toBeNull();
    expect(finished.status).toBe("succeeded");
    expect(finished.log.some((l) => l.message === `resumed by worker ${survivor} after the previous one stopped`)).toBe(true);
    for (const id of orphans) {
      expect(finished.log.some((l) => l.message === `[${id}] claimed by worker ${survivor} (last worked on by ${killed})`)).toBe(true);
    }
    const done = await loadUnits(run.id);
    expect(done.every((u) => u.status === "succeeded" && !u.held)).toBe(true);
    expect(await auditsFingerprint(pool())).toEqual(expected);
  });
});
