import { Gauge, type Registry } from "prom-client";
import { pool } from "@/lib/db/pool";
import { runProgress } from "@/lib/engine/progress";
import { phaseStatus } from "@/lib/engine/runs";
import type { PhaseStatus } from "@/lib/engine/state-machine";
import { PHASES } from "@/lib/plan/phases";

// Every status a phase can be in, so that each has its series (0 or 1) and an alert sees a change.
const STATUSES: Record<PhaseStatus, true> = {
  not_started: true, queued: true, running: true, paused: true, succeeded: true, failed: true, cancelled: true,
  rolling_back: true, rolled_back: true, rollback_failed: true,
};
const PHASE_STATUSES = Object.keys(STATUSES) as PhaseStatus[];

interface LatestRun {
  id: number;
  phase: number;
  kind: string;
  status: string;
  heartbeat_age: number | null;
}

/** Each phase's latest run (the active one is always its phase's latest): one index scan per phase. */
async function latestRuns(): Promise<LatestRun[]> {
  const { rows } = await pool().query<LatestRun>(
    `SELECT r.id, r.phase, r.kind::text AS kind, r.status::text AS status,
            CASE WHEN r.status = 'running' THEN extract(epoch FROM now() - r.heartbeat_at)::float8 END AS heartbeat_age
       FROM unnest($1::int[]) AS p (phase)
       CROSS JOIN LATERAL (SELECT * FROM console.phase_runs WHERE phase = p.phase ORDER BY id DESC LIMIT 1) r`,
    [PHASES.map((p) => p.number)],
  );
  return rows;
}

/**
 * The runs' progress as the phase page shows it (lib/engine/progress.ts): rows done, rows/s and
 * ETA per run, step and unit, for each phase's latest run, read from the console's own tables.
 */
export async function collectRunMetrics(registry: Registry): Promise<void> {
  const gauge = (name: string, help: string, labelNames: string[]) => new Gauge({ name, help, labelNames, registers: [registry] });
  const runLabels = ["phase", "run", "kind"];
  const info = gauge("unify_run_info", "Each phase's latest run (1), with its kind and status.", [...runLabels, "status"]);
  const done = gauge("unify_run_rows_done", "Rows the run has done, its steps weighed as the phase page weighs them.", runLabels);
  const total = gauge("unify_run_rows_total", "Rows the run has to do (each step's count, or its plan's estimate).", runLabels);
  const rate = gauge("unify_run_rows_per_second", "The run's rows per second since it started (absent before its first rows).", runLabels);
  const eta = gauge("unify_run_eta_seconds", "Seconds the running run still needs at its rate so far (only while running).", runLabels);
  const heartbeat = gauge("unify_run_heartbeat_age_seconds", "Seconds since the running run's last committed batch or start (only while running).", runLabels);
  const stepLabels = [...runLabels, "step"];
  const stepDone = gauge("unify_step_rows_done", "Rows (or statements, or tables) a step of the run has done.", stepLabels);
  const stepTotal = gauge("unify_step_rows_total", "What the step has to do, once it has counted it.", stepLabels);
  const stepRate = gauge("unify_step_rows_per_second", "The step's rows per second (running or succeeded).", stepLabels);
  const stepEta = gauge("unify_step_eta_seconds", "Seconds the running step still needs at its rate so far.", stepLabels);
  const unitLabels = [...stepLabels, "unit"];
  const unitDone = gauge("unify_unit_rows_done", "Rows a parallel unit (e.g. one audit table) of a step has done.", unitLabels);
  const unitTotal = gauge("unify_unit_rows_total", "Rows the unit has to do, once it has counted them.", unitLabels);
  const unitRate = gauge("unify_unit_rows_per_second", "The unit's rows per second (running or succeeded).", unitLabels);
  const unitEta = gauge("unify_unit_eta_seconds", "Seconds the running unit still needs at its rate so far.", unitLabels);

  const phase = gauge("unify_phase_status", "Each phase's status (1 for the one it is in), from its latest full run or rollback.", ["phase", "status"]);
  const statuses = await Promise.all(PHASES.map((p) => phaseStatus(p.number)));
  PHASES.forEach((p, i) => {
    for (const status of PHASE_STATUSES) phase.set({ phase: String(p.number), status }, statuses[i]!.status === status ? 1 : 0);
  });

  const set = (metric: Gauge, labels: Record<string, string>, value: number | null) => {
    if (value !== null && Number.isFinite(value)) metric.set(labels, value);
  };
  const runs = await latestRuns();
  const progress = await Promise.all(runs.map((r) => runProgress(r.id, 0)));
  runs.forEach((run, i) => {
    const p = progress[i];
    if (!p) return;
    const labels = { phase: String(run.phase), run: String(run.id), kind: run.kind };
    info.set({ ...labels, status: p.status }, 1);
    // A run's progress is in rows; a rollback's counts the steps it undid, which are no rows.
    const rows = p.overall.unit === "rows";
    set(done, labels, rows ? p.overall.done : null);
    set(total, labels, rows ? p.overall.total : null);
    set(rate, labels, rows ? p.overall.perSecond : null);
    set(eta, labels, p.overall.etaSeconds);
    set(heartbeat, labels, run.heartbeat_age);
    for (const step of p.steps) {
      const s = { ...labels, step: step.stepId };
      set(stepDone, s, step.rowsDone);
      set(stepTotal, s, step.rowsTotal);
      set(stepRate, s, step.rowsPerSecond);
      set(stepEta, s, step.etaSeconds);
      for (const unit of step.units) {
        const u = { ...s, unit: unit.unitId };
        set(unitDone, u, unit.rowsDone);
        set(unitTotal, u, unit.rowsTotal);
        set(unitRate, u, unit.rowsPerSecond);
        set(unitEta, u, unit.etaSeconds);
      }
    }
  });
}
