import { register as globalRegistry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { qualified } from "@/lib/db/sql";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun, TEST_LEAD } from "@/lib/engine/testing/phases";
import { createApiKey, revokeApiKey } from "@/lib/flags/api-keys";
import { seedLegacy } from "@/lib/legacy/generator";
import { executeValidation, requestValidation } from "@/lib/validation/runs";
import { GET } from "@/app/api/metrics/route";
import { parseExposition, series, value, type Exposition } from "./testing/exposition";

withTestDatabase();
afterAll(() => stopQueue());

const ADMIN = { id: null, email: "admin@test", roles: ["admin" as const] };
// A scorecard table whose name needs every escape of the text format: a backslash, quotes, a newline.
const ODD_TABLE = 'odd\\table "quoted"\nnext_audit';
let key = "";

async function scrape(headers: Record<string, string>): Promise<Response> {
  return GET(new Request("http://unify.test/api/metrics", { headers }));
}

async function metrics(): Promise<Exposition> {
  const response = await scrape({ Authorization: `Bearer ${key}` });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

beforeAll(async () => {
  await seedLegacy(pool(), { audits: 1500, scorecards: 3, seed: "metrics" });
  await pool().query(
    `CREATE TABLE ${qualified("public", ODD_TABLE)} (id bigserial PRIMARY KEY, employee_email text, auditor_email text, audit_date date, status text,
       total_score numeric, comments text, created_at timestamptz, updated_at timestamptz, q1 integer)`,
  );
  await pool().query(
    `INSERT INTO ${qualified("public", ODD_TABLE)} (employee_email, auditor_email, audit_date, status, total_score, q1)
     SELECT email, email, date '2025-01-01' + g, 'completed', 80 + g, g FROM (SELECT email FROM users ORDER BY id LIMIT 1) u, generate_series(1, 3) g`,
  );
  const { rows } = await pool().query(`INSERT INTO scorecards (name, table_name, channel, passing_score) VALUES ('Odd', $1, 'chat', 80) RETURNING id`, [ODD_TABLE]);
  await pool().query(`INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position) VALUES ($1, 'q1', 'q1', 'Q1', 5, 1, 1)`, [rows[0].id]);
  key = (await createApiKey({ name: "prometheus", actor: ADMIN })).key;
});

describe("GET /api/metrics", () => {
  it("refuses a request without a key, with a wrong one and with a revoked one (401)", async () => {
    const refused: Record<string, string>[] = [{}, { Authorization: "Bearer unify_wrong" }, { "X-API-Key": "unify_wrong" }, { Authorization: "Basic abc" }];
    for (const headers of refused) {
      const response = await scrape(headers);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("Bearer");
      expect(await response.text()).not.toContain("unify_");
    }
    const spare = (await createApiKey({ name: "spare", actor: ADMIN })).key;
    expect((await scrape({ "X-API-Key": spare })).status).toBe(200);
    await revokeApiKey({ name: "spare", actor: ADMIN });
    expect((await scrape({ "X-API-Key": spare })).status).toBe(401);
  });

  it("before any phase: every phase not started, no run, no validation, analytics not ready", async () => {
    const m = await metrics();
    for (const phase of ["1", "2", "3", "4", "5"]) expect(value(m, "unify_phase_status", { phase, status: "not_started" })).toBe(1);
    expect(series(m, "unify_run_info")).toEqual([]);
    expect(series(m, "unify_validation_result")).toEqual([]);
    expect(value(m, "unify_analytics_ready")).toBe(0);
    expect(series(m, "unify_analytics_age_seconds")).toEqual([]);
    expect(series(m, "unify_analytics_as_of_timestamp_seconds")).toEqual([]);
    expect(series(m, "unify_live_sync_last_write_timestamp_seconds")).toEqual([]);
    expect(value(m, "unify_live_sync_tables", { phase: "2" })).toBe(0);
    expect(value(m, "unify_live_sync_writes_applied_total")).toBe(0);
    expect(m.types.get("unify_live_sync_writes_applied_total")).toBe("counter");
    expect(m.types.get("unify_run_rows_done")).toBe("gauge");
  });

  it("after Phases 1-3: runs, steps and units with their rows, validation verdicts, live sync on with no lag", { timeout: 300_000 }, async () => {
    for (const phase of [1, 2, 3]) expect((await approveAndRun(phase)).status).toBe("succeeded");
    const m = await metrics();
    for (const phase of ["1", "2", "3"]) {
      expect(value(m, "unify_phase_status", { phase, status: "succeeded" })).toBe(1);
      expect(value(m, "unify_phase_status", { phase, status: "not_started" })).toBe(0);
      const [info] = series(m, "unify_run_info", { phase, kind: "run", status: "succeeded" });
      expect(info?.value).toBe(1);
      const run = { phase, run: info!.labels.run!, kind: "run" };
      expect(value(m, "unify_run_rows_done", run)).toBe(value(m, "unify_run_rows_total", run));
      expect(value(m, "unify_run_rows_per_second", run)).toBeGreaterThan(0);
      expect(series(m, "unify_run_eta_seconds", run)).toEqual([]);
      expect(series(m, "unify_run_heartbeat_age_seconds", run)).toEqual([]);
      for (const kind of ["preflight", "post_run"]) {
        const verdicts = Object.fromEntries(series(m, "unify_validation_result", { phase, kind }).map((s) => [s.labels.verdict, s.value]));
        const { rows: last } = await pool().query<{ id: number; verdict: string }>(
          `SELECT id, verdict FROM console.validation_runs WHERE phase = $1 AND kind = $2 AND status = 'finished' ORDER BY id DESC LIMIT 1`,
          [Number(phase), kind],
        );
        // The generated data has warnings (conflicts a lead acknowledges), never a failure.
        expect({ phase, kind, ...verdicts }).toEqual({ phase, kind, pass: 0, warn: 0, fail: 0, [last[0]!.verdict]: 1 });
        expect(last[0]!.verdict).not.toBe("fail");
        expect(value(m, "unify_validation_suite_id", { phase, kind })).toBe(last[0]!.id);
        expect(value(m, "unify_validation_checks", { phase, kind, status: "fail" })).toBe(0);
        expect(value(m, "unify_validation_checks", { phase, kind, status: "pass" })).toBeGreaterThan(0);
        expect(value(m, "unify_validation_finished_timestamp_seconds", { phase, kind })).toBeGreaterThan(Date.now() / 1000 - 600);
      }
    }
    // Phase 2's load has one unit per audit table: the odd name comes back exactly, escaped and unescaped.
    const { rows } = await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${qualified("public", ODD_TABLE)}`);
    const odd = series(m, "unify_unit_rows_done", { phase: "2", step: "load-audits", unit: ODD_TABLE });
    expect(odd.map((s) => s.value)).toEqual([rows[0]!.n]);
    const units = series(m, "unify_unit_rows_done", { phase: "2", step: "load-audits" });
    const { rows: audits } = await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM unified.audits`);
    expect(units.reduce((sum, u) => sum + u.value, 0)).toBe(audits[0]!.n);
    expect(series(m, "unify_unit_rows_per_second", { phase: "2", step: "load-audits", unit: ODD_TABLE })[0]!.value).toBeGreaterThan(0);

    expect(value(m, "unify_live_sync_tables", { phase: "2" })).toBe(4);
    expect(value(m, "unify_live_sync_triggers_on", { phase: "2" })).toBe(4);
    expect(value(m, "unify_live_sync_tables", { phase: "3" })).toBe(2);
    expect(value(m, "unify_live_sync_triggers_on", { phase: "3" })).toBe(2);
    expect(series(m, "unify_live_sync_lag_rows").map((s) => s.value)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(value(m, "unify_live_sync_lag_rows", { phase: "2", table: ODD_TABLE })).toBe(0);
  });

  it("counts the writes live sync applies, and shows lag on a table whose trigger is off", async () => {
    const before = value(await metrics(), "unify_live_sync_writes_applied_total");
    const odd = qualified("public", ODD_TABLE);
    const { rows: human } = await pool().query<{ email: string }>(`SELECT email FROM users ORDER BY id LIMIT 1`);
    await pool().query(`INSERT INTO ${odd} (employee_email, auditor_email, audit_date, status, total_score, q1) VALUES ($1, $1, '2025-02-01', 'completed', 90, 4)`, [human[0]!.email]);
    await pool().query(`UPDATE ${odd} SET total_score = 91 WHERE id = 1`);
    let m = await metrics();
    expect(value(m, "unify_live_sync_writes_applied_total")).toBe(before + 2);
    expect(value(m, "unify_live_sync_last_write_timestamp_seconds")).toBeGreaterThan(Date.now() / 1000 - 60);
    const sides = async () =>
      (
        await pool().query(
          `SELECT (SELECT max(id)::int FROM ${odd}) AS legacy, (SELECT max(source_id)::int FROM unified.audits WHERE source_table = $1) AS unified`,
          [ODD_TABLE],
        )
      ).rows[0];
    expect({ lag: value(m, "unify_live_sync_lag_rows", { phase: "2", table: ODD_TABLE }), ...(await sides()) }).toEqual({ lag: 0, legacy: 4, unified: 4 });

    await pool().query(`ALTER TABLE ${odd} DISABLE TRIGGER unify_sync`);
    try {
      await pool().query(`INSERT INTO ${odd} (employee_email, audit_date, status, total_score, q1) SELECT $1, '2025-03-01', 'completed', 70, 1 FROM generate_series(1, 2)`, [human[0]!.email]);
      m = await metrics();
      expect(value(m, "unify_live_sync_trigger_on", { phase: "2", table: ODD_TABLE })).toBe(0);
      expect(value(m, "unify_live_sync_triggers_on", { phase: "2" })).toBe(3);
      expect({ lag: value(m, "unify_live_sync_lag_rows", { phase: "2", table: ODD_TABLE }), ...(await sides()) }).toEqual({ lag: 2, legacy: 6, unified: 4 });
      expect(value(m, "unify_live_sync_writes_applied_total")).toBe(before + 2);
      // Phase 2's post-run suite sees the rows missing on the unified side: the verdict is fail.
      const { id } = await requestValidation({ phase: 2, kind: "post_run", actor: TEST_LEAD, enqueue: false });
      await executeValidation(id);
      m = await metrics();
      expect(value(m, "unify_validation_suite_id", { phase: "2", kind: "post_run" })).toBe(id);
      expect(value(m, "unify_validation_result", { phase: "2", kind: "post_run", verdict: "fail" })).toBe(1);
      expect(value(m, "unify_validation_result", { phase: "2", kind: "post_run", verdict: "pass" })).toBe(0);
      expect(value(m, "unify_validation_checks", { phase: "2", kind: "post_run", status: "fail" })).toBeGreaterThan(0);
    } finally {
      await pool().query(`DELETE FROM ${odd} WHERE audit_date = '2025-03-01'`);
      await pool().query(`ALTER TABLE ${odd} ENABLE TRIGGER unify_sync`);
    }
  });

  it("after Phase 4: analytics ready and fresh; a new audit waits for the next refresh", { timeout: 300_000 }, async () => {
    expect((await approveAndRun(4)).status).toBe("succeeded");
    let m = await metrics();
    expect(value(m, "unify_analytics_ready")).toBe(1);
    expect(value(m, "unify_analytics_age_seconds")).toBeLessThan(600);
    expect(value(m, "unify_analytics_as_of_timestamp_seconds")).toBeGreaterThan(Date.now() / 1000 - 600);
    expect(value(m, "unify_analytics_pending_changes")).toBe(0);
    expect(value(m, "unify_analytics_refreshing")).toBe(0);
    expect(value(m, "unify_analytics_refresh_interval_seconds")).toBe(3600);

    const table = (await pool().query<{ t: string }>(`SELECT table_name AS t FROM scorecards ORDER BY id LIMIT 1`)).rows[0]!.t;
    await pool().query(
      `INSERT INTO ${qualified("public", table)} (employee_email, auditor_email, audit_date, status, total_score)
       SELECT email, email, '2025-04-01', 'completed', 75 FROM users ORDER BY id LIMIT 1`,
    );
    m = await metrics();
    expect(value(m, "unify_analytics_pending_changes")).toBeGreaterThan(0);
  });

  it("builds a registry per scrape: nothing lands in prom-client's global registry, and two scrapes agree", async () => {
    const first = await metrics();
    const second = await metrics();
    const shape = (m: Exposition) => m.samples.filter((s) => s.name !== "unify_metrics_scrape_duration_seconds" && !s.name.endsWith("_seconds") && !s.name.endsWith("_per_second"));
    expect(shape(second)).toEqual(shape(first));
    expect(globalRegistry.getMetricsAsArray()).toEqual([]);
    expect(value(second, "unify_metrics_scrape_duration_seconds")).toBeGreaterThan(0);
    for (const name of second.types.keys()) expect(second.help.get(name)?.length).toBeGreaterThan(10);
  });
});
