import { prisma } from "@/lib/db/prisma";
import { undoTitle } from "./undo-title";

export interface UnitProgress {
  unitId: string;
  status: string;
  rowsDone: number;
  rowsTotal: number | null;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
  error: string | null;
  /** The worker that claimed the unit last (UNIFY_WORKER_NAME, else host:pid); null before any did. */
  worker: string | null;
}

export interface StepProgress {
  stepId: string;
  title: string;
  status: string;
  rowsDone: number;
  rowsTotal: number | null;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
  durationMs: number | null;
  error: string | null;
  /** The step's parallel units, each with its own progress; empty for a step without units. */
  units: UnitProgress[];
}

/**
 * The whole run in one unit. A run counts rows: each step weighs the rows it reads or writes (its
 * plan's estimate, or its own count once known) and counts as far as it got. A rollback drops
 * objects and reads no rows, so it counts the steps it has undone.
 */
export interface OverallProgress {
  unit: "rows" | "steps";
  done: number;
  total: number;
  percent: number;
  /** In `unit` per second; null for a rollback (its steps take milliseconds each). */
  perSecond: number | null;
  etaSeconds: number | null;
  /** The step at work (or next to work), by its title ("Undo: …" in a rollback). */
  currentStep: string | null;
}

export interface RunProgress {
  id: number;
  overall: OverallProgress;
  phase: number;
  kind: string;
  status: string;
  pauseRequested: boolean;
  cancelRequested: boolean;
  onlyStep: string | null;
  requestedBy: string;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
  verification: { name: string; status: string; detail: string }[] | null;
  steps: StepProgress[];
  log: { id: string; at: string; level: string; stepId: string | null; message: string }[];
}

function rate(done: number, startedAt: Date | null, finishedAt: Date | null): number | null {
  if (!startedAt || done <= 0) return null;
  const seconds = ((finishedAt ?? new Date()).getTime() - startedAt.getTime()) / 1000;
  return seconds > 0 ? done / seconds : null;
}

interface Counted {
  status: string;
  rowsDone: bigint;
  rowsTotal: bigint | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
}

/** A step's or a unit's status, rows, rate and ETA; interrupted with its run, it is as stopped as the run. */
function live(row: Counted, runStatus: string) {
  const status = row.status === "running" && runStatus !== "running" ? runStatus : row.status;
  const done = Number(row.rowsDone);
  const total = row.rowsTotal === null ? null : Number(row.rowsTotal);
  const perSecond = status === "running" || status === "succeeded" ? rate(done, row.startedAt, row.finishedAt) : null;
  return {
    status,
    rowsDone: done,
    rowsTotal: total,
    rowsPerSecond: perSecond,
    etaSeconds: status === "running" && perSecond && total !== null ? Math.max(0, (total - done) / perSecond) : null,
    error: row.error,
  };
}

function overall(
  run: { kind: string; status: string; startedAt: Date | null; finishedAt: Date | null; plan: unknown },
  steps: (StepProgress & { title: string })[],
): OverallProgress {
  const current = steps.find((s) => s.status === "running") ?? steps.find((s) => s.status === "pending") ?? null;
  if (run.kind === "rollback") {
    const undone = steps.filter((s) => s.status === "succeeded").length;
    return {
      unit: "steps",
      done: undone,
      total: steps.length,
      percent: steps.length ? Math.floor((undone / steps.length) * 100) : 0,
      perSecond: null,
      etaSeconds: null,
      currentStep: current ? undoTitle(current.title) : null,
    };
  }
  const frozen = (run.plan ?? null) as { steps?: { id: string; estimatedRows?: number; unit?: string }[] } | null;
  const planned = new Map((frozen?.steps ?? []).map((s) => [s.id, s]));
  let rowsDone = 0;
  let rowsTotal = 0;
  for (const s of steps) {
    // A step of rows weighs the rows it counted; a step of statements or tables the rows its plan estimated.
    const plan = planned.get(s.stepId);
    const weight = Math.max(1, plan?.unit === "rows" && s.rowsTotal ? s.rowsTotal : (plan?.estimatedRows ?? 0));
    const fraction = s.status === "succeeded" ? 1 : s.rowsTotal ? Math.min(1, s.rowsDone / s.rowsTotal) : 0;
    rowsTotal += weight;
    rowsDone += weight * fraction;
  }
  const elapsed = run.startedAt ? ((run.finishedAt ?? new Date()).getTime() - run.startedAt.getTime()) / 1000 : 0;
  const rate = elapsed > 0 && rowsDone > 0 ? rowsDone / elapsed : null;
  return {
    unit: "rows",
    done: Math.round(rowsDone),
    total: Math.round(rowsTotal),
    percent: rowsTotal ? Math.min(100, Math.floor((rowsDone / rowsTotal) * 100)) : 0,
    perSecond: rate,
    etaSeconds: run.status === "running" && rate ? Math.max(0, (rowsTotal - rowsDone) / rate) : null,
    currentStep: current?.title ?? null,
  };
}

/** A run as the console and the CLI show it: steps with rows, rate and ETA, and the log tail. */
export async function runProgress(runId: number, logLimit = 200): Promise<RunProgress | null> {
  const run = await prisma().phaseRun.findUnique({
    where: { id: runId },
    include: {
      steps: { orderBy: { position: "asc" }, include: { units: { orderBy: { position: "asc" } } } },
      log: { orderBy: { id: "desc" }, take: logLimit },
    },
  });
  if (!run) return null;
  const steps = run.steps.map((s) => ({
    stepId: s.stepId,
    title: s.title,
    ...live(s, run.status),
    durationMs: s.startedAt && s.finishedAt ? s.finishedAt.getTime() - s.startedAt.getTime() : null,
    units: s.units.map((u) => ({ unitId: u.unitId, ...live(u, run.status), worker: u.worker })),
  }));
  return {
    id: run.id,
    overall: overall(run, steps),
    phase: run.phase,
    kind: run.kind,
    status: run.status,
    pauseRequested: run.pauseRequested,
    cancelRequested: run.cancelRequested,
    onlyStep: run.onlyStep,
    requestedBy: run.requestedBy,
    requestedAt: run.requestedAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationMs: run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
    error: run.error,
    verification: (run.verification as RunProgress["verification"]) ?? null,
    steps,
    log: run.log.reverse().map((l) => ({ id: l.id.toString(), at: l.at.toISOString(), level: l.level, stepId: l.stepId, message: l.message })),
  };
}

export async function latestRuns(phase: number, take = 20) {
  return prisma().phaseRun.findMany({ where: { phase }, orderBy: { id: "desc" }, take });
}
