import { Command } from "commander";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { printTable } from "@/lib/cli/output";
import { pool } from "@/lib/db/pool";
import { requestRun } from "@/lib/engine/runs";
import { executeRun } from "@/lib/engine/runner";
import { approve, approveAndRun, rollBack } from "@/lib/engine/testing/phases";
import { FLAG_KEYS } from "@/lib/flags/keys";
import { setFlag } from "@/lib/flags/store";
import { archiveManifest, setArchiveOptions } from "@/lib/plan/phase-5/archive";
import { positive, reportHeader, withSeededCluster, writeReport } from "./cluster";
import { stepRuns } from "./step-runs";

/**
 * Phase 5 and its rollback on seeded legacy data: Phases 1–4 run first and both flags go on, as
 * in production. Timed: the final validation a lead approves on (Phase 5's pre-flight suite), the
 * run end to end with each step (the move itself is a catalog change; the manifest reads every
 * archived row once; the post-run final validation reads the archive) and the rollback.
 */
export async function phase5Bench(args: string[]): Promise<void> {
  const opts = new Command("phase-5")
    .option("--audits <n>", "legacy audit rows", "100000")
    .parse(args, { from: "user" })
    .opts<{ audits: string }>();
  const audits = positive("--audits", opts.audits);
  const result = await withSeededCluster(audits, async () => {
    const phases = [];
    for (const phase of [1, 2, 3, 4]) {
      const t = performance.now();
      const run = await approveAndRun(phase);
      if (run.status !== "succeeded") throw new Error(`phase ${phase} ${run.status}: ${run.error}`);
      phases.push({ phase, seconds: (performance.now() - t) / 1000 });
    }
    for (const key of [FLAG_KEYS.employees, FLAG_KEYS.audits]) await setFlag({ key, enabled: true, comment: "bench", actor: SYSTEM_ACTOR });
    const { rows: views } = await pool().query<{ name: string }>(`SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'unified' AND relname = 'users_compat'`);
    await setArchiveOptions({ actor: SYSTEM_ACTOR, retentionUntil: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10), views: Object.fromEntries(views.map((v) => [v.name, false])) });

    let t = performance.now();
    await approve(5);
    const finalValidationSeconds = (performance.now() - t) / 1000;

    t = performance.now();
    const run = await requestRun(5, SYSTEM_ACTOR);
    await executeRun(run.id);
    const runSeconds = (performance.now() - t) / 1000;
    const { rows: ran } = await pool().query<{ status: string; error: string | null; finished_at: Date }>(`SELECT status::text, error, finished_at FROM console.phase_runs WHERE id = $1`, [run.id]);
    if (ran[0]?.status !== "succeeded") throw new Error(`phase 5 ${ran[0]?.status}: ${ran[0]?.error}`);
    const steps = await stepRuns(run.id);
    const { rows: lastStep } = await pool().query<{ finished: Date }>(`SELECT max(finished_at) AS finished FROM console.step_runs WHERE run_id = $1`, [run.id]);
    const postValidationSeconds = (ran[0]!.finished_at.getTime() - lastStep[0]!.finished.getTime()) / 1000;
    const manifest = (await archiveManifest(run.id))!;

    t = performance.now();
    const rollback = await rollBack(5);
    const rollbackSeconds = (performance.now() - t) / 1000;
    if (rollback.status !== "succeeded") throw new Error(`phase 5 rollback ${rollback.status}: ${rollback.error}`);
    const rollbackSteps = await stepRuns(rollback.id);
    return { phases, finalValidationSeconds, runSeconds, steps, postValidationSeconds, rollbackSeconds, rollbackSteps, archived: manifest.totals };
  });
  printTable([
    { what: "final validation before approval (Phase 5 pre-flight)", seconds: result.finalValidationSeconds.toFixed(2) },
    ...result.steps.map((s) => ({ what: `Phase 5 step ${s.step}`, seconds: s.seconds.toFixed(2) })),
    { what: "Phase 5 post-run: each archived table against the final validation", seconds: result.postValidationSeconds.toFixed(2) },
    { what: "Phase 5 end to end (request to succeeded)", seconds: result.runSeconds.toFixed(2) },
    ...result.rollbackSteps.map((s) => ({ what: `rollback step ${s.step}`, seconds: s.seconds.toFixed(2) })),
    { what: "Phase 5 rollback end to end", seconds: result.rollbackSeconds.toFixed(2) },
  ]);
  writeReport("phase-5", {
    ...reportHeader("phase-5"),
    audits,
    ...result,
  });
  console.log(`${audits.toLocaleString("en-US")} audits, ${result.archived.tables} tables (${result.archived.rows.toLocaleString("en-US")} rows) archived; target: Phase 5 and its rollback ≤ 60 s each; written to bench-results/phase-5.json`);
}
