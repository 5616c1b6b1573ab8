import { Command } from "commander";
import { printTable } from "@/lib/cli/output";
import { pool } from "@/lib/db/pool";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { median, positive, reportHeader, withSeededCluster, writeReport } from "./cluster";

/**
 * Should `audits` be range-partitioned by audit month? After Phases 1 and 2 on generated data,
 * the loaded audits are copied into a plain table and into one partitioned by month (a partition
 * per month, a default one for NULL dates), and both are measured side by side: the load, the
 * report indexes, and the report queries (one employee's year, one scorecard's month, one month
 * across scorecards, the statistics aggregate of Phase 4).
 */
const INDEXES = ["USING gin (parameter_scores jsonb_path_ops)", "(employee_id, audit_date)", "(auditor_id, audit_date)", "(scorecard_id, audit_date)"];

async function timed(sql: string, params: unknown[] = []): Promise<number> {
  const started = performance.now();
  await pool().query(sql, params);
  return (performance.now() - started) / 1000;
}

async function latencies(sql: string, params: () => unknown[], runs: number): Promise<{ p50: number; p95: number }> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await pool().query(sql, params());
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { p50: median(ms), p95: ms[Math.floor(ms.length * 0.95)]! };
}

export async function partitioningBench(args: string[]): Promise<void> {
  const opts = new Command("partitioning")
    .option("--audits <n>", "legacy audit rows", "1000000")
    .option("--queries <n>", "runs per report query", "200")
    .parse(args, { from: "user" })
    .opts<{ audits: string; queries: string }>();
  const audits = positive("--audits", opts.audits);
  const queries = positive("--queries", opts.queries);
  const layouts: Record<string, Record<string, number | { p50: number; p95: number }>> = {};
  await withSeededCluster(audits, async () => {
    for (const phase of [1, 2]) {
      const done = await approveAndRun(phase);
      if (done.status !== "succeeded") throw new Error(`phase ${phase} ${done.status}: ${done.error}`);
    }
    const columns = `scorecard_id integer, channel_id integer, employee_id bigint, auditor_id bigint, audit_date date, status text,
      total_score numeric, passed boolean, comments text, parameter_scores jsonb, created_at timestamptz, updated_at timestamptz,
      source_table text, source_id bigint`;
    const { rows: range } = await pool().query(`SELECT date_trunc('month', min(audit_date))::date AS lo, date_trunc('month', max(audit_date))::date AS hi FROM unified.audits`);
    const { rows: employees } = await pool().query<{ id: string }>(`SELECT DISTINCT employee_id::text AS id FROM unified.audits WHERE employee_id IS NOT NULL LIMIT 500`);
    const { rows: months } = await pool().query<{ m: string }>(`SELECT DISTINCT date_trunc('month', audit_date)::date::text AS m FROM unified.audits WHERE audit_date IS NOT NULL`);
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

    for (const layout of ["plain", "monthly partitions"]) {
      const t = layout === "plain" ? "bench_plain" : "bench_partitioned";
      await pool().query(`DROP TABLE IF EXISTS ${t}`);
      if (layout === "plain") {
        await pool().query(`CREATE TABLE ${t} (${columns})`);
      } else {
        await pool().query(`CREATE TABLE ${t} (${columns}) PARTITION BY RANGE (audit_date)`);
        await pool().query(
          `SELECT format('CREATE TABLE %I PARTITION OF ${t} FOR VALUES FROM (%L) TO (%L)', '${t}_' || to_char(m, 'YYYYMM'), m, (m + interval '1 month')::date)
             FROM generate_series($1::date, $2::date, interval '1 month') m`,
          [range[0].lo, range[0].hi],
        ).then(async ({ rows }) => {
          for (const r of rows) await pool().query(r.format);
        });
        await pool().query(`CREATE TABLE ${t}_default PARTITION OF ${t} DEFAULT`);
      }
      const result: Record<string, number | { p50: number; p95: number }> = {};
      result.load = await timed(
        `INSERT INTO ${t} SELECT scorecard_id, channel_id, employee_id, auditor_id, audit_date, status, total_score, passed, comments,
                parameter_scores, created_at, updated_at, source_table, source_id FROM unified.audits`,
      );
      let indexSeconds = 0;
      for (const [i, definition] of INDEXES.entries()) indexSeconds += await timed(`CREATE INDEX ${t}_i${i} ON ${t} ${definition}`);
      result.indexes = indexSeconds;
      await pool().query(`ANALYZE ${t}`);
      result["one employee's year"] = await latencies(
        `SELECT audit_date, scorecard_id, total_score, passed FROM ${t} WHERE employee_id = $1 AND audit_date >= $2::date AND audit_date < $2::date + 365`,
        () => [pick(employees).id, range[0].lo],
        queries,
      );
      result["one scorecard's month"] = await latencies(
        `SELECT count(*), avg(total_score), avg(passed::int) FROM ${t} WHERE scorecard_id = 1 AND audit_date >= $1::date AND audit_date < ($1::date + interval '1 month')`,
        () => [pick(months).m],
        queries,
      );
      result["one month, every scorecard"] = await latencies(
        `SELECT scorecard_id, count(*), avg(total_score) FROM ${t} WHERE audit_date >= $1::date AND audit_date < ($1::date + interval '1 month') GROUP BY 1`,
        () => [pick(months).m],
        Math.min(queries, 50),
      );
      result["statistics aggregate (Phase 4's view)"] = await timed(
        `SELECT employee_id, scorecard_id, channel_id, date_trunc('month', audit_date), count(*), avg(total_score), min(total_score), max(total_score), avg(passed::int)
           FROM ${t} GROUP BY 1, 2, 3, 4`,
      );
      layouts[layout] = result;
      await pool().query(`DROP TABLE ${t}`);
    }
  });
  const keys = Object.keys(layouts.plain ?? {});
  const show = (v: number | { p50: number; p95: number } | undefined) =>
    v === undefined ? "" : typeof v === "number" ? `${v.toFixed(2)} s` : `p50 ${v.p50.toFixed(2)} ms / p95 ${v.p95.toFixed(2)} ms`;
  printTable(keys.map((k) => ({ what: k, plain: show(layouts.plain?.[k]), "monthly partitions": show(layouts["monthly partitions"]?.[k]) })));
  writeReport("partitioning", { ...reportHeader("partitioning"), audits, layouts });
}
