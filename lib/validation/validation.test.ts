import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun, TEST_LEAD } from "@/lib/engine/testing/phases";
import { seedLegacy } from "@/lib/legacy/generator";
import { ForbiddenError } from "@/lib/auth/authorize";
import { executeValidation, requestValidation, resumeOrphanedValidations, validationReport } from "./runs";

withTestDatabase();
beforeAll(async () => {
  await seedLegacy(pool(), { audits: 3000, scorecards: 3, seed: "validation" });
});
afterAll(() => stopQueue());

async function suite(kind: "preflight" | "post_run") {
  const { id } = await requestValidation({ phase: 1, kind, actor: TEST_LEAD, enqueue: false });
  expect(await executeValidation(id)).toBe("finished");
  return (await validationReport(id))!;
}

const failing = (report: NonNullable<Awaited<ReturnType<typeof validationReport>>>) =>
  report.checks.flatMap((c) => c.results).filter((r) => r.status === "fail");

describe("Phase 1 pre-flight suite", () => {
  it("runs before anything migrated, stores every check, and warns about the legacy data's mess without failing", async () => {
    const report = await suite("preflight");
    expect(report).toMatchObject({ status: "finished", kind: "preflight" });
    expect(failing(report)).toEqual([]);
    const names = report.checks.flatMap((c) => c.results.map((r) => `${r.status} ${r.name}`));
    expect(names).toContain("warn duplicate emails in users");
    expect(report.checks.filter((c) => c.checkId.startsWith("quality:audit:"))).toHaveLength(3);
    expect(report.checks.every((c) => c.durationMs !== null)).toBe(true);
    const duplicates = report.checks.flatMap((c) => c.results).find((r) => r.name === "duplicate emails in users")!;
    expect(duplicates.samples!.length).toBeGreaterThan(0);
    expect(report.planChecksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it("an analyst cannot run a suite; the refusal is in the activity log", async () => {
    await expect(requestValidation({ phase: 1, kind: "preflight", actor: { id: null, email: "analyst@test", roles: ["analyst"] }, enqueue: false })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await prisma().activityEntry.count({ where: { action: "validation.run", outcome: "denied" } })).toBe(1);
  });
});

describe("Phase 1 post-run suite", () => {
  let runId = 0;
  beforeAll(async () => {
    const run = await approveAndRun(1);
    expect(run.status).toBe("succeeded");
    runId = run.id;
  });

  it("is the phase's post-validation: stored as a report of the run, with zero failures on a clean migration", async () => {
    const stored = await prisma().validationRun.findFirst({ where: { phaseRunId: runId } });
    expect(stored).toMatchObject({ kind: "post_run", status: "finished" });
    expect(stored!.verdict).not.toBe("fail");
    const report = await suite("post_run");
    expect(failing(report)).toEqual([]);
    expect(report.checks.map((c) => c.category)).toEqual(expect.arrayContaining(["step", "counts", "integrity"]));
  });

  it("a deleted employee fails the users count with the missing id as a sample", async () => {
    // The employee goes, with the source rows that point at it: nothing on the unified side says it was there.
    const { rows } = await pool().query(
      `WITH victim AS (SELECT min(id) AS id FROM unified.employees WHERE source = 'users' AND manager_id IS NULL
                         AND id NOT IN (SELECT manager_id FROM unified.employees WHERE manager_id IS NOT NULL)),
            sources AS (DELETE FROM unified.user_source_rows WHERE employee_id = (SELECT id FROM victim) RETURNING to_jsonb(user_source_rows) AS row)
       DELETE FROM unified.employees WHERE id = (SELECT id FROM victim)
       RETURNING legacy_user_id, to_jsonb(employees) AS row, (SELECT jsonb_agg(row) FROM sources) AS sources`,
    );
    const lost = rows[0].legacy_user_id;
    try {
      const report = await suite("post_run");
      const result = failing(report).find((r) => r.name === "users: every legacy row carried over or explained")!;
      expect(result.detail).toBe(`unexplained ids: ${lost}`);
      expect(result.samples?.[0]?.key).toBe(String(lost));
    } finally {
      await pool().query(`INSERT INTO unified.employees OVERRIDING SYSTEM VALUE SELECT * FROM jsonb_populate_record(NULL::unified.employees, $1)`, [rows[0].row]);
      await pool().query(`INSERT INTO unified.user_source_rows SELECT * FROM jsonb_populate_recordset(NULL::unified.user_source_rows, $1)`, [JSON.stringify(rows[0].sources)]);
    }
  });

  it("an extra employee claiming a legacy id that does not exist fails", async () => {
    await pool().query(`INSERT INTO unified.employees (email, email_normalized, is_active, source, legacy_user_id) VALUES ('ghost@x.com', 'ghost@x.com', true, 'users', 99999999)`);
    try {
      const report = await suite("post_run");
      expect(failing(report).map((r) => r.name)).toContain("users: no employee claims a users id that does not exist");
    } finally {
      await pool().query(`DELETE FROM unified.employees WHERE legacy_user_id = 99999999`);
    }
  });

  it("a NULL in a promised column fails integrity", async () => {
    await pool().query(`ALTER TABLE unified.employees ALTER COLUMN email DROP NOT NULL`);
    await pool().query(`UPDATE unified.employees SET email = NULL WHERE id = (SELECT min(id) FROM unified.employees)`);
    const report = await suite("post_run");
    expect(failing(report).map((r) => r.name)).toContain("no NULL where employees promises a value");
    await pool().query(`UPDATE unified.employees SET email = email_normalized WHERE email IS NULL`);
    await pool().query(`ALTER TABLE unified.employees ALTER COLUMN email SET NOT NULL`);
  });

  it("an unreported manager loop of any length fails integrity, naming exactly its members and not the chains that lead into it", async () => {
    // 80 employees in one loop (longer than any fixed walking depth a load might use), and 5 more whose chain runs into it.
    const { rows } = await pool().query<{ id: string; email: string; manager_id: string | null }>(
      `SELECT id, email_normalized AS email, manager_id FROM unified.employees ORDER BY id LIMIT 85`,
    );
    const loop = rows.slice(0, 80);
    const tail = rows.slice(80);
    const { rows: reported } = await pool().query(`SELECT * FROM unified.merge_conflicts WHERE field = 'manager_cycle'`);
    try {
      for (const [i, e] of loop.entries()) {
        await pool().query(`UPDATE unified.employees SET manager_id = $2 WHERE id = $1`, [e.id, loop[(i + 1) % loop.length]!.id]);
      }
      for (const e of tail) await pool().query(`UPDATE unified.employees SET manager_id = $2 WHERE id = $1`, [e.id, loop[0]!.id]);
      await pool().query(`DELETE FROM unified.merge_conflicts WHERE field = 'manager_cycle'`);
      const report = await suite("post_run");
      const result = report.checks.flatMap((c) => c.results).find((r) => r.name === "manager chains end, or their loops are reported")!;
      expect([result.status, result.actual]).toEqual(["fail", "80 employees in loops, 80 unreported"]);
      const named = result.detail.replace(/^in loops: /, "").split(", ");
      expect(named).toEqual(loop.map((e) => e.email).sort().slice(0, 20));
    } finally {
      for (const e of rows) await pool().query(`UPDATE unified.employees SET manager_id = $2 WHERE id = $1`, [e.id, e.manager_id]);
      await pool().query(`DELETE FROM unified.merge_conflicts WHERE field = 'manager_cycle'`);
      await pool().query(`INSERT INTO unified.merge_conflicts OVERRIDING SYSTEM VALUE SELECT * FROM jsonb_populate_recordset(NULL::unified.merge_conflicts, $1)`, [JSON.stringify(reported)]);
    }
  });

  it("an employee's email changed only in case passes: matching is on the normalised email", async () => {
    await pool().query(`UPDATE unified.employees SET email = upper(email) WHERE id = (SELECT min(id) FROM unified.employees)`);
    expect(failing(await suite("post_run"))).toEqual([]);
  });

  it("a suite runs its longest checks first, as long as the phase's latest earlier suite of its kind that ran them took; a check never timed before them", async () => {
    const earlier = await suite("post_run");
    // Durations that invert the suite's order, and one check the earlier suite did not time.
    const ids = earlier.checks.map((c) => c.checkId);
    for (const [i, id] of ids.entries()) {
      await pool().query(`UPDATE console.validation_checks SET duration_ms = $3 WHERE run_id = $1 AND check_id = $2`, [earlier.id, id, 1000 + i]);
    }
    const untimed = ids[Math.floor(ids.length / 2)]!;
    // Never timed by any earlier suite (as a check new to the suite would be).
    await pool().query(`UPDATE console.validation_checks SET duration_ms = NULL WHERE check_id = $1`, [untimed]);
    const previous = process.env.UNIFY_PARALLEL;
    process.env.UNIFY_PARALLEL = "1";
    try {
      const report = await suite("post_run");
      const { rows } = await pool().query<{ check_id: string }>(
        `SELECT check_id FROM console.validation_checks WHERE run_id = $1 ORDER BY started_at, check_id`,
        [report.id],
      );
      expect(rows.map((r) => r.check_id)).toEqual([untimed, ...ids.filter((id) => id !== untimed).reverse()]);
    } finally {
      if (previous === undefined) delete process.env.UNIFY_PARALLEL;
      else process.env.UNIFY_PARALLEL = previous;
    }
  });

  it("a suite whose worker died resumes its unfinished checks and keeps the finished ones", async () => {
    const { id } = await requestValidation({ phase: 1, kind: "post_run", actor: TEST_LEAD, enqueue: false });
    await executeValidation(id);
    const done = (await validationReport(id))!;
    // As if the worker had died after the first two checks: the rest are pending, the run is running, no lock held.
    const kept = done.checks.slice(0, 2).map((c) => c.checkId);
    await pool().query(`UPDATE console.validation_checks SET status = 'pending', results = NULL, duration_ms = NULL WHERE run_id = $1 AND check_id <> ALL($2)`, [id, kept]);
    await pool().query(`UPDATE console.validation_runs SET status = 'running', verdict = NULL, finished_at = NULL WHERE id = $1`, [id]);
    const before = await prisma().validationCheck.findMany({ where: { runId: id, checkId: { in: kept } } });
    expect(await resumeOrphanedValidations()).toContain(id);
    const resumed = (await validationReport(id))!;
    expect(resumed.status).toBe("finished");
    expect(resumed.counts.pending).toBe(0);
    const after = await prisma().validationCheck.findMany({ where: { runId: id, checkId: { in: kept } } });
    expect(after.map((c) => c.finishedAt?.getTime())).toEqual(before.map((c) => c.finishedAt?.getTime()));
  });
});

describe("content: the read-back against the legacy tables", () => {
  beforeAll(async () => {
    const { rows } = await pool().query(`SELECT to_regclass('unified.users_compat') IS NOT NULL AS ready`);
    if (!rows[0].ready) expect((await approveAndRun(1)).status).toBe("succeeded");
  });
  it("a legacy row edited after the migration (no live sync) fails content with both sides and the differing column", async () => {
    const { rows } = await pool().query(`SELECT id, full_name FROM users WHERE full_name IS NOT NULL ORDER BY id LIMIT 1`);
    // Live sync off for this edit (Phase 1's trigger on users would carry it over otherwise).
    await pool().query(`ALTER TABLE users DISABLE TRIGGER unify_sync`);
    await pool().query(`UPDATE users SET full_name = full_name || ' (edited)' WHERE id = $1`, [rows[0].id]);
    try {
      const report = await suite("post_run");
      const content = failing(report).find((r) => r.name === "users_compat returns exactly the rows of users")!;
      expect(content.actual).toMatch(/0 missing, 0 extra, 1 changed/);
      expect(content.samples?.[0]).toMatchObject({ key: String(rows[0].id), columns: ["full_name"], left: { full_name: `${rows[0].full_name} (edited)` }, right: { full_name: rows[0].full_name } });
    } finally {
      await pool().query(`UPDATE users SET full_name = $2 WHERE id = $1`, [rows[0].id, rows[0].full_name]);
      await pool().query(`ALTER TABLE users ENABLE TRIGGER unify_sync`);
    }
    expect(failing(await suite("post_run"))).toEqual([]);
  });
});
