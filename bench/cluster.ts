import pg from "pg";
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

