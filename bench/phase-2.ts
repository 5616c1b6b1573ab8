import { Command } from "commander";
import { printTable } from "@/lib/cli/output";
import { pool } from "@/lib/db/pool";
import { qualified, quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { approveAndRun, rollBack } from "@/lib/engine/testing/phases";
import { legacySchema } from "@/lib/legacy/contract";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { compatViewName } from "@/lib/plan/phase-2/audit-columns";
import { limitRow as row, median, positive, reportHeader, sampleRss, withSeededCluster, writeReport } from "./cluster";

/**
 * Phase 2 against the machine's limits, measured in the same run on the same data
 * (../shared/PERFORMANCE.md): a plain 2-session `INSERT … SELECT` of every audit row into
 * unindexed tables, the 2-session `INSERT … SELECT` that builds the same parameter_scores with
 * jsonb_build_object, each of audits' indexes built once more on the loaded table, and an
 * order-independent checksum of the legacy audit tables and of audits on two sessions at once.
 */

export interface AuditTable {
  table: string;
  fields: { key: string; column: string }[];
  rows: number;
}

/** Tables split over two sessions, largest first onto the lighter session. */
function balance(tables: AuditTable[]): AuditTable[][] {
  const halves: AuditTable[][] = [[], []];
  const load = [0, 0];
  for (const t of [...tables].sort((a, b) => b.rows - a.rows)) {
    const i = load[0]! <= load[1]! ? 0 : 1;
    halves[i]!.push(t);
    load[i]! += t.rows;
  }
  return halves;
}

async function twoSessions(tables: AuditTable[], statement: (t: AuditTable) => string): Promise<number> {
  const started = performance.now();
  await Promise.all(
    balance(tables).map(async (half) => {
      const session = await pool().connect();
      try {
        for (const t of half) await session.query(statement(t));
      } finally {
        session.release();
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

const L = (t: AuditTable) => qualified(legacySchema(), t.table);

/** Every scorecard's audit table with its registered fields and its row count. */
export async function auditTables(): Promise<AuditTable[]> {
  const discovery = await discoverLegacy(pool(), legacySchema());
  const tables: AuditTable[] = [];
  for (const s of discovery.scorecards) {
    const rows = Number((await pool().query(`SELECT count(*) AS n FROM ${qualified(legacySchema(), s.tableName)}`)).rows[0].n);
    tables.push({ table: s.tableName, fields: s.fields.map((f) => ({ key: f.fieldKey, column: f.columnName })), rows });
  }
  return tables;
}

async function rawLimit(tables: AuditTable[]): Promise<number> {
  await pool().query(`CREATE SCHEMA IF NOT EXISTS bench_limits`);
  for (const t of tables) await pool().query(`CREATE TABLE bench_limits.${quoteIdent(`raw ${t.table}`)} (LIKE ${L(t)})`);
  const seconds = await twoSessions(tables, (t) => `INSERT INTO bench_limits.${quoteIdent(`raw ${t.table}`)} SELECT * FROM ${L(t)}`);
  return seconds;
}

function jsonb(t: AuditTable): string {
  if (!t.fields.length) return `'{}'::jsonb`;
  const calls: string[] = [];
  for (let i = 0; i < t.fields.length; i += 50) {
    calls.push(`jsonb_build_object(${t.fields.slice(i, i + 50).map((f) => `${quoteLiteral(f.key)}, ${quoteIdent(f.column)}`).join(", ")})`);
  }
  return calls.join(" || ");
}

async function jsonbLimit(tables: AuditTable[]): Promise<number> {
  await pool().query(`CREATE TABLE bench_limits.jsonb_audits (source_table text, source_id bigint, employee_email text, auditor_email text,
    audit_date date, status text, total_score numeric, comments text, created_at timestamptz, updated_at timestamptz, parameter_scores jsonb)`);
  return twoSessions(
    tables,
    (t) => `INSERT INTO bench_limits.jsonb_audits SELECT ${quoteLiteral(t.table)}, id, employee_email, auditor_email, audit_date, status,
      total_score, comments, created_at, updated_at, ${jsonb(t)} FROM ${L(t)}`,
  );
}

/**
 * The load's two limits, before Phase 2 runs: the raw copy and the jsonb_build_object load, each on
 * two sessions; their copies are dropped and a checkpoint taken so the run starts from a clean WAL.
 */
export async function loadLimits(tables: AuditTable[]): Promise<{ raw: number; jsonb: number }> {
  const raw = await rawLimit(tables);
  const jsonbSeconds = await jsonbLimit(tables);
  await pool().query(`DROP SCHEMA bench_limits CASCADE`);
  await pool().query(`CHECKPOINT`);
  return { raw, jsonb: jsonbSeconds };
}

const INDEX_LIMITS = [
  "(id)", // the primary key's index, which the step builds after the load too
  "USING gin (parameter_scores jsonb_path_ops)",
  "(employee_id, audit_date)",
  "(auditor_id, audit_date)",
  "(scorecard_id, audit_date)",
];

/** Seconds to build each index `definitions` names on `unified.<table>` once more (each dropped after): what a step that builds them cannot beat. */
export async function indexBuildSeconds(table: string, definitions: readonly string[]): Promise<number> {
  let seconds = 0;
  for (const [i, definition] of definitions.entries()) {
    const started = performance.now();
    await pool().query(`CREATE INDEX bench_limit_${i} ON unified.${quoteIdent(table)} ${definition}`);
    seconds += (performance.now() - started) / 1000;
    await pool().query(`DROP INDEX unified.bench_limit_${i}`);
  }
  return seconds;
}

/** Each index of audits (the primary key's and the four report indexes) built once more on the loaded table, and the foreign keys' scan: what the step cannot beat. */
export async function indexLimit(): Promise<number> {
  const seconds = await indexBuildSeconds("audits", INDEX_LIMITS);
  const started = performance.now();
  for (const [column, table] of [["scorecard_id", "scorecards"], ["channel_id", "channels"], ["employee_id", "employees"], ["auditor_id", "employees"]]) {
    await pool().query(`SELECT count(*) FROM unified.audits a WHERE a.${column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM unified.${table} x WHERE x.id = a.${column})`);
  }
  await pool().query(`ANALYZE unified.audits`);
  return seconds + (performance.now() - started) / 1000;
}

/**
 * One order-independent checksum pass over the legacy audit tables and one over the same rows
 * rebuilt from `audits` (the compatibility views), at the same time: what any check that reads
 * both sides must at least do (../shared/PERFORMANCE.md: 19 s and 33 s at 10M).
 */
export async function checksumLimit(tables: AuditTable[]): Promise<number> {
  const pass = async (relations: string[]) => {
    const session = await pool().connect();
    try {
      // As the suite reads them (lib/validation/runs.ts): with the default random_page_cost each
      // compatibility view scanned every audit of every table, and the floor was 8× too slow.
      await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      await session.query("SET LOCAL random_page_cost = 1.1");
      for (const r of relations) await session.query(`SELECT count(*), sum(hashtext(x::text)::bigint) FROM ${r} x`);
      await session.query("COMMIT");
    } finally {
      session.release();
    }
  };
  const started = performance.now();
  await Promise.all([pass(tables.map(L)), pass(tables.map((t) => `unified.${quoteIdent(compatViewName(t.table))}`))]);
  return (performance.now() - started) / 1000;
}

/** Phase 2 end to end: per step rows, seconds, rows/s and the ratio to its same-run limit; Node's memory. */
export async function phase2Bench(args: string[]): Promise<void> {
  const opts = new Command("phase-2")
    .option("--audits <n>", "legacy audit rows", "1000000")
    .option("--runs <n>", "runs (median reported)", "1")
    .parse(args, { from: "user" })
    .opts<{ audits: string; runs: string }>();
  const audits = positive("--audits", opts.audits);
  const runs = positive("--runs", opts.runs);

  const results: {
    runSeconds: number;
    rollbackSeconds: number;
    steps: Record<string, number>;
    limits: { raw: number; jsonb: number; indexes: number; checksum: number };
    rssGrowthMb: number;
  }[] = [];
  await withSeededCluster(audits, async () => {
    const tables = await auditTables();
    const phase1 = await approveAndRun(1);
    if (phase1.status !== "succeeded") throw new Error(`phase 1 ${phase1.status}: ${phase1.error}`);
    console.log(`phase 1 ${((phase1.durationMs ?? 0) / 1000).toFixed(1)} s (not part of this benchmark)`);
    for (let run = 1; run <= runs; run++) {
      const { raw, jsonb: jsonbSeconds } = await loadLimits(tables);
      console.log(`limits: raw copy ${raw.toFixed(1)} s, jsonb load ${jsonbSeconds.toFixed(1)} s`);

      const rss = sampleRss();
      const done = await approveAndRun(2);
      const memory = rss.stop();
      if (done.status !== "succeeded") throw new Error(`phase 2 ${done.status}: ${done.error}`);
      const indexes = await indexLimit();
      const checksum = await checksumLimit(tables);
      const undone = await rollBack(2);
      if (undone.status !== "succeeded") throw new Error(`rollback ${undone.status}: ${undone.error}`);
      const steps = Object.fromEntries(done.steps.map((s) => [s.stepId, (s.durationMs ?? 0) / 1000]));
      const stepsTotal = Object.values(steps).reduce((a, b) => a + b, 0);
      steps["post-validation"] = Math.max(0, (done.durationMs ?? 0) / 1000 - stepsTotal);
      results.push({
        runSeconds: (done.durationMs ?? 0) / 1000,
        rollbackSeconds: (undone.durationMs ?? 0) / 1000,
        steps,
        limits: { raw, jsonb: jsonbSeconds, indexes, checksum },
        rssGrowthMb: (memory.peakBytes - memory.startBytes) / 2 ** 20,
      });
      console.log(`run ${run}/${runs}: phase 2 ${results.at(-1)!.runSeconds.toFixed(1)} s, rollback ${results.at(-1)!.rollbackSeconds.toFixed(2)} s`);
    }
  });
  const m = (pick: (r: (typeof results)[number]) => number) => median(results.map(pick));
  const load = m((r) => r.steps["load-audits"] ?? 0);
  const limits = { raw: m((r) => r.limits.raw), jsonb: m((r) => r.limits.jsonb), indexes: m((r) => r.limits.indexes), checksum: m((r) => r.limits.checksum) };
  const whole = m((r) => r.runSeconds);
  const limitSum = limits.jsonb + limits.indexes + limits.checksum;
  const report = {
    ...reportHeader("phase-2"),
    audits,
    runs: results,
    medianStepSeconds: Object.fromEntries(Object.keys(results[0]?.steps ?? {}).map((id) => [id, m((r) => r.steps[id] ?? 0)])),
    medianLimits: limits,
    loadRowsPerSecond: audits / load,
    jsonbLimitRowsPerSecond: audits / limits.jsonb,
    loadShareOfJsonbLimit: limits.jsonb / load,
    medianRunSeconds: whole,
    sumOfLimits: limitSum,
    ratioToLimits: whole / limitSum,
    medianRollbackSeconds: m((r) => r.rollbackSeconds),
    maxRssGrowthMb: Math.max(...results.map((r) => r.rssGrowthMb)),
  };
  printTable([
    row("limit: raw INSERT … SELECT, 2 sessions", audits, limits.raw),
    row("limit: jsonb_build_object load, 2 sessions", audits, limits.jsonb),
    row("limit: the five index builds + FK scans + ANALYZE", audits, limits.indexes),
    row("limit: checksum legacy ∥ audits", audits, limits.checksum),
    ...Object.entries(report.medianStepSeconds).map(([id, s]) =>
      row(`step ${id}`, id === "load-audits" ? audits : 0, s, id === "load-audits" ? limits.jsonb : id === "audit-indexes" ? limits.indexes : id === "post-validation" ? limits.checksum : undefined),
    ),
    row("phase 2 (whole run)", audits, whole, limitSum),
    row("rollback", 0, report.medianRollbackSeconds),
  ]);
  writeReport("phase-2", report);
  console.log(
    `load at ${(report.loadShareOfJsonbLimit * 100).toFixed(0)}% of the jsonb limit's rows/s; whole phase ${report.ratioToLimits.toFixed(2)}× the sum of its limits; ` +
      `Node RSS grew at most ${report.maxRssGrowthMb.toFixed(0)} MB; written to bench-results/phase-2.json`,
  );
}
