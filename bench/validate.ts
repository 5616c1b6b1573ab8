import { Command } from "commander";
import { printTable } from "@/lib/cli/output";
import { pool } from "@/lib/db/pool";
import { approveAndRun, TEST_LEAD } from "@/lib/engine/testing/phases";
import { legacySchema } from "@/lib/legacy/contract";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { executeValidation, requestValidation, validationReport } from "@/lib/validation/runs";
import { median, positive, reportHeader, withSeededCluster, writeReport } from "./cluster";
import { checksumLimit, type AuditTable } from "./phase-2";

/** The post-run suites of `phases`, one after another as a lead would request them: seconds per suite and in all, and the failing checks. */
export async function postRunSuites(phases: number[]): Promise<{ suites: Record<string, number>; total: number; failures: number }> {
  const suites: Record<string, number> = {};
  let failures = 0;
  const started = performance.now();
  for (const phase of phases) {
    const t0 = performance.now();
    const { id } = await requestValidation({ phase, kind: "post_run", actor: TEST_LEAD, enqueue: false });
    await executeValidation(id);
    suites[`phase ${phase}`] = (performance.now() - t0) / 1000;
    const report = await validationReport(id);
    failures += (report?.checks ?? []).flatMap((c) => c.results).filter((r) => r.status === "fail").length;
  }
  return { suites, total: (performance.now() - started) / 1000, failures };
}

/**
 * The full post-run validation after Phase 3 — the suites of phases 1, 2 and 3 — beside the
 * same-run floor: one order-independent checksum pass over the legacy audit tables and one over
 * `audits`, at the same time.
 */
export async function validateBench(args: string[]): Promise<void> {
  const opts = new Command("validate")
    .option("--audits <n>", "legacy audit rows", "1000000")
    .option("--runs <n>", "runs (median reported)", "3")
    .parse(args, { from: "user" })
    .opts<{ audits: string; runs: string }>();
  const audits = positive("--audits", opts.audits);
  const runs = positive("--runs", opts.runs);
  const results: { floor: number; suites: Record<string, number>; total: number; failures: number }[] = [];
  await withSeededCluster(audits, async () => {
    const discovery = await discoverLegacy(pool(), legacySchema());
    const tables: AuditTable[] = discovery.scorecards.map((s) => ({ table: s.tableName, fields: [], rows: 0 }));
    for (const phase of [1, 2, 3]) {
      const done = await approveAndRun(phase);
      if (done.status !== "succeeded") throw new Error(`phase ${phase} ${done.status}: ${done.error}`);
    }
    for (let run = 1; run <= runs; run++) {
      const floor = await checksumLimit(tables);
      const { suites, total, failures } = await postRunSuites([1, 2, 3]);
      results.push({ floor, suites, total, failures });
      console.log(`run ${run}/${runs}: suites ${total.toFixed(1)} s, floor ${floor.toFixed(1)} s, ${failures} failing checks`);
    }
  });
  const m = (pick: (r: (typeof results)[number]) => number) => median(results.map(pick));
  const report = {
    ...reportHeader("validate"),
    audits,
    runs: results,
    medianSuiteSeconds: Object.fromEntries(["phase 1", "phase 2", "phase 3"].map((k) => [k, m((r) => r.suites[k] ?? 0)])),
    medianTotalSeconds: m((r) => r.total),
    medianFloorSeconds: m((r) => r.floor),
    ratioToFloor: m((r) => r.total) / m((r) => r.floor),
  };
  printTable([
    ...Object.entries(report.medianSuiteSeconds).map(([k, s]) => ({ what: `post-run suite, ${k}`, "median s": s.toFixed(2) })),
    { what: "the full post-Phase-3 validation", "median s": report.medianTotalSeconds.toFixed(2) },
    { what: "floor: checksum legacy ∥ audits", "median s": report.medianFloorSeconds.toFixed(2) },
    { what: "validation / floor", "median s": `${report.ratioToFloor.toFixed(2)}×` },
  ]);
  writeReport("validate", report);
}
