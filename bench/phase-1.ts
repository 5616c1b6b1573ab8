import { cpus } from "node:os";
import { Command } from "commander";
import { printTable } from "@/lib/cli/output";
import { pool } from "@/lib/db/pool";
import { approveAndRun, rollBack } from "@/lib/engine/testing/phases";
import { median, positive, SETTINGS, withSeededCluster, writeReport } from "./cluster";

/** Phase 1 end to end on generated legacy data: run time per step, and rollback time. */
export async function phase1Bench(args: string[]): Promise<void> {
  const opts = new Command("phase-1")
    .option("--audits <n>", "legacy audit rows", "1000000")
    .option("--runs <n>", "runs (median reported)", "3")
    .parse(args, { from: "user" })
    .opts<{ audits: string; runs: string }>();
  const audits = positive("--audits", opts.audits);
  const runs = positive("--runs", opts.runs);

  const results: { run: number; runSeconds: number; rollbackSeconds: number; employees: number; steps: Record<string, number> }[] = [];
  await withSeededCluster(audits, async () => {
    for (let run = 1; run <= runs; run++) {
      const done = await approveAndRun(1);
      if (done.status !== "succeeded") throw new Error(`phase 1 ${done.status}: ${done.error}`);
      const employees = Number((await pool().query(`SELECT count(*) AS n FROM unified.employees`)).rows[0].n);
      const undone = await rollBack(1);
      if (undone.status !== "succeeded") throw new Error(`rollback ${undone.status}: ${undone.error}`);
      const steps = Object.fromEntries(done.steps.map((s) => [s.stepId, (s.durationMs ?? 0) / 1000]));
      results.push({ run, runSeconds: (done.durationMs ?? 0) / 1000, rollbackSeconds: (undone.durationMs ?? 0) / 1000, employees, steps });
      console.log(`run ${run}/${runs}: phase 1 ${results.at(-1)!.runSeconds.toFixed(2)} s, rollback ${results.at(-1)!.rollbackSeconds.toFixed(2)} s`);
    }
  });
  const stepIds = Object.keys(results[0]?.steps ?? {});
  const report = {
    benchmark: "phase-1",
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    postgresSettings: SETTINGS,
    audits,
    employees: results[0]?.employees ?? 0,
    runs: results,
    medianRunSeconds: median(results.map((r) => r.runSeconds)),
    medianRollbackSeconds: median(results.map((r) => r.rollbackSeconds)),
    medianStepSeconds: Object.fromEntries(stepIds.map((id) => [id, median(results.map((r) => r.steps[id] ?? 0))])),
  };
  printTable([
    ...stepIds.map((id) => ({ what: `step ${id}`, "median s": report.medianStepSeconds[id]!.toFixed(2) })),
    { what: "phase 1 (whole run)", "median s": report.medianRunSeconds.toFixed(2) },
    { what: "rollback", "median s": report.medianRollbackSeconds.toFixed(2) },
  ]);
  writeReport("phase-1", report);
  console.log(`${audits.toLocaleString("en-US")} audits, ${report.employees.toLocaleString("en-US")} employees; written to bench-results/phase-1.json`);
}
