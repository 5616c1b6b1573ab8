import { Command } from "commander";
import { printTable } from "@/lib/cli/output";
import { pool } from "@/lib/db/pool";
import { qualified } from "@/lib/db/sql";
import { approveAndRun, rollBack } from "@/lib/engine/testing/phases";
import { legacySchema } from "@/lib/legacy/contract";
import { LINK_FOREIGN_KEYS, LINK_INDEXES } from "@/lib/plan/phase-3/links-keys";
import { LINK_TABLES } from "@/lib/plan/phase-3/load-links";
import { limitRow as row, median, positive, reportHeader, withSeededCluster, writeReport } from "./cluster";

/**
 * Phase 3 against the machine's limits, measured in the same run on the same data
 * (../shared/PERFORMANCE.md): a plain 2-session `INSERT … SELECT` of every assignment and
 * notification into unindexed copies (one session per table), and every index and foreign key of
 * links-keys built once more on the loaded tables.
 */

export async function linksRawLimit(): Promise<number> {
  await pool().query(`CREATE SCHEMA IF NOT EXISTS bench_limits`);
  for (const t of LINK_TABLES) await pool().query(`CREATE TABLE bench_limits.${t} (LIKE ${qualified(legacySchema(), t)})`);
  const started = performance.now();
  await Promise.all(
    LINK_TABLES.map(async (t) => {
      const session = await pool().connect();
      try {
        await session.query(`INSERT INTO bench_limits.${t} SELECT * FROM ${qualified(legacySchema(), t)}`);
      } finally {
        session.release();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool().query(`DROP SCHEMA bench_limits CASCADE`);
  return seconds;
}

/** Assignments and notifications in the legacy tables: the rows Phase 3 loads. */
export async function linkRows(): Promise<number> {
  let rows = 0;
  for (const t of LINK_TABLES) rows += Number((await pool().query(`SELECT count(*) AS n FROM ${qualified(legacySchema(), t)}`)).rows[0].n);
  return rows;
}

/** Each index and foreign key of links-keys built once more on the loaded tables: what that step cannot beat. */
export async function linksKeysLimit(): Promise<number> {
  let seconds = 0;
  const timed = async (sql: string) => {
    const started = performance.now();
    await pool().query(sql);
    seconds += (performance.now() - started) / 1000;
  };
  for (const [i, index] of LINK_INDEXES.entries()) {
    await timed(`CREATE INDEX bench_limit_${i} ON unified.${index.table} ${index.columns}`);
    await pool().query(`DROP INDEX unified.bench_limit_${i}`);
  }
  for (const [i, fk] of LINK_FOREIGN_KEYS.entries()) {
    await timed(`ALTER TABLE unified.${fk.table} ADD CONSTRAINT bench_limit_fk_${i} FOREIGN KEY (${fk.column}) REFERENCES unified.${fk.references} (id) NOT VALID`);
    await timed(`ALTER TABLE unified.${fk.table} VALIDATE CONSTRAINT bench_limit_fk_${i}`);
    await pool().query(`ALTER TABLE unified.${fk.table} DROP CONSTRAINT bench_limit_fk_${i}`);
  }
  await timed(`ANALYZE unified.audit_assignments, unified.notifications`);
  return seconds;
}

/** Phase 3 end to end: per step rows, seconds, rows/s and the ratio to its same-run limit. */
export async function phase3Bench(args: string[]): Promise<void> {
  const opts = new Command("phase-3")
    .option("--audits <n>", "legacy audit rows (assignments and notifications are generated in proportion)", "1000000")
    .option("--runs <n>", "runs (median reported)", "1")
    .parse(args, { from: "user" })
    .opts<{ audits: string; runs: string }>();
  const audits = positive("--audits", opts.audits);
  const runs = positive("--runs", opts.runs);

  const results: { runSeconds: number; rollbackSeconds: number; steps: Record<string, number>; limits: { raw: number; keys: number } }[] = [];
  let links = 0;
  await withSeededCluster(audits, async () => {
    links = await linkRows();
    for (const phase of [1, 2]) {
      const done = await approveAndRun(phase);
      if (done.status !== "succeeded") throw new Error(`phase ${phase} ${done.status}: ${done.error}`);
      console.log(`phase ${phase} ${((done.durationMs ?? 0) / 1000).toFixed(1)} s (not part of this benchmark)`);
    }
    for (let run = 1; run <= runs; run++) {
      const raw = await linksRawLimit();
      await pool().query(`CHECKPOINT`);
      console.log(`limit: raw copy ${raw.toFixed(2)} s`);
      const done = await approveAndRun(3);
      if (done.status !== "succeeded") throw new Error(`phase 3 ${done.status}: ${done.error}`);
      const keys = await linksKeysLimit();
      const undone = await rollBack(3);
      if (undone.status !== "succeeded") throw new Error(`rollback ${undone.status}: ${undone.error}`);
      const steps = Object.fromEntries(done.steps.map((s) => [s.stepId, (s.durationMs ?? 0) / 1000]));
      const stepsTotal = Object.values(steps).reduce((a, b) => a + b, 0);
      steps["post-validation"] = Math.max(0, (done.durationMs ?? 0) / 1000 - stepsTotal);
      results.push({ runSeconds: (done.durationMs ?? 0) / 1000, rollbackSeconds: (undone.durationMs ?? 0) / 1000, steps, limits: { raw, keys } });
      console.log(`run ${run}/${runs}: phase 3 ${results.at(-1)!.runSeconds.toFixed(1)} s, rollback ${results.at(-1)!.rollbackSeconds.toFixed(2)} s`);
    }
  });
  const m = (pick: (r: (typeof results)[number]) => number) => median(results.map(pick));
  const limits = { raw: m((r) => r.limits.raw), keys: m((r) => r.limits.keys) };
  const load = m((r) => r.steps["load-links"] ?? 0);
  const whole = m((r) => r.runSeconds);
  const report = {
    ...reportHeader("phase-3"),
    audits,
    links,
    runs: results,
    medianStepSeconds: Object.fromEntries(Object.keys(results[0]?.steps ?? {}).map((id) => [id, m((r) => r.steps[id] ?? 0)])),
    medianLimits: limits,
    loadRowsPerSecond: links / load,
    rawLimitRowsPerSecond: links / limits.raw,
    loadShareOfRawLimit: limits.raw / load,
    medianRunSeconds: whole,
    sumOfLimits: limits.raw + limits.keys,
    ratioToLimits: whole / (limits.raw + limits.keys),
    medianRollbackSeconds: m((r) => r.rollbackSeconds),
  };
  printTable([
    row("limit: raw INSERT … SELECT, 2 sessions", links, limits.raw),
    row("limit: the index and foreign-key builds + ANALYZE", links, limits.keys),
    ...Object.entries(report.medianStepSeconds).map(([id, s]) =>
      row(`step ${id}`, id === "load-links" ? links : 0, s, id === "load-links" ? limits.raw : id === "links-keys" ? limits.keys : undefined),
    ),
    row("phase 3 (whole run)", links, whole, report.sumOfLimits),
    row("rollback", 0, report.medianRollbackSeconds),
  ]);
  writeReport("phase-3", report);
  console.log(
    `load at ${(report.loadShareOfRawLimit * 100).toFixed(0)}% of the raw copy's rows/s; whole phase ${report.ratioToLimits.toFixed(2)}× the sum of its limits; written to bench-results/phase-3.json`,
  );
}
