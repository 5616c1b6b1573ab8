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
import { approve, approveAndRun, mergedBuckets, rollBack, TEST_LEAD } from "@/lib/engine/testing/phases";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { seedLegacy } from "@/lib/legacy/generator";
import { executeValidation, requestValidation, validationReport } from "@/lib/validation/runs";
import { exceptAllBothWays } from "../phase-2/testing";
import { SYNC_TRIGGER } from "../sync";

const db = withTestDatabase();
afterAll(() => stopQueue());

/** A deterministic stream of numbers in [0, 1) for a writer's choices. */
function prng(seed: number) {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** Writes the legacy application may make to users and people, counted by kind. */
const KINDS = ["new login", "new directory entry", "login edited", "directory entry edited", "email moved to another human", "email moved to a new human",
  "case or spaces only", "row deleted", "merge winner deleted", "row without email", "audit names a new human", "last login"] as const;

/**
 * The legacy application at work on identities: one autocommitted statement at a time until
 * stopped — new humans (some of whom an audit then names), duplicates that win the merge, changed
 * names, roles, departments, teams and managers, emails moved to another human (merging two) or to
 * a new one (splitting one), case- or space-only changes, deleted rows and deleted merge winners,
 * rows without an email. A writer chosen as a deadlock's victim retries, as an application would.
 */
function startIdentityWriter(url: string, seed: number, auditTable: string, scores: string[]) {
  const random = prng(seed);
  const client = new pg.Client({ connectionString: url });
  const counts = new Map<string, number>();
  let stop = false;
  let retried = 0;
  const done = (async () => {
    await client.connect();
    const { rows: known } = await client.query<{ email: string }>(`SELECT email FROM users WHERE email IS NOT NULL ORDER BY id LIMIT 40`);
    const humans = known.map((r) => r.email);
    const fresh: string[] = [];
    let next = 90_000_000 + seed * 1_000_000;
    const any = <T,>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const spelled = (email: string) => (random() < 0.3 ? ` ${email.toUpperCase()}` : email);
    const human = () => (fresh.length && random() < 0.4 ? any(fresh) : any(humans));
    const rowOf = async (table: "users" | "people") => (await client.query(`SELECT id FROM ${table} ORDER BY id OFFSET $1 LIMIT 1`, [Math.floor(random() * 300)])).rows[0]?.id;
    const write = async (kind: (typeof KINDS)[number], sql: string, values: unknown[]) => {
      for (;;) {
        try {
          await client.query(sql, values);
          counts.set(kind, (counts.get(kind) ?? 0) + 1);
          return;
        } catch (error) {
          if ((error as { code?: string }).code !== "40P01") throw error;
          retried++;
        }
      }
    };
    while (!stop) {
      const r = random();
      const table = random() < 0.5 ? "users" : "people";
      if (r < 0.1) {
        const email = `Fresh.${seed}.${next % 1000}@Example.com`;
        fresh.push(email);
        await write("new login", `INSERT INTO users (id, email, password_hash, full_name, role, is_active, last_login_at, created_at)
                    VALUES ($1, $2, 'h', $3, $4, $5, now(), now() - ($6 || ' days')::interval)`,
        [next++, spelled(random() < 0.5 ? email : human()), `Live ${next}`, any(["agent", "Agent ", "Quality Lead"]), random() < 0.8, Math.floor(random() * 400)]);
      } else if (r < 0.2) {
        await write("new directory entry", `INSERT INTO people (id, email, name, department, team, country, manager_email, hire_date, status, created_at)
                    VALUES ($1, $2, $3, $4, $5, 'Portugal', $6, '2024-01-01', $7, now() - ($8 || ' days')::interval)`,
        [next++, spelled(random() < 0.3 && fresh.length ? any(fresh) : human()), `Person ${next}`, any(["Support", "Quality"]), any(["Tier 1", "Tier 9"]),
          random() < 0.1 ? "ghost@example.com" : human(), any(["active", "inactive"]), Math.floor(random() * 400)]);
      } else if (r < 0.3) {
        const id = await rowOf("users");
        if (id !== undefined) await write("login edited", `UPDATE users SET full_name = $2, role = $3, is_active = $4 WHERE id = $1`, [id, `Edited ${next++}`, any(["agent", "supervisor", "Quality Lead"]), random() < 0.7]);
      } else if (r < 0.4) {
        const id = await rowOf("people");
        if (id !== undefined) {
          await write("directory entry edited", `UPDATE people SET name = $2, department = $3, team = $4, manager_email = $5, status = $6 WHERE id = $1`,
            [id, `Renamed ${next++}`, any(["Support", "Quality", "Sales"]), any(["Tier 1", "Tier 2", "Tier 9"]), random() < 0.1 ? null : human(), any(["active", "inactive", "Active"])]);
        }
      } else if (r < 0.46) {
        const id = await rowOf(table);
        if (id !== undefined) await write("email moved to another human", `UPDATE ${table} SET email = $2 WHERE id = $1`, [id, spelled(human())]);
      } else if (r < 0.5) {
        const id = await rowOf(table);
        const email = `Split.${seed}.${next++ % 1000}@Example.com`;
        fresh.push(email);
        if (id !== undefined) await write("email moved to a new human", `UPDATE ${table} SET email = $2 WHERE id = $1`, [id, email]);
      } else if (r < 0.56) {
        const id = await rowOf(table);
        if (id !== undefined) await write("case or spaces only", `UPDATE ${table} SET email = ' ' || upper(email) || E'\\t' WHERE id = $1 AND email IS NOT NULL`, [id]);
      } else if (r < 0.62) {
        const id = await rowOf(table);
        if (id !== undefined) await write("row deleted", `DELETE FROM ${table} WHERE id = $1`, [id]);
      } else if (r < 0.66) {
        // The row the merge chose among a human's duplicates: the newest one.
        await write("merge winner deleted", `DELETE FROM ${table} WHERE id = (
            SELECT id FROM ${table} WHERE lower(btrim(email)) = (
              SELECT lower(btrim(email)) FROM ${table} WHERE email IS NOT NULL GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 OFFSET $1 LIMIT 1)
             ORDER BY created_at DESC NULLS LAST, id DESC LIMIT 1)`, [Math.floor(random() * 5)]);
      } else if (r < 0.7) {
        if (random() < 0.5) await write("row without email", `INSERT INTO users (id, email, full_name, is_active, created_at) VALUES ($1, '   ', 'Nobody', true, now())`, [next++]);
        else {
          const id = await rowOf("users");
          if (id !== undefined) await write("row without email", `UPDATE users SET email = NULL WHERE id = $1`, [id]);
        }
      } else if (r < 0.8) {
        // Once the audit table's sync is on, an audit names a human a writer just made.
        const { rows } = await client.query(`SELECT 1 FROM pg_trigger WHERE tgname = $1 AND tgrelid = $2::regclass`, [SYNC_TRIGGER, quoteIdent(auditTable)]);
        if (rows.length && fresh.length) {
          await write("audit names a new human", `INSERT INTO ${quoteIdent(auditTable)} (id, employee_email, auditor_email, audit_date, status, total_score, comments, created_at, updated_at, ${scores.map(quoteIdent).join(", ")})
             VALUES ($1, $2, $3, '2025-06-01', 'completed', 70, 'written live', now(), now(), ${scores.map((_, i) => `$${i + 4}`).join(", ")})`,
          [next++, fresh[fresh.length - 1], any(humans), ...scores.map(() => 3)]);
        }
      } else {
        const id = await rowOf("users");
        if (id !== undefined) await write("last login", `UPDATE users SET last_login_at = now() WHERE id = $1`, [id]);
      }
    }
    await client.end();
  })();
  return {
    async stop() {
      stop = true;
      await done;
      return { counts: Object.fromEntries(counts), retried };
    },
  };
}

/** Phase 1's outcome as comparable text, independent of generated ids and of reference spellings (docs/live-sync.md). */
async function identityFingerprint() {
  const { rows } = await pool().query(
    `SELECT
       (SELECT count(*)::int FROM unified.employees) AS employees,
       (SELECT md5(string_agg(concat_ws('|', e.email_normalized, e.email, e.full_name, r.name_normalized, d.name_normalized, t.name_normalized,
                                        td.name_normalized, c.name_normalized, m.email_normalized, e.manager_email, e.hire_date, e.status,
                                        e.is_active, e.password_hash, e.last_login_at, e.legacy_user_id, e.legacy_person_id, e.source, e.created_at),
                              E'\\n' ORDER BY e.email_normalized))
          FROM unified.employees e
          LEFT JOIN unified.roles r ON r.id = e.role_id LEFT JOIN unified.departments d ON d.id = e.department_id
          LEFT JOIN unified.teams t ON t.id = e.team_id LEFT JOIN unified.departments td ON td.id = t.department_id
          LEFT JOIN unified.countries c ON c.id = e.country_id LEFT JOIN unified.employees m ON m.id = e.manager_id) AS employees_md5,
       (SELECT md5(string_agg(concat_ws('|', 'u', s.id, s.email, s.full_name, s.role, s.is_active, s.last_login_at, s.created_at, e.email_normalized),
                              E'\\n' ORDER BY s.id, s.email, s.full_name, s.role, s.created_at))
          FROM unified.user_source_rows s LEFT JOIN unified.employees e ON e.id = s.employee_id) AS user_rows,
       (SELECT md5(string_agg(concat_ws('|', 'p', s.id, s.email, s.name, s.department, s.team, s.manager_email, s.status, s.created_at, e.email_normalized),
                              E'\\n' ORDER BY s.id, s.email, s.name, s.department, s.created_at))
          FROM unified.person_source_rows s LEFT JOIN unified.employees e ON e.id = s.employee_id) AS person_rows,
       (SELECT count(*)::int FROM unified.merge_conflicts) AS conflicts,
       (SELECT md5(string_agg(concat_ws('|', email_normalized, field, chosen_value, chosen_source, alternative_value, alternative_source, rule),
                              E'\\n' ORDER BY email_normalized, field, alternative_source))
          FROM unified.merge_conflicts) AS conflicts_md5,
       (SELECT md5(string_agg(concat_ws('|', a.source_table, a.source_id, e.email_normalized, r.email_normalized, a.employee_email_legacy, a.auditor_email_legacy),
                              E'\\n' ORDER BY a.source_table, a.source_id))
          FROM unified.audits a LEFT JOIN unified.employees e ON e.id = a.employee_id LEFT JOIN unified.employees r ON r.id = a.auditor_id
         WHERE a.deleted_at IS NULL) AS audits,
       (SELECT md5(string_agg(concat_ws('|', x.legacy_id, r.email_normalized, e.email_normalized, x.auditor_email_legacy, x.employee_email_legacy), E'\\n' ORDER BY x.legacy_id))
          FROM unified.audit_assignments x LEFT JOIN unified.employees r ON r.id = x.auditor_id LEFT JOIN unified.employees e ON e.id = x.employee_id
         WHERE x.deleted_at IS NULL) AS assignments,
       (SELECT md5(string_agg(concat_ws('|', n.legacy_id, p.email_normalized, n.recipient_email_legacy), E'\\n' ORDER BY n.legacy_id))
          FROM unified.notifications n LEFT JOIN unified.employees p ON p.id = n.recipient_id WHERE n.deleted_at IS NULL) AS notifications`,
  );
  return rows[0];
}

async function compatDifferences() {
  const out: Record<string, [number, number]> = {};
  for (const t of ["users", "people"]) {
    const { rows } = await pool().query(
      `SELECT (SELECT count(*) FROM (SELECT * FROM public.${t} EXCEPT ALL SELECT * FROM unified.${t}_compat) x)::int AS a,
              (SELECT count(*) FROM (SELECT * FROM unified.${t}_compat EXCEPT ALL SELECT * FROM public.${t}) y)::int AS b`,
    );
    out[t] = [rows[0].a, rows[0].b];
  }
  return out;
}

async function postRunFailures(phase: number) {
  const { id } = await requestValidation({ phase, kind: "post_run", actor: TEST_LEAD, enqueue: false });
  await executeValidation(id);
  return (await validationReport(id))!.checks.flatMap((c) => c.results).filter((r) => r.status === "fail").map((r) => `${r.name}: ${r.detail}`);
}

describe("identity live sync: the legacy application keeps writing users and people during Phases 1 to 3", () => {
  const writers: ReturnType<typeof startIdentityWriter>[] = [];
  let auditTable = "";
  let scores: string[] = [];
  beforeAll(async () => {
    await seedLegacy(pool(), { audits: 3000, scorecards: 4, seed: "identity-sync" });
    const discovery = await discoverLegacy(pool(), "public");
    auditTable = discovery.scorecards[0]!.tableName;
    scores = discovery.scorecards[0]!.fields.map((f) => f.columnName);
    // A lead's decisions (recorded as conflicts.ts and conflict-rules.ts record them) stand before the run: the triggers must apply them too.
    await pool().query(`INSERT INTO console.conflict_rule_decisions (field, prefer, comment, decided_by) VALUES ('full_name', 'users', 'logins are kept current', 'lead@test')`);
    const { rows } = await pool().query(`SELECT lower(btrim(email)) AS email FROM people WHERE email IS NOT NULL ORDER BY id LIMIT 1`);
    await pool().query(`INSERT INTO console.conflict_overrides (email_normalized, field, value, comment, decided_by) VALUES ($1, 'department', 'Sales', 'moved', 'lead@test')`, [rows[0].email]);
  });
  afterAll(async () => {
    for (const w of writers.splice(0)) await w.stop();
  });

  it("every write lands, a worker killed mid-merge changes nothing, and the result is a fresh migration's", { timeout: 900_000 }, async () => {
    await approve(1);
    writers.push(startIdentityWriter(db.url(), 1, auditTable, scores), startIdentityWriter(db.url(), 2, auditTable, scores));
    // Phase 1 in a real worker process, killed with SIGKILL inside the copy or the merge, resumed here.
    const run = await requestRun(1, SYSTEM_ACTOR);
    const worker = spawn(join(process.cwd(), "node_modules", ".bin", "tsx"), ["lib/cli/main.ts", "worker"], {
      env: { ...process.env, DATABASE_URL: db.url(), UNIFY_BATCH_DELAY_MS: "60" },
      detached: true,
      stdio: "ignore",
    });
    const deadline = Date.now() + 180_000;
    for (;;) {
      if ((await mergedBuckets(run.id)) >= 6) break;
      if (Date.now() > deadline) throw new Error("the worker never got into the merge");
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(-worker.pid!, "SIGKILL");
    await new Promise((r) => worker.once("exit", r));
    let resumed: number[] = [];
    for (let tries = 0; tries < 50 && !resumed.length; tries++) {
      resumed = await resumeOrphanedRuns();
      if (!resumed.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(resumed).toEqual([run.id]);
    const phase1 = await runProgress(run.id);
    expect([phase1?.status, phase1?.error, phase1?.verification?.filter((c) => c.status === "fail").map((c) => `${c.name}: ${c.detail}`)]).toEqual(["succeeded", null, []]);

    // Phases 2 and 3 while the writers go on; then a while after.
    for (const phase of [2, 3]) {
      await approve(phase);
      const next = await requestRun(phase, SYSTEM_ACTOR);
      await executeRun(next.id);
      const progress = await runProgress(next.id);
      expect([phase, progress?.status, progress?.error]).toEqual([phase, "succeeded", null]);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const written = [];
    for (const w of writers.splice(0)) written.push(await w.stop());
    const counts: Record<string, number> = {};
    for (const w of written) for (const [k, n] of Object.entries(w.counts)) counts[k] = (counts[k] ?? 0) + n;
    // Every kind of write happened, several times.
    expect(KINDS.filter((k) => (counts[k] ?? 0) < 2)).toEqual([]);

    // Old readers see exactly the legacy tables, and every phase's own suite passes.
    expect(await compatDifferences()).toEqual({ users: [0, 0], people: [0, 0] });
    expect([auditTable, await exceptAllBothWays(pool(), auditTable)]).toEqual([auditTable, [0, 0]]);
    expect(await postRunFailures(1)).toEqual([]);
    expect(await postRunFailures(2)).toEqual([]);
    expect(await postRunFailures(3)).toEqual([]);

    // A fresh migration of the final legacy state gives the same employees, source rows, conflicts and links.
    const synced = await identityFingerprint();
    for (const phase of [3, 2, 1]) expect([phase, (await rollBack(phase)).status]).toEqual([phase, "succeeded"]);
    for (const phase of [1, 2, 3]) expect([phase, (await approveAndRun(phase)).status]).toEqual([phase, "succeeded"]);
    expect(await identityFingerprint()).toEqual(synced);
    expect(await compatDifferences()).toEqual({ users: [0, 0], people: [0, 0] });
  });
});
