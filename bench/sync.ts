import { Command } from "commander";
import pg from "pg";
import { printTable } from "@/lib/cli/output";
import { pool } from "@/lib/db/pool";
import { quoteIdent } from "@/lib/db/sql";
import { requireDatabaseUrl } from "@/lib/db/url";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { legacySchema } from "@/lib/legacy/contract";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { SYNC_TRIGGER } from "@/lib/plan/sync";
import { positive, reportHeader, withSeededCluster, writeReport } from "./cluster";

/**
 * What live sync costs the legacy application: the latency of its writes (a mix of inserts,
 * updates and deletes on the audit tables, assignments and notifications, and on users and people,
 * whose writes merge a human again) with the triggers on and off, with 1 and 4 concurrent writers,
 * after Phases 1–3. The lag is measured too: right after each write commits, is the unified side
 * already current? (It must be: same transaction.)
 */
interface Sample {
  /** Every write's latency; `identity` those of the users and people writes among them. */
  ms: number[];
  identity: number[];
  lagged: number;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function writer(tables: { name: string; score: string }[], ops: number, seed: number, checkLag: boolean): Promise<Sample> {
  const client = new pg.Client({ connectionString: requireDatabaseUrl() });
  await client.connect();
  const ms: number[] = [];
  const identity: number[] = [];
  const logins: number[] = [];
  let lagged = 0;
  let x = seed;
  const random = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const { rows: humans } = await client.query<{ email: string }>(`SELECT email FROM users ORDER BY id LIMIT 100`);
  const { rows: [{ n: peopleRows }] } = await client.query<{ n: number }>(`SELECT least(count(*), 1000)::int AS n FROM people`);
  try {
    for (let i = 0; i < ops; i++) {
      const t = tables[Math.floor(random() * tables.length)]!;
      const id = 90_000_000 + seed * 1_000_000 + i;
      const email = humans[Math.floor(random() * humans.length)]!.email;
      const started = performance.now();
      const r = random();
      let check: [string, unknown[]] | null = null;
      if (r < 0.35) {
        await client.query(`INSERT INTO ${quoteIdent(t.name)} (id, employee_email, auditor_email, audit_date, status, total_score, ${quoteIdent(t.score)}) VALUES ($1, $2, $2, '2025-01-01', 'completed', 80, 3)`, [id, email]);
        check = [`SELECT 1 FROM unified.audits WHERE source_table = $1 AND source_id = $2`, [t.name, id]];
      } else if (r < 0.55) {
        await client.query(`UPDATE ${quoteIdent(t.name)} SET total_score = $1, comments = 'bench' WHERE id = (SELECT id FROM ${quoteIdent(t.name)} ORDER BY id OFFSET $2 LIMIT 1)`, [Math.round(random() * 100), Math.floor(random() * 1000)]);
      } else if (r < 0.62) {
        await client.query(`INSERT INTO audit_assignments (id, auditor_email, employee_email, scorecard_table, status) VALUES ($1, $2, $2, $3, 'open')`, [id, email, t.name]);
      } else if (r < 0.69) {
        await client.query(`INSERT INTO notifications (id, recipient_email, type, message) VALUES ($1, $2, 'bench', 'hello')`, [id, email]);
      } else if (r < 0.77) {
        // A new login: a new employee (or, one time in four, a second login of a known human).
        const login = random() < 0.25 ? email : `bench.${id}@example.com`;
        await client.query(`INSERT INTO users (id, email, password_hash, full_name, role, is_active, created_at) VALUES ($1, $2, 'h', 'Bench', 'agent', true, now())`, [id, login]);
        logins.push(id);
        check = [`SELECT 1 FROM unified.employees WHERE legacy_user_id = $1`, [id]];
      } else if (r < 0.87) {
        await client.query(`UPDATE users SET last_login_at = now() WHERE id = (SELECT id FROM users ORDER BY id OFFSET $1 LIMIT 1)`, [Math.floor(random() * 1000)]);
      } else if (r < 0.95) {
        await client.query(`UPDATE people SET name = $1, department = 'Support' WHERE id = (SELECT id FROM people ORDER BY id OFFSET $2 LIMIT 1)`, [`Bench ${i}`, Math.floor(random() * peopleRows)]);
      } else {
        const gone = logins.pop();
        await client.query(`DELETE FROM users WHERE id = $1`, [gone ?? -1]);
      }
      const took = performance.now() - started;
      ms.push(took);
      if (r >= 0.69) identity.push(took);
      if (checkLag && check) {
        const { rows } = await client.query(check[0], check[1]);
        if (!rows.length) lagged++;
      }
    }
  } finally {
    await client.end();
  }
  return { ms, identity, lagged };
}

async function setTriggers(tables: string[], on: boolean): Promise<void> {
  for (const t of tables) await pool().query(`ALTER TABLE ${quoteIdent(legacySchema())}.${quoteIdent(t)} ${on ? "ENABLE" : "DISABLE"} TRIGGER ${SYNC_TRIGGER}`);
}

export async function syncBench(args: string[]): Promise<void> {
  const opts = new Command("sync")
    .option("--audits <n>", "legacy audit rows", "100000")
    .option("--ops <n>", "writes per writer", "1000")
    .parse(args, { from: "user" })
    .opts<{ audits: string; ops: string }>();
  const audits = positive("--audits", opts.audits);
  const ops = positive("--ops", opts.ops);
  const results: Record<string, { writers: number; triggers: boolean; p50: number; p95: number; identityP50: number; identityP95: number; writesPerSecond: number; lagged: number }> = {};
  await withSeededCluster(audits, async () => {
    for (const phase of [1, 2, 3]) {
      const done = await approveAndRun(phase);
      if (done.status !== "succeeded") throw new Error(`phase ${phase} ${done.status}: ${done.error}`);
    }
    const discovery = await discoverLegacy(pool(), legacySchema());
    const tables = discovery.scorecards.slice(0, 4).map((s) => ({ name: s.tableName, score: s.fields[0]!.columnName }));
    const synced = [...discovery.scorecards.map((s) => s.tableName), "audit_assignments", "notifications", "users", "people"];
    let seed = 1;
    // With live sync first: writes made while the triggers are off leave the unified side behind
    // the legacy one (as disabling them would in production), which a later synced write of the
    // same human must not have to reconcile.
    for (const triggers of [true, false]) {
      await setTriggers(synced, triggers);
      for (const writers of [1, 4]) {
        const started = performance.now();
        const samples = await Promise.all(Array.from({ length: writers }, () => writer(tables, ops, seed++, triggers)));
        const seconds = (performance.now() - started) / 1000;
        const all = samples.flatMap((s) => s.ms).sort((a, b) => a - b);
        const identity = samples.flatMap((s) => s.identity).sort((a, b) => a - b);
        results[`${writers} writer${writers > 1 ? "s" : ""}, sync ${triggers ? "on" : "off"}`] = {
          writers,
          triggers,
          p50: pct(all, 0.5),
          p95: pct(all, 0.95),
          identityP50: pct(identity, 0.5),
          identityP95: pct(identity, 0.95),
          writesPerSecond: all.length / seconds,
          lagged: samples.reduce((n, s) => n + s.lagged, 0),
        };
      }
    }
    await setTriggers(synced, true);
  });
  printTable(
    Object.entries(results).map(([what, r]) => ({
      what,
      "p50 ms": r.p50.toFixed(2),
      "p95 ms": r.p95.toFixed(2),
      "users/people p50 ms": r.identityP50.toFixed(2),
      "users/people p95 ms": r.identityP95.toFixed(2),
      "writes/s": Math.round(r.writesPerSecond).toLocaleString("en-US"),
      "unified behind after commit": r.triggers ? String(r.lagged) : "–",
    })),
  );
  writeReport("sync", { ...reportHeader("sync"), audits, ops, results });
}
