import { Command } from "commander";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import type { RefreshOutcome } from "@/lib/analytics/refresh";
import { printTable } from "@/lib/cli/output";
import { prisma } from "@/lib/db/prisma";
import { rehearse, RehearsalRefusedError } from "@/lib/engine/rehearsal";
import { rehearsalView } from "@/lib/engine/rehearsal-view";
import { approveAndRun, rollBack } from "@/lib/engine/testing/phases";
import { getEmployee, type Source } from "@/lib/flags/adapter";
import { journeyLines, tableRows, type Journey, type Limits, type PhaseOutcome } from "./all-table";
import { newAuditsThroughLegacy, refreshWhileReading } from "./analytics";
import { pageLatencies } from "./analytics-pages";
import { positive, reportHeader, sampleRss, withSeededCluster, writeReport } from "./cluster";
import { consolePagesOverHttp } from "./console-pages";
import { adapterAuditReport, adapterTimes, timeFlagRollbacks, turnFlagsOn, withOfrepReader } from "./flags";
import { analyticsLimits } from "./limits";
import { distinctEmailsFloor } from "./phase-1";
import { auditTables, checksumLimit, indexLimit, loadLimits } from "./phase-2";
import { linkRows, linksKeysLimit, linksRawLimit } from "./phase-3";
import { stepRuns } from "./step-runs";
import { postRunSuites } from "./validate";

interface Options {
  audits: number;
  runs: number;
  legacyRuns: number;
  pageLoads: number;
  flagRollbacks: number;
}

/** Runs `work`, saying on the console what it was, how long it took and Node's memory after (a 10M run lasts long enough to want to know where it is). */
async function stage<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`${what}: ${((performance.now() - started) / 1000).toFixed(2)} s (Node RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB)`);
  return result;
}

/** The phase rehearsed on a 1% sample, as `unify rehearse` does; a failed rehearsal is a finding of the bench, not the end of it. */
async function rehearsal(phase: number): Promise<PhaseOutcome["rehearsal"]> {
  try {
    const done = rehearsalView(await stage(`phase ${phase} rehearsal`, () => rehearse({ phase, actor: SYSTEM_ACTOR })));
    return { predictedSeconds: done.predictedSeconds, auditsSampled: done.auditsSampled, steps: done.steps, error: null };
  } catch (error) {
    if (!(error instanceof RehearsalRefusedError)) throw error;
    console.log(`phase ${phase} rehearsal: ${error.message}`);
    return { predictedSeconds: null, auditsSampled: null, steps: [], error: error.message };
  }
}

/** Rehearses the phase, then runs it as a worker would. */
async function rehearsedRun(phase: number): Promise<PhaseOutcome> {
  const rehearsed = await rehearsal(phase);
  const done = await stage(`phase ${phase}`, () => approveAndRun(phase));
  if (done.status !== "succeeded") throw new Error(`phase ${phase} ${done.status}: ${done.error}`);
  const steps = await stepRuns(done.id);
  const seconds = (done.durationMs ?? 0) / 1000;
  const stepsSeconds = steps.reduce((sum, s) => sum + s.seconds, 0);
  return {
    phase,
    runId: done.id,
    seconds,
    stepsSeconds,
    postValidationSeconds: Math.max(0, seconds - stepsSeconds),
    steps,
    rehearsal: rehearsed,
  };
}

async function rollbacks(): Promise<Journey["rollbacks"]> {
  const out: Journey["rollbacks"] = [];
  for (const phase of [4, 3, 2, 1]) {
    const undone = await stage(`phase ${phase} rollback`, () => rollBack(phase));
    if (undone.status !== "succeeded") throw new Error(`phase ${phase} rollback ${undone.status}: ${undone.error}`);
    out.push({ phase, seconds: (undone.durationMs ?? 0) / 1000 });
  }
  return out;
}

const employeeLookup = (email: string, source: Source) => getEmployee(email, { source });

async function journey(o: Options): Promise<Journey> {
  // Prisma's first query loads its query compiler (≈ 120 MB, once): memory that does not grow with the data, so "flat" is measured from after it.
  await prisma().$queryRaw`SELECT 1`;
  const rss = sampleRss();
  const tables = await auditTables();
  const links = await linkRows();

  const emails = await stage("limit: distinct normalised emails", distinctEmailsFloor);
  const phase1 = await rehearsedRun(1);
  const load = await stage("limits: raw copy and jsonb load", () => loadLimits(tables));
  const phase2 = await rehearsedRun(2);
  const indexes = await stage("limit: audits' index and FK builds", indexLimit);
  const linksRaw = await stage("limit: links raw copy", linksRawLimit);
  const phase3 = await rehearsedRun(3);
  const linksKeys = await stage("limit: links' index and FK builds", linksKeysLimit);
  const phase4 = await rehearsedRun(4);
  const analytics = await stage("limits: analytics index and materialized views", analyticsLimits);
  const checksum = await stage("limit: checksum legacy ∥ unified", () => checksumLimit(tables));
  const limits: Limits = { emails, ...load, indexes, linksRaw, linksKeys, analyticsIndex: analytics.index, analyticsViews: analytics.views, checksum };

  const validation = await stage("full validation", () => postRunSuites([1, 2, 3, 4]));
  const arrival = await stage("1% new audits through the legacy tables", () => newAuditsThroughLegacy(tables.map((t) => t.table)));
  const { refresh, during } = await stage("incremental refresh", refreshWhileReading);
  const analyticsPages = await stage("analytics page queries", () => pageLatencies(o.runs, o.legacyRuns));
  const employeeLookups = await stage("employee lookups", () => adapterTimes(employeeLookup, 100, 2));
  const adapterReports = await stage("adapter reports", () => adapterTimes(adapterAuditReport));
  const consolePages = await stage("console pages over HTTP", () => consolePagesOverHttp(o.pageLoads));
  await turnFlagsOn();
  const flagRollbacks = await stage("flag rollback", () => withOfrepReader((post) => timeFlagRollbacks(post, o.flagRollbacks)));
  const phaseRollbacks = await rollbacks();
  return {
    audits: o.audits,
    links,
    limits,
    phases: [phase1, phase2, phase3, phase4],
    validation,
    arrival,
    refresh: refreshSummary(refresh, during),
    analyticsPages,
    employeeLookups,
    adapterReports,
    consolePages,
    flagRollbacks,
    rollbacks: phaseRollbacks,
    rss: rss.stop(),
  };
}

function refreshSummary(refresh: RefreshOutcome, during: number[]): Journey["refresh"] {
  return { ...refresh, seconds: refresh.durationMs / 1000, readerMs: during };
}

/**
 * The whole journey in one run (issue #21): a fresh tuned PostgreSQL with N legacy audits; before
 * each of Phases 1–4 its same-run limits and a rehearsal on a 1% sample, the phase step by step,
 * the limits only measurable on its result after it; then the full validation beside its checksum
 * floor, 1% new audits through the legacy tables and an incremental refresh, the analytics pages,
 * the employee lookup and the adapter's report against their legacy equivalents, the console's
 * pages over HTTP, the flag rollback, and every phase's rollback, 4 to 1. One table, one JSON.
 */
export async function allBench(args: string[]): Promise<void> {
  const opts = new Command("all")
    .option("--audits <n>", "legacy audit rows", "1000000")
    .option("--runs <n>", "runs of each unified analytics page query", "200")
    .option("--legacy-runs <n>", "runs of each legacy report (each scans every audit table)", "10")
    .option("--page-loads <n>", "loads of each console page over HTTP", "50")
    .option("--flag-rollbacks <n>", "flag rollbacks to time (the slowest is reported)", "3")
    .parse(args, { from: "user" })
    .opts<{ audits: string; runs: string; legacyRuns: string; pageLoads: string; flagRollbacks: string }>();
  const options: Options = {
    audits: positive("--audits", opts.audits),
    runs: positive("--runs", opts.runs),
    legacyRuns: positive("--legacy-runs", opts.legacyRuns),
    pageLoads: positive("--page-loads", opts.pageLoads),
    flagRollbacks: positive("--flag-rollbacks", opts.flagRollbacks),
  };
  const started = performance.now();
  const result = await withSeededCluster(options.audits, () => journey(options));
  const elapsedSeconds = (performance.now() - started) / 1000;
  const lines = journeyLines(result);
  printTable(tableRows(lines));
  writeReport("all", {
    ...reportHeader("all"),
    options,
    elapsedSeconds,
    ...result,
    table: lines,
  });
  console.log(`${options.audits.toLocaleString("en-US")} audits; the whole bench (seed included) took ${elapsedSeconds.toFixed(1)} s; written to bench-results/all.json`);
}
