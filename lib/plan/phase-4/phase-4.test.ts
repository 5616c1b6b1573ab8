import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { refreshAnalytics, scheduledRefresh } from "@/lib/analytics/refresh";
import { resumeSchedule, schedulePause } from "@/lib/analytics/schedule-pause";
import { pool } from "@/lib/db/pool";
import { compareSchemaToCatalog } from "@/lib/db/schema-agreement";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { rollbackToLegacy } from "@/lib/flags/store";
import { approveAndRun, catalogSnapshot, rollBack } from "@/lib/engine/testing/phases";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";
import { compatViewName } from "../phase-2/audit-columns";
import { legacyChecksums } from "../phase-2/testing";

withTestDatabase();
afterAll(() => stopQueue());

/**
 * Hand-built: NULL scores (a field not scored, a draft without a total), a month with one audit,
 * bob auditing on two scorecards, cat on one, assignments matched and unmatched.
 */
const LEGACY = `
${LEGACY_TABLES_DDL}
INSERT INTO users (id, email, password_hash, full_name, role, is_active, created_at) VALUES
  (1, 'ana@example.com', 'h', 'Ana Silva', 'Agent', true, '2024-01-01'),
  (2, 'bob@example.com', 'h', 'Bob Stone', 'Supervisor', true, '2024-01-01'),
  (3, 'cat@example.com', 'h', 'Cat Reyes', 'Supervisor', true, '2024-01-01'),
  (4, 'dan@example.com', 'h', 'Dan Wu', 'Agent', true, '2024-01-01');
CREATE TABLE chat_audit (id bigserial PRIMARY KEY, employee_email text, auditor_email text, audit_date date, status text, total_score numeric,
  comments text, created_at timestamptz, updated_at timestamptz, tone integer, accuracy integer);
INSERT INTO scorecards (id, name, table_name, channel, passing_score) VALUES (1, 'Email', 'email_audit', 'Email', 80), (2, 'Chat', 'chat_audit', 'Chat', 70);
INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position) VALUES
  (1, 'greeting', 'greeting', 'Greeting', 5, 1, 1), (2, 'tone', 'tone', 'Tone', 5, 1, 1), (2, 'accuracy', 'accuracy', 'Accuracy', 10, 1, 2);
INSERT INTO email_audit (id, employee_email, auditor_email, audit_date, status, total_score, greeting) VALUES
  (1, 'ana@example.com', 'bob@example.com', '2024-03-01', 'done', 90, 5),
  (2, 'ana@example.com', 'bob@example.com', '2024-03-20', 'done', 70, NULL),
  (3, 'ana@example.com', 'cat@example.com', '2024-03-21', 'draft', NULL, 3),
  (4, 'dan@example.com', 'cat@example.com', '2024-03-05', 'done', 85, 4),
  (5, 'dan@example.com', 'bob@example.com', '2024-05-09', 'done', 60, 2),
  (6, 'ana@example.com', NULL, '2024-03-07', 'done', 75, 1),
  (7, 'dan@example.com', 'cat@example.com', NULL, 'done', 88, 5);
INSERT INTO chat_audit (id, employee_email, auditor_email, audit_date, status, total_score, tone, accuracy) VALUES
  (1, 'ana@example.com', 'bob@example.com', '2024-03-02', 'done', 72, 4, NULL),
  (2, 'ana@example.com', 'cat@example.com', '2024-03-03', 'done', 64, NULL, NULL),
  (3, 'dan@example.com', 'bob@example.com', '2024-04-30', 'done', 99, 5, 10);
INSERT INTO audit_assignments (id, auditor_email, employee_email, scorecard_table, due_date, status, created_at) VALUES
  (1, 'bob@example.com', 'ana@example.com', 'email_audit', '2024-03-10', 'done', '2024-02-25 23:30+00'),
  (2, 'bob@example.com', 'ana@example.com', 'email_audit', '2024-03-25', 'done', '2024-03-15 09:00+00'),
  (3, 'cat@example.com', 'dan@example.com', 'email_audit', '2024-03-10', 'done', '2024-03-01 00:10+00'),
  (4, 'bob@example.com', 'dan@example.com', 'chat_audit', '2024-05-30', 'open', '2024-05-01 00:00+00'),
  (5, 'bob@example.com', 'dan@example.com', 'chat_audit', '2024-04-30', 'done', '2024-04-10 00:00+00');
`;

const LEGACY_TABLES = ["users", "people", "scorecards", "scorecard_fields", "email_audit", "chat_audit", "audit_assignments", "notifications"];

async function stats() {
  const { rows } = await pool().query(
    `SELECT e.email, c.name AS scorecard, to_char(s.month, 'YYYY-MM') AS month, s.audit_count, s.scored_count, s.avg_total::float8 AS avg,
            s.min_total::float8 AS min, s.max_total::float8 AS max, s.passed_count, s.judged_count, s.pass_rate::float8 AS pass_rate,
            (SELECT jsonb_object_agg(f.key, f.total / NULLIF(f.scored, 0)) FROM unnest(s.field_keys, s.field_sums, s.field_counts) AS f(key, total, scored)) AS field_averages
       FROM unified.audit_statistics s JOIN unified.employees e ON e.id = s.employee_id JOIN unified.scorecards c ON c.id = s.scorecard_id
      ORDER BY 1, 2, 3`,
  );
  return rows;
}

async function performance() {
  const { rows } = await pool().query(
    `SELECT e.email, to_char(p.month, 'YYYY-MM') AS month, p.audit_count, p.scored_count, p.scorecard_count, p.avg_score::float8 AS avg,
            round(p.calibration_deviation, 6)::float8 AS deviation, round(p.score_stddev, 6)::float8 AS spread, p.turnaround_count,
            p.turnaround_median_days::float8 AS turnaround
       FROM unified.auditor_performance p JOIN unified.employees e ON e.id = p.auditor_id ORDER BY 1, 2`,
  );
  return rows;
}

describe("Phase 4 on hand-built data", () => {
  let afterPhase3: string[] = [];
  let legacyBefore: Record<string, string> = {};
  let run: Awaited<ReturnType<typeof approveAndRun>>;
  beforeAll(async () => {
    await pool().query(LEGACY);
    for (const phase of [1, 2, 3]) expect((await approveAndRun(phase)).status).toBe("succeeded");
    legacyBefore = await legacyChecksums(pool(), LEGACY_TABLES);
    afterPhase3 = await catalogSnapshot(pool());
    run = await approveAndRun(4);
  });

  it("succeeds with its post-run suite passing", () => {
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.verification?.filter((c) => c.status === "fail")).toEqual([]);
  });

  it("audit_statistics: every figure by hand — NULL scores left out of averages, a one-audit month, the undated audit nowhere", async () => {
    expect(await stats()).toEqual([
      { email: "ana@example.com", scorecard: "Chat", month: "2024-03", audit_count: 2, scored_count: 2, avg: 68, min: 64, max: 72, passed_count: 1, judged_count: 2, pass_rate: 0.5, field_averages: { tone: 4, accuracy: null } },
      { email: "ana@example.com", scorecard: "Email", month: "2024-03", audit_count: 4, scored_count: 3, avg: 235 / 3, min: 70, max: 90, passed_count: 1, judged_count: 3, pass_rate: 1 / 3, field_averages: { greeting: 3 } },
      { email: "dan@example.com", scorecard: "Chat", month: "2024-04", audit_count: 1, scored_count: 1, avg: 99, min: 99, max: 99, passed_count: 1, judged_count: 1, pass_rate: 1, field_averages: { tone: 5, accuracy: 10 } },
      { email: "dan@example.com", scorecard: "Email", month: "2024-03", audit_count: 1, scored_count: 1, avg: 85, min: 85, max: 85, passed_count: 1, judged_count: 1, pass_rate: 1, field_averages: { greeting: 4 } },
      { email: "dan@example.com", scorecard: "Email", month: "2024-05", audit_count: 1, scored_count: 1, avg: 60, min: 60, max: 60, passed_count: 0, judged_count: 1, pass_rate: 0, field_averages: { greeting: 2 } },
    ]);
  });

  it("auditor_performance: calibration against every auditor on the same scorecard and month, turnaround by the first audit on or after the assignment", async () => {
    // March, Email, audits by auditors with a total: bob 90, 70; cat 85 → mean 245/3. Chat: bob 72, cat 64 → mean 68.
    const emailMean = 245 / 3;
    const bobMarch = ((90 - emailMean) + (70 - emailMean) + (72 - 68)) / 3;
    const catMarch = ((85 - emailMean) + (64 - 68)) / 2;
    const round = (x: number) => Math.round(x * 1e6) / 1e6;
    const spread = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return round(Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length));
    };
    expect(await performance()).toEqual([
      // assignment 1 (created 2024-02-25 UTC) → email 1 on 03-01: 5 days; assignment 2 (03-15) → email 2 on 03-20: 5 days.
      { email: "bob@example.com", month: "2024-03", audit_count: 3, scored_count: 3, scorecard_count: 2, avg: 232 / 3, deviation: round(bobMarch), spread: spread([90, 70, 72]), turnaround_count: 2, turnaround: 5 },
      // assignment 5 (04-10) → chat 3 on 04-30: 20 days. Alone on Chat in April: no deviation.
      { email: "bob@example.com", month: "2024-04", audit_count: 1, scored_count: 1, scorecard_count: 1, avg: 99, deviation: 0, spread: 0, turnaround_count: 1, turnaround: 20 },
      // assignment 4 (chat, 05-01) has no chat audit after it: unmatched. The Email audit of May is alone: no deviation.
      { email: "bob@example.com", month: "2024-05", audit_count: 1, scored_count: 1, scorecard_count: 1, avg: 60, deviation: 0, spread: 0, turnaround_count: 0, turnaround: null },
      // assignment 3 (03-01) → email 4 on 03-05: 4 days. The draft without a total counts as given, not as scored.
      { email: "cat@example.com", month: "2024-03", audit_count: 3, scored_count: 2, scorecard_count: 2, avg: 74.5, deviation: round(catMarch), spread: spread([85, 64]), turnaround_count: 1, turnaround: 4 },
    ]);
  });

  it("auditor_running_totals: each auditor's sums up to every month from their first to the last of anyone's; the auditors page reads any range from them", async () => {
    const { rows } = await pool().query(
      `SELECT e.email, to_char(r.month, 'YYYY-MM') AS month, r.audit_count::int AS audits, r.scored_count::int AS scored, r.score_sum::float8 AS sum,
              r.score_sum_squares::float8 AS squares, r.turnaround_count::int AS matched
         FROM unified.auditor_running_totals r JOIN unified.employees e ON e.id = r.auditor_id ORDER BY 1, 2`,
    );
    const bob = { email: "bob@example.com" };
    const cat = { email: "cat@example.com" };
    expect(rows).toEqual([
      { ...bob, month: "2024-03", audits: 3, scored: 3, sum: 232, squares: 90 ** 2 + 70 ** 2 + 72 ** 2, matched: 2 },
      { ...bob, month: "2024-04", audits: 4, scored: 4, sum: 331, squares: 90 ** 2 + 70 ** 2 + 72 ** 2 + 99 ** 2, matched: 3 },
      { ...bob, month: "2024-05", audits: 5, scored: 5, sum: 391, squares: 90 ** 2 + 70 ** 2 + 72 ** 2 + 99 ** 2 + 60 ** 2, matched: 3 },
      // cat gave nothing after March: her totals carry on to May, the last month of anyone's.
      { ...cat, month: "2024-03", audits: 3, scored: 2, sum: 149, squares: 85 ** 2 + 64 ** 2, matched: 1 },
      { ...cat, month: "2024-04", audits: 3, scored: 2, sum: 149, squares: 85 ** 2 + 64 ** 2, matched: 1 },
      { ...cat, month: "2024-05", audits: 3, scored: 2, sum: 149, squares: 85 ** 2 + 64 ** 2, matched: 1 },
    ]);
    const { auditors } = await import("@/lib/analytics/queries");
    const page = async (from: string | null, to: string | null, department: number | null = null) => {
      const data = await auditors({ from, to, scorecard: null, channel: null, department, team: null }, { sort: "audits", dir: "desc" });
      if (!data.ready) throw new Error(data.missing);
      return { total: data.total, rows: data.rows.map((r) => [r.email, r.audits, r.avgScore, r.turnaround, r.matched]), busiest: data.busiest.map((r) => r.email) };
    };
    const everything = { total: 2, rows: [["bob@example.com", 5, 391 / 5, 5, 3], ["cat@example.com", 3, 74.5, 4, 1]], busiest: ["bob@example.com", "cat@example.com"] };
    expect(await page(null, null)).toEqual(everything);
    expect(await page("2024-03", "2024-05")).toEqual(everything);
    expect(await page("2023-01", "2030-12")).toEqual(everything);
    // From April: bob's April and May (March subtracted), cat's nothing.
    expect(await page("2024-04", "2024-05")).toEqual({ total: 1, rows: [["bob@example.com", 2, 79.5, 20, 1]], busiest: ["bob@example.com"] });
    expect(await page("2024-04", "2024-04")).toEqual({ total: 1, rows: [["bob@example.com", 1, 99, 20, 1]], busiest: ["bob@example.com"] });
    expect(await page(null, "2024-03")).toEqual({ total: 2, rows: [["bob@example.com", 3, 232 / 3, 5, 2], ["cat@example.com", 3, 74.5, 4, 1]], busiest: ["bob@example.com", "cat@example.com"] });
    // Ranges before the first month and after the last have no auditor, not everyone's totals.
    expect(await page("2023-01", "2024-02")).toEqual({ total: 0, rows: [], busiest: [] });
    expect(await page("2024-06", "2030-12")).toEqual({ total: 0, rows: [], busiest: [] });
  });

  it("stores EXPLAIN (ANALYZE, BUFFERS) evidence for every main page query", async () => {
    const { rows } = await pool().query(`SELECT query, plan FROM console.analytics_index_evidence ORDER BY query`);
    expect(rows.map((r) => r.query)).toEqual(["auditor", "auditors", "auditors-by-name", "auditors-named", "auditors-packed", "employee", "overview-department", "overview-scorecard", "overview-volume"]);
    for (const r of rows) expect(r.plan).toMatch(/Execution Time/);
  });

  it("after inserts, updates and deletes, an incremental refresh equals a full recomputation and the direct aggregates", async () => {
    const u = "unified";
    await pool().query(`INSERT INTO ${u}.audits (scorecard_id, channel_id, employee_id, auditor_id, audit_date, status, total_score, passed, parameter_scores, source_table, source_id)
      SELECT scorecard_id, channel_id, employee_id, auditor_id, '2024-06-02', 'done', 50, false, '{"greeting": 1}', source_table, 1000 FROM ${u}.audits WHERE source_table = 'email_audit' AND source_id = 1`);
    await pool().query(`UPDATE ${u}.audits SET total_score = 95, passed = true, parameter_scores = '{"greeting": null}' WHERE source_table = 'email_audit' AND source_id = 2`);
    await pool().query(`UPDATE ${u}.audits SET audit_date = '2024-04-01' WHERE source_table = 'chat_audit' AND source_id = 2`);
    await pool().query(`UPDATE ${u}.audits SET deleted_at = now() WHERE source_table = 'email_audit' AND source_id = 4`);
    await pool().query(`DELETE FROM ${u}.audits WHERE source_table = 'chat_audit' AND source_id = 3`);
    await pool().query(`UPDATE ${u}.audit_assignments SET created_at = '2024-03-02 00:00+00' WHERE legacy_id = 1`);
    const outcome = await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli", batchChanges: 2 });
    expect(outcome.batches).toBeGreaterThan(1);
    const incremental = { s: await stats(), p: await performance() };
    const { runSuite } = await import("./testing");
    expect(await runSuite()).toEqual([]);
    await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli", mode: "full" });
    expect({ s: await stats(), p: await performance() }).toEqual(incremental);
    const { rows } = await pool().query(`SELECT mode, status, batches, changes, statistics_groups, auditor_months FROM console.analytics_refreshes ORDER BY id`);
    expect(rows[0]).toMatchObject({ mode: "incremental", status: "succeeded", changes: expect.any(Number) });
    expect(rows[0].statistics_groups).toBeGreaterThan(0);
    expect(rows[1]).toMatchObject({ mode: "full", status: "succeeded" });
  });

  it("the post-run suite catches a wrong figure in each summary and a missing group", async () => {
    const { runSuite } = await import("./testing");
    expect(await runSuite()).toEqual([]);
    const db = await pool().connect();
    try {
      await db.query("BEGIN");
      const card = (table: string) => `(SELECT id FROM unified.scorecards WHERE source_table = '${table}')`;
      await db.query(`UPDATE unified.audit_statistics SET max_total = max_total + 1 WHERE ctid = (SELECT min(ctid) FROM unified.audit_statistics WHERE scorecard_id = ${card("email_audit")})`);
      const { rows: wrong } = await db.query(`UPDATE unified.audit_statistics SET field_sums[1] = field_sums[1] + 1 WHERE ctid = (SELECT max(ctid) FROM unified.audit_statistics WHERE scorecard_id = ${card("chat_audit")} AND field_counts[1] > 0) RETURNING employee_id, month::text`);
      // One group stored with its fields in reverse order (as a group computed under another registry order would be): same figures, no difference.
      const { rows: reversed } = await db.query(
        `UPDATE unified.audit_statistics s SET field_keys = r.keys, field_sums = r.sums, field_counts = r.counts
           FROM (SELECT s2.ctid AS at, array_agg(k ORDER BY o DESC) AS keys, array_agg(su ORDER BY o DESC) AS sums, array_agg(c ORDER BY o DESC) AS counts
                   FROM (SELECT ctid, * FROM unified.audit_statistics WHERE scorecard_id = ${card("chat_audit")} AND (employee_id, month) <> ($1, $2::date) ORDER BY ctid LIMIT 1) s2,
                        unnest(s2.field_keys, s2.field_sums, s2.field_counts) WITH ORDINALITY u(k, su, c, o) GROUP BY s2.ctid) r
          WHERE s.ctid = r.at RETURNING s.field_keys`,
        [wrong[0].employee_id, wrong[0].month],
      );
      expect(reversed).toHaveLength(1);
      // A group of a month without audits, and a group of a scorecard that does not exist.
      await db.query(`INSERT INTO unified.audit_statistics (employee_id, scorecard_id, channel_id, month, audit_count, scored_count, total_sum, avg_total, min_total, max_total, passed_count, judged_count, pass_rate, field_keys, field_sums, field_counts)
        SELECT employee_id, scorecard_id, channel_id, DATE '1990-01-01', audit_count, scored_count, total_sum, avg_total, min_total, max_total, passed_count, judged_count, pass_rate, field_keys, field_sums, field_counts
          FROM unified.audit_statistics WHERE ctid = (SELECT max(ctid) FROM unified.audit_statistics WHERE scorecard_id = ${card("email_audit")})`);
      await db.query(`INSERT INTO unified.audit_statistics (employee_id, scorecard_id, channel_id, month, audit_count, scored_count, passed_count, judged_count, field_keys, field_sums, field_counts)
        VALUES (1, 999999, NULL, DATE '2024-01-01', 1, 0, 0, 0, '{}', '{}', '{}')`);
      await db.query(`UPDATE unified.auditor_performance SET audit_count = audit_count + 1 WHERE ctid = (SELECT min(ctid) FROM unified.auditor_performance)`);
      await db.query(`UPDATE unified.scorecard_month_totals SET passed_count = passed_count + 1 WHERE ctid = (SELECT min(ctid) FROM unified.scorecard_month_totals)`);
      await db.query(`DELETE FROM unified.scorecard_month_statistics WHERE ctid = (SELECT min(ctid) FROM unified.scorecard_month_statistics)`);
      await db.query(`DELETE FROM unified.auditor_running_totals WHERE ctid = (SELECT max(ctid) FROM unified.auditor_running_totals)`);
      await db.query(`UPDATE unified.auditor_running_totals SET score_sum = score_sum + 1 WHERE ctid = (SELECT min(ctid) FROM unified.auditor_running_totals)`);
      // The first auditor of the first packed month given 12,345 audits (its second double).
      await db.query(`UPDATE unified.auditor_month_vectors SET data = overlay(data PLACING float8send(12345::float8) FROM 9 FOR 8)
        WHERE month = (SELECT min(month) FROM unified.auditor_month_vectors)`);
      const ctx = await (await import("../plan")).planContext(db);
      const failing: Record<string, string> = {};
      for (const check of (await import("@/lib/validation/checks/phase-4")).phase4PostRunChecks(ctx)) {
        for (const r of await check.run(db, ctx)) if (r.status !== "pass") failing[r.name] = r.actual;
      }
      expect(failing).toEqual({
        "audit_statistics of email_audit: every group equals the direct aggregate": "1 group missing or different, 1 extra, 0 audits with a field key the registry lacks",
        "audit_statistics of chat_audit: every group equals the direct aggregate": "1 group missing or different, 0 extra, 0 audits with a field key the registry lacks",
        "audit_statistics of every other scorecard: every group equals the direct aggregate": "0 groups missing or different, 1 extra, 0 audits with a field key the registry lacks",
        "auditor_performance: every auditor month equals the direct aggregate": "1 missing or different, 1 extra",
        "auditor_running_totals: every auditor's running total equals the direct aggregate": "2 missing or different, 1 extra",
        // That changed auditor, and the running total deleted above (still packed).
        "auditor_month_vectors: every auditor of every month holds its running totals": "1 missing or different, 2 extra",
        "scorecard_month_totals: every group equals the direct aggregate": "1 missing or different, 1 extra",
        "scorecard_month_statistics: every group equals the direct aggregate": "1 missing or different, 0 extra",
      });
    } finally {
      await db.query("ROLLBACK");
      db.release();
    }
    expect(await runSuite()).toEqual([]);
  });

  it("Roll back to legacy pauses the scheduled refresh until an admin resumes it; an admin's refresh still runs", async () => {
    const admin = { id: null, email: "admin@test", roles: ["admin" as const] };
    const lead = { id: null, email: "lead@test", roles: ["lead" as const] };
    const changed = () => pool().query(`UPDATE unified.audits SET total_score = total_score + 1 WHERE source_table = 'email_audit' AND source_id = 1`);
    expect(await schedulePause()).toBeNull();
    const rolledBack = await rollbackToLegacy({ actor: admin, confirmation: "legacy" });
    expect(rolledBack.pausedJobs).toEqual(["the scheduled analytics refresh"]);
    expect(await schedulePause()).toMatchObject({ pausedBy: "admin@test", reason: "Roll back to legacy" });
    const logged = await pool().query(`SELECT detail FROM console.activity_log WHERE action = 'flag.rollback_legacy' ORDER BY id DESC LIMIT 1`);
    expect(logged.rows[0].detail.pausedJobs).toEqual(["the scheduled analytics refresh"]);
    // A second rollback keeps the first pause and pauses nothing more.
    expect((await rollbackToLegacy({ actor: admin, confirmation: "legacy" })).pausedJobs).toEqual([]);

    await changed();
    const before = await pool().query(`SELECT count(*)::int AS n FROM console.analytics_refreshes`);
    expect(await scheduledRefresh("schedule")).toBeNull();
    expect((await pool().query(`SELECT count(*)::int AS n FROM console.analytics_refreshes`)).rows[0].n).toBe(before.rows[0].n);
    expect(await scheduledRefresh("admin", "admin@test")).toMatchObject({ statisticsGroups: 1 });

    await expect(resumeSchedule(lead)).rejects.toMatchObject({ name: "ForbiddenError" });
    expect(await schedulePause()).not.toBeNull();
    expect(await resumeSchedule(admin)).toBe(true);
    expect(await schedulePause()).toBeNull();
    expect(await resumeSchedule(admin)).toBe(false);
    await changed();
    expect(await scheduledRefresh("schedule")).toMatchObject({ statisticsGroups: 1 });
    const resumed = await pool().query(`SELECT actor_email, detail FROM console.activity_log WHERE action = 'analytics.resume_schedule'`);
    expect(resumed.rows).toEqual([{ actor_email: "admin@test", detail: { pausedBy: "admin@test", reason: "Roll back to legacy" } }]);
  });

  it("schema.prisma models the summaries and the change log", async () => {
    const dynamic = ["email_audit", "chat_audit"].map(compatViewName);
    expect(await compareSchemaToCatalog(pool(), { everyUnifiedRelationExcept: dynamic })).toEqual([]);
  });

  it("rolls back to exactly the catalog after Phase 3, legacy tables byte-identical", async () => {
    expect((await rollBack(4)).status).toBe("succeeded");
    expect(await catalogSnapshot(pool())).toEqual(afterPhase3);
    expect(await legacyChecksums(pool(), LEGACY_TABLES)).toEqual(legacyBefore);
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM console.analytics_index_evidence`);
    expect(rows[0].n).toBe(0);
  });
});
