import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import pg from "pg";
import { median, positive, SETTINGS, tunedCluster } from "./cluster";
import { printTable } from "@/lib/cli/output";
import { SEED_DEFAULTS, seedLegacy } from "@/lib/legacy/generator";

export async function legacySeedBench(args: string[]): Promise<void> {
  const opts = new Command("legacy-seed")
    .option("--audits <n>", "audit rows per run", "1000000")
    .option("--scorecards <k>", "scorecards", String(SEED_DEFAULTS.scorecards))
    .option("--runs <n>", "runs (median reported)", "3")
    .parse(args, { from: "user" })
    .opts<{ audits: string; scorecards: string; runs: string }>();
  const audits = positive("--audits", opts.audits);
  const scorecards = positive("--scorecards", opts.scorecards);
  const runs = positive("--runs", opts.runs);

  const root = mkdtempSync(join(tmpdir(), "unify-bench-"));
  const cluster = await tunedCluster(root);
  const db = new pg.Pool({ connectionString: cluster.url("bench"), max: 4 });
  const results: { run: number; seconds: number; rows: number; auditsPerSecond: number; rowsPerSecond: number }[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      const summary = await seedLegacy(db, { audits, scorecards, seed: "bench", reset: true });
      const seconds = summary.durationMs / 1000;
      const rows = summary.tables.reduce((n, t) => n + t.rows, 0);
      results.push({ run, seconds, rows, auditsPerSecond: Math.round(audits / seconds), rowsPerSecond: Math.round(rows / seconds) });
      console.log(`run ${run}/${runs}: ${seconds.toFixed(1)} s`);
    }
  } finally {
    await db.end();
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }

  const medianSeconds = median(results.map((r) => r.seconds));
  const report = {
    benchmark: "legacy-seed",
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    postgresSettings: SETTINGS,
    audits,
    scorecards,
    runs: results,
    medianSeconds,
    medianAuditsPerSecond: median(results.map((r) => r.auditsPerSecond)),
    medianRowsPerSecond: median(results.map((r) => r.rowsPerSecond)),
    /** Linear in rows: the generator's work per row does not grow with the table. */
    extrapolatedSecondsFor10M: Math.round((medianSeconds * 10_000_000) / audits),
  };
  printTable([
    {
      audits: audits.toLocaleString("en-US"),
      runs,
      "median s": medianSeconds.toFixed(1),
      "median audits/s": report.medianAuditsPerSecond.toLocaleString("en-US"),
      "median rows/s (all tables)": report.medianRowsPerSecond.toLocaleString("en-US"),
      "10M audits ≈ s": report.extrapolatedSecondsFor10M,
    },
  ]);
  mkdirSync("bench-results", { recursive: true });
  writeFileSync(join("bench-results", "legacy-seed.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log("written to bench-results/legacy-seed.json");
}
