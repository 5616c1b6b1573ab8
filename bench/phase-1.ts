import { Command } from "commander";
import { printTable } from "@/lib/cli/output";
import { pool } from "@/lib/db/pool";
import { qualified, quoteIdent } from "@/lib/db/sql";
import { approveAndRun, rollBack } from "@/lib/engine/testing/phases";
import { legacySchema, normalisedEmailSql } from "@/lib/legacy/contract";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { median, positive, reportHeader, withSeededCluster, writeReport } from "./cluster";

/**
 * The machine's floor for Phase 1 on this data, measured in the same run: the one pass it cannot
 * avoid — every audit table's two email columns read, made distinct and normalised — on two
 * sessions at once (half the tables each), plus the same for users and people. Nothing is written.
 * Its cheapest form (the one the referenced-humans step uses): one scan per column, DISTINCT on the
 * raw text by hash, then each distinct spelling normalised once.
 */
export async function distinctEmailsFloor(): Promise<number> {
  const discovery = await discoverLegacy(pool(), legacySchema());
  const tables = [...discovery.scorecards.map((s) => s.tableName), "audit_assignments"];
  const scan = (table: string, columns: string[]) =>
    `SELECT count(DISTINCT ${normalisedEmailSql("s.e")}) FROM (${columns.map((c) => `SELECT ${quoteIdent(c)} AS e FROM ${qualified(legacySchema(), table)}`).join(" UNION ")}) s`;
  const halves = [tables.filter((_, i) => i % 2 === 0), tables.filter((_, i) => i % 2 === 1)];
  const started = performance.now();
  await Promise.all(
    halves.map(async (half, i) => {
      const session = await pool().connect();
      try {
        for (const table of half) await session.query(scan(table, ["employee_email", "auditor_email"]));
        if (i === 0) await session.query(scan("users", ["email"]));
        else await session.query(scan("people", ["email"]));
      } finally {
        session.release();
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

/** Phase 1 end to end on generated legacy data: run time per step, rollback time, and the same-run floor. */
export async function phase1Bench(args: string[]): Promise<void> {
  const opts = new Command("phase-1")
    .option("--audits <n>", "legacy audit rows", "1000000")
    .option("--runs <n>", "runs (median reported)", "3")
    .parse(args, { from: "user" })
    .opts<{ audits: string; runs: string }>();
  const audits = positive("--audits", opts.audits);
  const runs = positive("--runs", opts.runs);

  const results: { run: number; runSeconds: number; rollbackSeconds: number; employees: number; steps: Record<string, number> }[] = [];
  const floors: number[] = [];
  await withSeededCluster(audits, async () => {
    for (let run = 1; run <= runs; run++) {
      floors.push(await distinctEmailsFloor());
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
    ...reportHeader("phase-1"),
    audits,
    employees: results[0]?.employees ?? 0,
    runs: results,
    medianRunSeconds: median(results.map((r) => r.runSeconds)),
    medianRollbackSeconds: median(results.map((r) => r.rollbackSeconds)),
    medianStepSeconds: Object.fromEntries(stepIds.map((id) => [id, median(results.map((r) => r.steps[id] ?? 0))])),
    medianFloorSeconds: median(floors),
    ratioToFloor: median(results.map((r) => r.runSeconds)) / median(floors),
  };
  printTable([
    ...stepIds.map((id) => ({ what: `step ${id}`, "median s": report.medianStepSeconds[id]!.toFixed(2) })),
    { what: "phase 1 (whole run)", "median s": report.medianRunSeconds.toFixed(2) },
    { what: "rollback", "median s": report.medianRollbackSeconds.toFixed(2) },
    { what: "floor: distinct normalised emails, 2 sessions", "median s": report.medianFloorSeconds.toFixed(2) },
    { what: "phase 1 / floor", "median s": `${report.ratioToFloor.toFixed(2)}×` },
  ]);
  writeReport("phase-1", report);
  console.log(`${audits.toLocaleString("en-US")} audits, ${report.employees.toLocaleString("en-US")} employees; written to bench-results/phase-1.json`);
}
