import type { Command } from "commander";
import { z } from "zod";
import { connectDatabase } from "@/lib/db/connect";
import { pool } from "@/lib/db/pool";
import { decidePlan, latestPreflight } from "@/lib/engine/approvals";
import { EngineError } from "@/lib/engine/errors";
import { runProgress, type RunProgress } from "@/lib/engine/progress";
import { stopQueue } from "@/lib/engine/queue";
import { executeRun } from "@/lib/engine/runner";
import { cancelRun, pauseRun, requestRollback, requestRun, resumeRun } from "@/lib/engine/runs";
import { startWorker } from "@/lib/engine/worker";
import { buildPlan, phaseDefinition } from "@/lib/plan/plan";
import { PHASES } from "@/lib/plan/phases";
import { executeValidation, requestValidation, validationReport } from "@/lib/validation/runs";
import { CliUsageError } from "./output";
import { signInAs } from "./auth";

const phaseArg = z.coerce.number().int().min(1, "phase is 1 to 5").max(5, "phase is 1 to 5");

function parsePhase(value: string): number {
  const parsed = phaseArg.safeParse(value);
  if (!parsed.success) throw new CliUsageError(`not a phase: "${value}" (phases are 1 to 5)`);
  return parsed.data;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "–";
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

function progressLine(run: RunProgress): string {
  const current = run.steps.find((s) => s.status === "running") ?? run.steps.findLast((s) => s.status !== "pending");
  const done = run.steps.filter((s) => s.status === "succeeded").length;
  const width = 24;
  const fraction = current?.rowsTotal ? Math.min(1, current.rowsDone / current.rowsTotal) : done / Math.max(1, run.steps.length);
  const bar = "#".repeat(Math.round(fraction * width)).padEnd(width, ".");
  const rate = current?.rowsPerSecond ? ` ${Math.round(current.rowsPerSecond)} rows/s` : "";
  const units = current?.units.length
    ? ` · ${current.units.filter((u) => u.status === "succeeded").length}/${current.units.length} tables done`
    : "";
  const eta = current?.etaSeconds !== null && current?.etaSeconds !== undefined ? ` ETA ${formatDuration(current.etaSeconds)}` : "";
  return `[${bar}] step ${Math.min(done + 1, run.steps.length)}/${run.steps.length} ${current?.stepId ?? ""} ${current?.rowsDone ?? 0}/${current?.rowsTotal ?? "?"}${rate}${eta}${units}`;
}

/** Executes the run here unless a worker already has it; follows it to its end either way. */
async function follow(runId: number): Promise<RunProgress> {
  const tty = process.stdout.isTTY;
  const ticker = tty
    ? setInterval(async () => {
        const p = await runProgress(runId, 1);
        if (p) process.stdout.write(`\r${progressLine(p)}\u001b[K`);
      }, 500)
    : null;
  try {
    for (;;) {
      if ((await executeRun(runId)) === "busy") await new Promise((r) => setTimeout(r, 1000));
      const progress = (await runProgress(runId, 1000))!;
      if (!["queued", "running"].includes(progress.status)) return progress;
    }
  } finally {
    if (ticker) clearInterval(ticker);
    if (tty) process.stdout.write("\n");
  }
}

function report(run: RunProgress): void {
  for (const entry of run.log) console.log(`${entry.at.slice(11, 19)} ${entry.level.padEnd(5)} ${entry.message}`);
  for (const c of run.verification ?? []) console.log(`check ${c.status.padEnd(4)} ${c.name}: ${c.detail}`);
  const took = run.durationMs !== null ? ` in ${formatDuration(run.durationMs / 1000)}` : "";
  console.log(`run #${run.id} ${run.kind === "rollback" ? "(rollback) " : ""}${run.status}${took}${run.error ? `: ${run.error}` : ""}`);
  if (run.status === "failed") process.exitCode = 1;
}

export function registerEngine(program: Command): void {
  program
    .command("plan <phase>")
    .description("a phase's plan: the exact SQL of each step, row estimates, checksum, pre-flight checks")
    .option("--json", "machine-readable output")
    .action(async (phaseText: string, opts: { json?: boolean }) => {
      const phase = parsePhase(phaseText);
      await connectDatabase();
      const plan = await buildPlan(phase, pool());
      if (opts.json) return void console.log(JSON.stringify(plan, null, 2));
      if (!plan.available) return void console.log(`Phase ${phase} (${plan.title}) has no steps in this version of Unify.`);
      console.log(`Phase ${phase} — ${plan.title}\nchecksum ${plan.checksum}\n`);
      for (const c of plan.preflight) console.log(`pre-flight ${c.status.padEnd(4)} ${c.name}: ${c.detail}`);
      for (const [i, step] of plan.steps.entries()) {
        console.log(`\n== ${i + 1}. ${step.id}: ${step.title} (~${step.estimatedRows} rows)`);
        for (const sql of step.statements) console.log(`${sql};\n`);
      }
    });

  program
    .command("approve <phase>")
    .description("approve (or --reject) the plan with the checksum you read (`unify plan`), as a lead")
    .requiredOption("--as <email>", "the lead's email (password from UNIFY_PASSWORD or asked)")
    .requiredOption("--checksum <sha>", "the plan's checksum as `unify plan` printed it (all 64 hex digits)")
    .option("--reject", "reject instead of approve")
    .option("--acknowledge-all", "acknowledge every warning of the plan's latest pre-flight report (they are listed)")
    .option("--comment <text>", "why", "")
    .action(async (phaseText: string, opts: { as: string; checksum: string; reject?: boolean; acknowledgeAll?: boolean; comment: string }) => {
      const phase = parsePhase(phaseText);
      if (!/^[0-9a-f]{64}$/.test(opts.checksum)) throw new CliUsageError("--checksum takes the plan's full sha256 (64 hex digits), as `unify plan` prints it");
      await connectDatabase();
      const operator = await signInAs(opts.as);
      let acknowledged: string[] = [];
      if (!opts.reject) {
        const report = await latestPreflight(phase, opts.checksum);
        const warnings = (report?.checks ?? []).flatMap((c) => c.results).filter((r) => r.status === "warn");
        if (warnings.length && opts.acknowledgeAll) {
          console.log(`acknowledging ${warnings.length} warnings of pre-flight report #${report!.id}:`);
          for (const w of warnings) console.log(`  warn ${w.name}: ${w.actual}`);
          acknowledged = warnings.map((w) => w.name);
        }
      }
      await decidePlan({
        phase,
        checksum: opts.checksum,
        decision: opts.reject ? "rejected" : "approved",
        comment: opts.comment,
        actor: { id: operator.id, email: operator.email, roles: operator.roles },
        acknowledged,
      });
      console.log(`phase ${phase} plan ${opts.checksum.slice(0, 12)}… ${opts.reject ? "rejected" : "approved"} by ${operator.email}`);
    });

  program
    .command("validate <phase>")
    .description("run a phase's validation suite (or `all` phases) here, with progress; exits 1 when a check fails")
    .requiredOption("--as <email>", "an admin's or a lead's email (password from UNIFY_PASSWORD or asked)")
    .option("--kind <kind>", "preflight or post-run", "post-run")
    .option("--json", "machine-readable output")
    .action(async (phaseText: string, opts: { as: string; kind: string; json?: boolean }) => {
      if (!["preflight", "post-run"].includes(opts.kind)) throw new CliUsageError(`--kind is preflight or post-run (got "${opts.kind}")`);
      const kind = opts.kind === "preflight" ? "preflight" : "post_run";
      const phases = phaseText === "all" ? PHASES.filter((p) => phaseDefinition(p.number)).map((p) => p.number) : [parsePhase(phaseText)];
      await connectDatabase();
      const operator = await signInAs(opts.as);
      const reports = [];
      for (const phase of phases) {
        const { id } = await requestValidation({ phase, kind, actor: operator, enqueue: false });
        const ticker = process.stdout.isTTY && !opts.json
          ? setInterval(async () => {
              const r = await validationReport(id);
              if (r) process.stdout.write(`\rvalidation #${id} phase ${phase}: ${r.checks.length - r.counts.pending}/${r.checks.length} checks\u001b[K`);
            }, 500)
          : null;
        try {
          while ((await executeValidation(id)) === "busy") await new Promise((r) => setTimeout(r, 500));
        } finally {
          if (ticker) {
            clearInterval(ticker);
            process.stdout.write("\n");
          }
        }
        const report = (await validationReport(id))!;
        reports.push(report);
        if (!opts.json) {
          for (const c of report.checks) for (const r of c.results) console.log(`${r.status.padEnd(4)} ${r.name}${r.actual ? `: ${r.actual}` : ""}`);
          console.log(`validation #${id} of phase ${phase} (${opts.kind}): ${report.verdict ?? report.status} — ${report.counts.pass} passed, ${report.counts.warn} warnings, ${report.counts.fail} failed`);
        }
        if (report.verdict === "fail" || report.status === "error") process.exitCode = 1;
      }
      if (opts.json) console.log(JSON.stringify(reports, null, 2));
    });

  program
    .command("run <phase>")
    .description("run an approved phase (or one --step), or show what would run with --dry-run")
    .option("--step <id>", "run only this step")
    .option("--dry-run", "print every statement and row estimate; change nothing")
    .option("--detach", "queue the run for a worker and return")
    .option("--as <email>", "the admin running it (password from UNIFY_PASSWORD or asked); not needed for --dry-run")
    .action(async (phaseText: string, opts: { step?: string; dryRun?: boolean; detach?: boolean; as?: string }) => {
      const phase = parsePhase(phaseText);
      await connectDatabase();
      if (opts.dryRun) {
        const plan = await buildPlan(phase, pool());
        const steps = opts.step ? plan.steps.filter((s) => s.id === opts.step) : plan.steps;
        if (opts.step && !steps.length) throw new EngineError(`Phase ${phase} has no step "${opts.step}"`);
        console.log(`-- dry run of phase ${phase} (plan ${plan.checksum.slice(0, 12)}…): nothing is changed`);
        for (const step of steps) {
          console.log(`\n-- step ${step.id}: ${step.title} (~${step.estimatedRows} rows)`);
          for (const sql of step.statements) console.log(`${sql};`);
        }
        return;
      }
      const run = await requestRun(phase, await signInAs(opts.as), { onlyStep: opts.step });
      console.log(`run #${run.id} of phase ${phase} queued`);
      if (!opts.detach) report(await follow(run.id));
      await stopQueue();
    });

  program
    .command("rollback <phase>")
    .description("undo a phase's objects (its steps' rollbacks in reverse order)")
    .requiredOption("--as <email>", "the admin rolling back (password from UNIFY_PASSWORD or asked)")
    .action(async (phaseText: string, opts: { as: string }) => {
      const phase = parsePhase(phaseText);
      await connectDatabase();
      const run = await requestRollback(phase, await signInAs(opts.as));
      report(await follow(run.id));
      await stopQueue();
    });

  for (const [name, action, description] of [
    ["pause", pauseRun, "pause a phase's run at its next batch boundary"],
    ["resume", resumeRun, "resume a paused run from its checkpoints"],
    ["cancel", cancelRun, "cancel a phase's run at its next batch boundary"],
  ] as const) {
    program
      .command(`${name} <phase>`)
      .description(description)
      .requiredOption("--as <email>", "the admin doing it (password from UNIFY_PASSWORD or asked)")
      .action(async (phaseText: string, opts: { as: string }) => {
        const phase = parsePhase(phaseText);
        await connectDatabase();
        const run = await action(phase, await signInAs(opts.as));
        console.log(`${name} requested for run #${run.id} of phase ${phase}`);
        await stopQueue();
      });
  }

  program
    .command("worker")
    .description("run the migration worker (takes queued runs, resumes orphaned ones)")
    .action(async () => {
      await connectDatabase();
      const worker = await startWorker();
      console.log("unify worker: waiting for runs");
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await worker.stop();
      await stopQueue();
    });
}
