import { spawn } from "node:child_process";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { quoteIdent } from "@/lib/db/sql";
import { withTestDatabase } from "@/lib/db/testing/database";
import { runProgress } from "@/lib/engine/progress";
import { stopQueue } from "@/lib/engine/queue";
import { executeRun, resumeOrphanedRuns } from "@/lib/engine/runner";
import { requestRun } from "@/lib/engine/runs";
import { approve, approveAndRun, rollBack, TEST_LEAD } from "@/lib/engine/testing/phases";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { seedLegacy } from "@/lib/legacy/generator";
import { executeValidation, requestValidation, validationReport } from "@/lib/validation/runs";
import { exceptAllBothWays } from "./phase-2/testing";
import { SYNC_TRIGGER, syncActivity } from "./sync";

const db = withTestDatabase();
afterAll(() => stopQueue());

/** A deterministic stream of numbers in [0, 1) for the writer's choices. */
function prng(seed: number) {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

interface Table {
  name: string;
  scores: string[];
}

/**
 * The legacy application at work: inserts, updates and deletes on several audit tables (one with
 * odd identifiers), assignments and notifications, one autocommitted statement at a time, until
 * stopped. Brand-new emails only once the audit tables' live sync is on (Phase 1 syncs users and
 * people, not the audit tables: docs/live-sync.md). Identity writes: phase-1/identity-sync.test.ts.
 */
function startWriter(url: string, tables: Table[]) {
  const random = prng(7);
  const client = new pg.Client({ connectionString: url });
  let stop = false;
  let writes = 0;
  const q = quoteIdent;
  const done = (async () => {
    await client.connect();
    const { rows: humans } = await client.query<{ email: string }>(`SELECT email FROM users ORDER BY id LIMIT 50`);
    let next = 50_000_000;
    while (!stop) {
      const { rows: on } = await client.query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = $1 AND tgrelid = ANY ($2::regclass[])`, [SYNC_TRIGGER, tables.map((t) => q(t.name))]);
      const synced = on[0].n === tables.length;
      const email = () => (synced && random() < 0.1 ? `New.Person${Math.floor(random() * 1000)}@Example.com ` : humans[Math.floor(random() * humans.length)]!.email);
      const table = tables[Math.floor(random() * tables.length)]!;
      const pick = async (t: string) => (await client.query(`SELECT id FROM ${q(t)} ORDER BY id OFFSET $1 LIMIT 1`, [Math.floor(random() * 500)])).rows[0]?.id;
      const r = random();
      if (r < 0.35) {
        const id = next++;
        await client.query(
          `INSERT INTO ${q(table.name)} (id, employee_email, auditor_email, audit_date, status, total_score, comments, created_at, updated_at, ${table.scores.map(q).join(", ")})
           VALUES ($1, $2, $3, '2025-06-01', 'completed', $4, 'written live', now(), now(), ${table.scores.map((_, i) => `$${i + 5}`).join(", ")})`,
          [id, email(), email(), Math.round(random() * 100), ...table.scores.map(() => (random() < 0.1 ? null : Math.floor(random() * 5)))],
        );
      } else if (r < 0.6) {
        const id = await pick(table.name);
        if (id !== undefined) {
          await client.query(`UPDATE ${q(table.name)} SET total_score = $2, comments = 'edited live', employee_email = $3, ${q(table.scores[0]!)} = NULL WHERE id = $1`, [id, Math.round(random() * 100), email()]);
        }
      } else if (r < 0.7) {
        const id = await pick(table.name);
        if (id !== undefined) await client.query(`DELETE FROM ${q(table.name)} WHERE id = $1`, [id]);
      } else if (r < 0.8) {
        await client.query(`INSERT INTO audit_assignments (id, auditor_email, employee_email, scorecard_table, due_date, status, created_at) VALUES ($1, $2, $3, $4, '2025-07-01', 'open', now())`, [next++, email(), email(), table.name]);
      } else if (r < 0.87) {
        const id = await pick("audit_assignments");
        if (id !== undefined) await client.query(`UPDATE audit_assignments SET status = 'done', employee_email = $2 WHERE id = $1`, [id, email()]);
      } else if (r < 0.95) {
        const audit = await pick(table.name);
        await client.query(`INSERT INTO notifications (id, recipient_email, type, message, audit_table, audit_id, created_at) VALUES ($1, $2, 'audit', 'live', $3, $4, now())`, [next++, email(), table.name, audit ?? null]);
      } else {
        const id = await pick("notifications");
        if (id !== undefined) await client.query(`DELETE FROM notifications WHERE id = $1`, [id]);
      }
      writes++;
    }
    await client.end();
  })();
  return {
    async stop() {
      stop = true;
      await done;
      return writes;
    },
  };
}

/** The unified side as comparable text, tombstones left out (a fresh migration has none). */
async function unifiedFingerprint() {
  const { rows } = await pool().query(
    `SELECT
       (SELECT md5(string_agg(concat_ws('|', a.source_table, a.source_id, e.email_normalized, r.email_normalized, a.audit_date, a.status, a.total_score,
                                        a.passed, a.comments, a.parameter_scores::text, a.employee_email_legacy, a.auditor_email_legacy, a.legacy_extra::text),
                              E'\\n' ORDER BY a.source_table, a.source_id))
          FROM unified.audits a LEFT JOIN unified.employees e ON e.id = a.employee_id LEFT JOIN unified.employees r ON r.id = a.auditor_id
         WHERE a.deleted_at IS NULL) AS audits,
       (SELECT md5(string_agg(concat_ws('|', x.legacy_id, r.email_normalized, e.email_normalized, s.source_table, x.due_date, x.status,
                                        x.auditor_email_legacy, x.employee_email_legacy, x.scorecard_table_legacy), E'\\n' ORDER BY x.legacy_id))
          FROM unified.audit_assignments x LEFT JOIN unified.employees r ON r.id = x.auditor_id LEFT JOIN unified.employees e ON e.id = x.employee_id
          LEFT JOIN unified.scorecards s ON s.id = x.scorecard_id WHERE x.deleted_at IS NULL) AS assignments,
       (SELECT md5(string_agg(concat_ws('|', n.legacy_id, p.email_normalized, n.type, n.message, a.source_table, a.source_id, n.recipient_email_legacy,
                                        n.audit_table_legacy, n.audit_source_id_legacy), E'\\n' ORDER BY n.legacy_id))
          FROM unified.notifications n LEFT JOIN unified.employees p ON p.id = n.recipient_id
          LEFT JOIN unified.audits a ON a.id = n.audit_id AND a.deleted_at IS NULL WHERE n.deleted_at IS NULL) AS notifications,
       (SELECT count(*)::int FROM unified.link_orphans) AS orphans`,
  );
  return rows[0];
}

async function postRunFailures(phase: number) {
  const { id } = await requestValidation({ phase, kind: "post_run", actor: TEST_LEAD, enqueue: false });
  await executeValidation(id);
  return (await validationReport(id))!.checks.flatMap((c) => c.results).filter((r) => r.status === "fail").map((r) => r.name);
}

describe("live sync: the legacy application keeps writing during Phases 2 and 3", () => {
  let tables: Table[] = [];
  let writer: ReturnType<typeof startWriter> | null = null;
  let writes = 0;
  beforeAll(async () => {
    await seedLegacy(pool(), { audits: 24_000, scorecards: 12, seed: "live-sync" });
    const discovery = await discoverLegacy(pool(), "public");
    const pickTables = ["Escalation Audit", discovery.scorecards[0]!.tableName, discovery.scorecards[1]!.tableName];
    tables = pickTables.map((name) => ({ name, scores: discovery.scorecards.find((s) => s.tableName === name)!.fields.map((f) => f.columnName) }));
    expect((await approveAndRun(1)).status).toBe("succeeded");
  });
  afterAll(async () => {
    await writer?.stop();
  });

  it("every write lands, a worker killed mid-load changes nothing, and the result is a fresh migration's", { timeout: 600_000 }, async () => {
    await approve(2);
    writer = startWriter(db.url(), tables);
    // Phase 2 in a real worker process, killed with SIGKILL inside the load, resumed here.
    const run = await requestRun(2, SYSTEM_ACTOR);
    const worker = spawn(join(process.cwd(), "node_modules", ".bin", "tsx"), ["lib/cli/main.ts", "worker"], {
      env: { ...process.env, DATABASE_URL: db.url(), UNIFY_BATCH_DELAY_MS: "50", UNIFY_AUDIT_BATCH_ROWS: "500" },
      detached: true,
      stdio: "ignore",
    });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { rows } = await pool().query(`SELECT count(*)::int AS n FROM console.unit_runs WHERE run_id = $1 AND step_id = 'load-audits' AND checkpoint IS NOT NULL`, [run.id]);
      if (rows[0].n >= 2) break;
      if (Date.now() > deadline) throw new Error("the worker never got into the load");
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(-worker.pid!, "SIGKILL");
    await new Promise((r) => worker.once("exit", r));
    process.env.UNIFY_AUDIT_BATCH_ROWS = "500";
    try {
      let resumed: number[] = [];
      for (let tries = 0; tries < 50 && !resumed.length; tries++) {
        resumed = await resumeOrphanedRuns();
        if (!resumed.length) await new Promise((r) => setTimeout(r, 100));
      }
      expect(resumed).toEqual([run.id]);
      const phase2 = await runProgress(run.id);
      expect([phase2?.status, phase2?.error, phase2?.verification?.filter((c) => c.status === "fail").map((c) => `${c.name}: ${c.detail}`)]).toEqual(["succeeded", null, []]);

      await approve(3);
      const links = await requestRun(3, SYSTEM_ACTOR);
      await executeRun(links.id);
      const phase3 = await runProgress(links.id);
      expect([phase3?.status, phase3?.error, phase3?.verification?.filter((c) => c.status === "fail").map((c) => `${c.name}: ${c.detail}`)]).toEqual(["succeeded", null, []]);
    } finally {
      delete process.env.UNIFY_AUDIT_BATCH_ROWS;
    }
    await new Promise((r) => setTimeout(r, 1500));
    writes = await writer.stop();
    writer = null;
    expect(writes).toBeGreaterThan(50);

    // Old readers see exactly the legacy tables, the suites pass, and sync says what it did.
    for (const t of (await discoverLegacy(pool(), "public")).scorecards.map((s) => s.tableName)) {
      expect([t, await exceptAllBothWays(pool(), t)]).toEqual([t, [0, 0]]);
    }
    for (const t of ["audit_assignments", "notifications"]) {
      const { rows } = await pool().query(
        `SELECT (SELECT count(*) FROM (SELECT * FROM public.${t} EXCEPT ALL SELECT * FROM unified.${t}_compat) x)::int AS a,
                (SELECT count(*) FROM (SELECT * FROM unified.${t}_compat EXCEPT ALL SELECT * FROM public.${t}) y)::int AS b`,
      );
      expect([t, rows[0]]).toEqual([t, { a: 0, b: 0 }]);
    }
    expect(await postRunFailures(2)).toEqual([]);
    expect(await postRunFailures(3)).toEqual([]);
    const activity = await syncActivity(pool(), "unified");
    expect(activity.live).toBe(true);
    expect(activity.writes).toBeGreaterThan(0);
    expect(activity.lastAt).not.toBeNull();

    // A fresh migration of the final legacy state gives the same unified rows.
    const synced = await unifiedFingerprint();
    expect((await rollBack(3)).status).toBe("succeeded");
    expect((await rollBack(2)).status).toBe("succeeded");
    expect((await approveAndRun(2)).status).toBe("succeeded");
    expect((await approveAndRun(3)).status).toBe("succeeded");
    expect(await unifiedFingerprint()).toEqual(synced);
  });
});
