import { Command } from "commander";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { printTable } from "@/lib/cli/output";
import { pool } from "@/lib/db/pool";
import { loadPhaseView } from "@/lib/engine/phase-view";
import { runProgress } from "@/lib/engine/progress";
import { executeRun } from "@/lib/engine/runner";
import { requestRun } from "@/lib/engine/runs";
import { loadPhaseSummaries } from "@/lib/engine/summary";
import { approve, approveAndRun, rollBack } from "@/lib/engine/testing/phases";
import { clearPlanCache } from "@/lib/plan/plan-cache";
import { positive, quantile, reportHeader, withSeededCluster, writeReport } from "./cluster";

/**
 * What the Overview and a phase page cost while a phase runs: `--tabs` open tabs each load the
 * Overview's data (every phase's summary), the phase page's data and the progress the page polls,
 * back to back, for as long as Phase 1 runs on the same server. It calls the lib functions the
 * pages call (the React render itself is not measured); beside them, the same run's round trip of
 * `SELECT 1` from the same pool is the floor.
 */
export async function pagesBench(args: string[]): Promise<void> {
  const opts = new Command("pages")
    .option("--audits <n>", "legacy audit rows", "1000000")
    .option("--tabs <n>", "open tabs polling at once", "5")
    .parse(args, { from: "user" })
    .opts<{ audits: string; tabs: string }>();
  const audits = positive("--audits", opts.audits);
  const tabs = positive("--tabs", opts.tabs);
  const samples: Record<string, number[]> = { overview: [], "phase page": [], "run progress": [], "SELECT 1 (floor)": [] };
  let runSeconds = 0;
  await withSeededCluster(audits, async () => {
    // A history like a real console's: Phase 1 ran and was rolled back once; now it runs again.
    await approveAndRun(1);
    await rollBack(1);
    await approve(1);
    clearPlanCache();
    const run = await requestRun(1, SYSTEM_ACTOR);
    const started = Date.now();
    let running = true;
    const execution = executeRun(run.id).finally(() => {
      running = false;
      runSeconds = (Date.now() - started) / 1000;
    });
    const timed = async (name: string, work: () => Promise<unknown>) => {
      const t = performance.now();
      await work();
      samples[name]!.push(performance.now() - t);
    };
    await Promise.all(
      Array.from({ length: tabs }, async () => {
        while (running) {
          await timed("overview", () => loadPhaseSummaries());
          await timed("phase page", () => loadPhaseView(1, ["admin"]));
          await timed("run progress", () => runProgress(run.id));
          await timed("SELECT 1 (floor)", () => pool().query("SELECT 1"));
        }
      }),
    );
    await execution;
    const done = await runProgress(run.id);
    if (done?.status !== "succeeded") throw new Error(`phase 1 ${done?.status}: ${done?.error}`);
  });
  const rows = Object.entries(samples).map(([what, ms]) => ({
    what,
    loads: ms.length,
    "p50 ms": quantile(ms, 0.5).toFixed(1),
    "p95 ms": quantile(ms, 0.95).toFixed(1),
    "max ms": Math.max(...ms).toFixed(1),
  }));
  printTable(rows);
  const report = {
    ...reportHeader("pages"),
    audits,
    tabs,
    phase1RunSeconds: runSeconds,
    results: Object.fromEntries(Object.entries(samples).map(([k, ms]) => [k, { loads: ms.length, p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), max: Math.max(...ms) }])),
  };
  writeReport("pages", report);
  console.log(`${audits.toLocaleString("en-US")} audits, ${tabs} tabs during a ${runSeconds.toFixed(1)} s Phase 1 run; target p95 < 300 ms; written to bench-results/pages.json`);
}
