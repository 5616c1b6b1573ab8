import { prisma } from "@/lib/db/prisma";
import type { RehearsedStep } from "./rehearsal";

export interface RehearsalView {
  id: number;
  phase: number;
  planChecksum: string;
  samplePercent: number;
  status: string;
  requestedBy: string;
  startedAt: string;
  finishedAt: string | null;
  auditsTotal: number | null;
  auditsSampled: number | null;
  steps: RehearsedStep[];
  predictedSeconds: number | null;
  error: string | null;
}

/** "3 min 40 s", "45 s", "2 h 05 min": a duration as a person reads it. */
export function formatApproxDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** "expected to take about 3 min 40 s at 10,000,000 audits (rehearsed 10:02, 1% sample)" */
export function describePrediction(r: Pick<RehearsalView, "predictedSeconds" | "auditsTotal" | "finishedAt" | "samplePercent">): string | null {
  if (r.predictedSeconds === null || !r.finishedAt) return null;
  const audits = new Intl.NumberFormat("en-US").format(r.auditsTotal ?? 0);
  return `expected to take about ${formatApproxDuration(r.predictedSeconds)} at ${audits} audits (rehearsed ${r.finishedAt.slice(11, 16)}, ${r.samplePercent}% sample)`;
}

type Row = NonNullable<Awaited<ReturnType<ReturnType<typeof prisma>["rehearsal"]["findFirst"]>>>;

function view(r: Row): RehearsalView {
  return {
    id: r.id,
    phase: r.phase,
    planChecksum: r.planChecksum,
    samplePercent: r.samplePercent,
    status: r.status,
    requestedBy: r.requestedBy,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    auditsTotal: r.auditsTotal === null ? null : Number(r.auditsTotal),
    auditsSampled: r.auditsSampled === null ? null : Number(r.auditsSampled),
    steps: (r.steps as unknown as RehearsedStep[] | null) ?? [],
    predictedSeconds: r.predictedSeconds,
    error: r.error,
  };
}

export function rehearsalView(r: Row): RehearsalView {
  return view(r);
}

/** The phase's latest rehearsal (any outcome), for the approval panel and the run's comparison. */
export async function latestRehearsal(phase: number): Promise<RehearsalView | null> {
  const r = await prisma().rehearsal.findFirst({ where: { phase }, orderBy: { id: "desc" } });
  return r ? view(r) : null;
}

/** The last successful rehearsal of exactly this plan: the prediction a run of it is compared with. */
export async function rehearsalOf(phase: number, checksum: string): Promise<RehearsalView | null> {
  const r = await prisma().rehearsal.findFirst({ where: { phase, planChecksum: checksum, status: "succeeded" }, orderBy: { id: "desc" } });
  return r ? view(r) : null;
}

/** "the steps took 4 min 02 s; the rehearsal predicted 3 min 40 s (9% under)" */
export function describeOutcome(predictedSeconds: number, actualSeconds: number): string {
  const off = actualSeconds > 0 ? Math.round(((predictedSeconds - actualSeconds) / actualSeconds) * 100) : 0;
  const how = off === 0 ? "on the mark" : `${Math.abs(off)}% ${off < 0 ? "under" : "over"}`;
  return `the steps took ${formatApproxDuration(actualSeconds)}; the rehearsal predicted ${formatApproxDuration(predictedSeconds)} (${how})`;
}

/**
 * What the phase page shows about rehearsals: the latest one's prediction (or failure), and after
 * a successful run of a rehearsed plan, its steps' time beside that plan's prediction.
 */
export async function rehearsalSummary(
  phase: number,
  checksum: string,
  lastRun: { kind: string; status: string; planChecksum: string; stepsSeconds: number | null } | null,
): Promise<{ line: string; failed: boolean; older: boolean; outcome: string | null } | null> {
  const latest = await latestRehearsal(phase);
  if (!latest || latest.status === "running") return null;
  const ran = lastRun && lastRun.kind === "run" && lastRun.status === "succeeded" && lastRun.stepsSeconds !== null ? lastRun : null;
  const predicted = ran ? await rehearsalOf(phase, ran.planChecksum) : null;
  const outcome = ran && predicted?.predictedSeconds != null ? describeOutcome(predicted.predictedSeconds, ran.stepsSeconds!) : null;
  if (latest.status === "failed") return { line: `the last one failed: ${latest.error ?? "no reason recorded"}`, failed: true, older: latest.planChecksum !== checksum, outcome };
  return { line: describePrediction(latest) ?? "", failed: false, older: latest.planChecksum !== checksum, outcome };
}
