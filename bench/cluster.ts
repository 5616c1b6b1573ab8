import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { migrate } from "@/lib/db/migrate";
import { closePool, pool } from "@/lib/db/pool";
import { disconnectPrisma } from "@/lib/db/prisma";
import { stopQueue } from "@/lib/engine/queue";
import { SEED_DEFAULTS, seedLegacy } from "@/lib/legacy/generator";
import { startEmbeddedPostgres, type EmbeddedCluster } from "@/lib/db/embedded";

/** The server settings of ../shared/PERFORMANCE.md, so results compare with its limits. */
export const SETTINGS: Record<string, string> = {
  shared_buffers: "2GB",
  maintenance_work_mem: "1GB",
  work_mem: "64MB",
  max_wal_size: "16GB",
  checkpoint_timeout: "30min",
  synchronous_commit: "off",
  max_parallel_workers_per_gather: "2",
  max_parallel_maintenance_workers: "2",
};

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The value below which a share `q` of the samples lie (NaN for none): how the benches report p50 and p95. */
export const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;
};

export interface RssSummary {
  startBytes: number;
  endBytes: number;
  peakBytes: number;
}

/**
 * Samples this process's resident memory every `everyMs` until `stop`: a benchmark proves with it
 * that no rows pass through Node (the peak stays near the start whatever the data's size).
 */
export function sampleRss(everyMs = 200): { stop: () => RssSummary } {
  const startBytes = process.memoryUsage().rss;
  let peakBytes = startBytes;
  const timer = setInterval(() => (peakBytes = Math.max(peakBytes, process.memoryUsage().rss)), everyMs);
  return {
    stop() {
      clearInterval(timer);
      const endBytes = process.memoryUsage().rss;
      return { startBytes, endBytes, peakBytes: Math.max(peakBytes, endBytes) };
    },
  };
}

export function positive(option: string, value: string): number {
  const n = Number(value.replace(/_/g, ""));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${option}: expected a positive whole number, got "${value}"`);
  return n;
}

/** A fresh durable cluster in a temp dir, restarted once so the settings that need it apply. */
export async function tunedCluster(root: string): Promise<EmbeddedCluster> {
  const first = await startEmbeddedPostgres({ root, fast: false });
  const admin = new pg.Client({ connectionString: first.url() });
  await admin.connect();
  for (const [name, value] of Object.entries(SETTINGS)) await admin.query(`ALTER SYSTEM SET ${name} = '${value}'`);
  await admin.query(`CREATE DATABASE bench`);
  await admin.end();
  await first.stop();
  return startEmbeddedPostgres({ root, fast: false });
}


/**
 * A fresh tuned cluster with the console migrated and `audits` legacy audits generated, for a
 * benchmark that drives Unify through its lib functions; everything is stopped and removed after.
 */
export async function withSeededCluster<T>(audits: number, work: () => Promise<T>): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), "unify-bench-"));
  const cluster = await tunedCluster(root);
  process.env.DATABASE_URL = cluster.url("bench");
  try {
    await migrate(pool());
    await seedLegacy(pool(), { audits, scorecards: SEED_DEFAULTS.scorecards, seed: "bench" });
    await pool().query("VACUUM ANALYZE");
    return await work();
  } finally {
    await stopQueue();
    await disconnectPrisma();
    await closePool();
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** What every report starts with: which benchmark, when, on what machine, with which server settings. */
export function reportHeader(benchmark: string) {
  return { benchmark, at: new Date().toISOString(), machine: { cpus: cpus().length, node: process.version }, postgresSettings: SETTINGS };
}

/** Writes bench-results/<name>.json. */
export function writeReport(name: string, report: unknown): void {
  mkdirSync("bench-results", { recursive: true });
  writeFileSync(join("bench-results", `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
}

/** One printed row of a step against its limit: rows, median seconds, rows/s and the ratio to the limit (when it has one). */
export function limitRow(what: string, rows: number, s: number, limit?: number) {
  const rate = s > 0 ? Math.round(rows / s).toLocaleString("en-US") : "–";
  return {
    what,
    rows: rows ? rows.toLocaleString("en-US") : "",
    "median s": s.toFixed(2),
    "rows/s": rows ? rate : "",
    "vs limit": limit ? `${(s / limit).toFixed(2)}× (limit ${limit.toFixed(2)} s)` : "",
  };
}
