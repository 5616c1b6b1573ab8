import type pg from "pg";
import type { Role } from "@/lib/auth/roles";
import { RunStateError } from "./errors";

/**
 * The one place where a run's state changes. A run is `status` plus two requests an admin can
 * leave for the executor (pause, cancel), which it honours at the next batch boundary. Every
 * event is a compare-and-set: one UPDATE whose WHERE names the states it may leave, so an event
 * that races another (a pause landing while the executor starts the run) either applies to the
 * state it sees in that instant or is refused — never silently lost or overwritten.
 */
export type RunStatus = "queued" | "running" | "paused" | "succeeded" | "failed" | "cancelled" | "rolled_back";

export type RunEvent =
  | "start" // an executor takes a queued run, or resumes an orphaned running one
  | "pause" // an admin: a queued run pauses at once, a running one at its next batch boundary
  | "resume" // an admin: a paused run is queued again
  | "cancel" // an admin: a queued or paused run ends at once, a running one at its next boundary
  | "settle_pause" // the executor honours a pause request
  | "settle_cancel" // the executor honours a cancel request
  | "succeed" // the executor: every step done and post-validation passed (no request pending)
  | "fail" // the executor: a step, the plan or post-validation failed
  | "roll_back"; // a finished run's objects were undone by a rollback

interface Transition {
  from: RunStatus[];
  /** Extra condition on the requests, in SQL over the run's row. */
  when?: string;
  /** Columns (other than status) set with the transition: column → SQL expression over the old row. */
  set: Record<string, string>;
  to: RunStatus | null;
}

/** from → to per event; an event has one or two arms, tried as a single statement. */
export const RUN_TRANSITIONS: Record<RunEvent, Transition[]> = {
  start: [{ from: ["queued", "running"], set: { started_at: "coalesce(started_at, now())", heartbeat_at: "now()" }, to: "running" }],
  pause: [
    { from: ["queued"], set: { pause_requested: "false" }, to: "paused" },
    { from: ["running"], when: "NOT pause_requested AND NOT cancel_requested", set: { pause_requested: "true" }, to: null },
  ],
  resume: [{ from: ["paused"], set: { pause_requested: "false", cancel_requested: "false" }, to: "queued" }],
  cancel: [
    { from: ["queued", "paused"], set: { finished_at: "now()", pause_requested: "false" }, to: "cancelled" },
    { from: ["running"], when: "NOT cancel_requested", set: { cancel_requested: "true" }, to: null },
  ],
  settle_pause: [{ from: ["running"], when: "pause_requested AND NOT cancel_requested", set: { pause_requested: "false" }, to: "paused" }],
  settle_cancel: [
    { from: ["running"], when: "cancel_requested", set: { finished_at: "now()", cancel_requested: "false", pause_requested: "false" }, to: "cancelled" },
  ],
  succeed: [{ from: ["running"], when: "NOT pause_requested AND NOT cancel_requested", set: { finished_at: "now()" }, to: "succeeded" }],
  fail: [{ from: ["running"], set: { finished_at: "now()", pause_requested: "false", cancel_requested: "false" }, to: "failed" }],
  roll_back: [{ from: ["succeeded", "failed", "cancelled"], set: {}, to: "rolled_back" }],
};

export class IllegalTransitionError extends RunStateError {
  override name = "IllegalTransitionError";
}

export interface RunState {
  id: number;
  status: RunStatus;
  pause_requested: boolean;
  cancel_requested: boolean;
}

const EVENT_WORDS: Record<RunEvent, string> = {
  start: "started",
  pause: "paused",
  resume: "resumed",
  cancel: "cancelled",
  settle_pause: "paused",
  settle_cancel: "cancelled",
  succeed: "marked succeeded",
  fail: "marked failed",
  roll_back: "marked rolled back",
};

function armSql(arm: Transition, index: number): { where: string; status: string } {
  const states = arm.from.map((s) => `'${s}'`).join(", ");
  return {
    where: `(status IN (${states})${arm.when ? ` AND ${arm.when}` : ""})`,
    status: `WHEN status IN (${states})${arm.when ? ` AND ${arm.when}` : ""} THEN ${arm.to ? `'${arm.to}'` : "status"} /* arm ${index} */`,
  };
}

/**
 * The UPDATE of one event: the WHERE is the union of its arms, every SET column is chosen per
 * arm with CASE, all evaluated on the row version the UPDATE locks (PostgreSQL re-checks the WHERE
 * on a concurrently updated row), so check and change are one atomic step.
 */
function eventStatement(event: RunEvent, extraSet: string[]): string {
  const arms = RUN_TRANSITIONS[event];
  const parts = arms.map(armSql);
  const columns = new Map<string, string[]>();
  arms.forEach((arm, i) => {
    for (const [column, value] of Object.entries(arm.set)) {
      if (!columns.has(column)) columns.set(column, arms.map(() => column));
      columns.get(column)![i] = value;
    }
  });
  const sets = [...columns].map(([column, values]) => {
    if (arms.length === 1) return `${column} = ${values[0]}`;
    const cases = values.map((v, i) => `WHEN ${parts[i]!.where} THEN ${v}`).join(" ");
    return `${column} = CASE ${cases} ELSE ${column} END`;
  });
  const status = arms.length === 1 && arms[0]!.to ? `'${arms[0]!.to}'` : `CASE ${parts.map((p) => p.status).join(" ")} ELSE status END`;
  return `UPDATE console.phase_runs SET ${[`status = (${status})::console.run_status`, ...sets, ...extraSet].join(", ")}
           WHERE id = $1 AND (${parts.map((p) => p.where).join(" OR ")})
           RETURNING id, status::text, pause_requested, cancel_requested`;
}

const statements = new Map<string, string>();

/**
 * Applies an event to a run as one compare-and-set. Returns the new state, or throws
 * IllegalTransitionError naming the state the run was in. `extra` adds columns set with the event
 * (e.g. the error of a failed run), always as parameters from $2 on.
 */
export async function transitionRun(
  db: pg.ClientBase | pg.Pool,
  runId: number,
  event: RunEvent,
  extra: Record<string, unknown> = {},
): Promise<RunState> {
  const result = await tryTransitionRun(db, runId, event, extra);
  if (result) return result;
  const { rows } = await db.query<RunState>(
    `SELECT id, status::text, pause_requested, cancel_requested FROM console.phase_runs WHERE id = $1`,
    [runId],
  );
  const now = rows[0];
  if (!now) throw new IllegalTransitionError(`Run #${runId} does not exist`);
  throw new IllegalTransitionError(`Run #${runId} cannot be ${EVENT_WORDS[event]}: it is ${describeState(now)}`);
}

/** Like transitionRun, but returns null when the run is not in a state the event may leave. */
export async function tryTransitionRun(
  db: pg.ClientBase | pg.Pool,
  runId: number,
  event: RunEvent,
  extra: Record<string, unknown> = {},
): Promise<RunState | null> {
  const keys = Object.keys(extra);
  for (const key of keys) if (!/^[a-z_]+$/.test(key)) throw new Error(`not a run column: ${key}`);
  const extraSet = keys.map((key, i) => `${key} = $${i + 2}`);
  const cacheKey = `${event}:${keys.join(",")}`;
  let sql = statements.get(cacheKey);
  if (!sql) statements.set(cacheKey, (sql = eventStatement(event, extraSet)));
  const { rows } = await db.query<RunState>(sql, [runId, ...keys.map((k) => extra[k])]);
  return rows[0] ?? null;
}

/** A run's state in words: "running (pause requested)". */
export function describeState(state: Pick<RunState, "status" | "pause_requested" | "cancel_requested">): string {
  if (state.status === "running" && state.cancel_requested) return "running (cancel requested)";
  if (state.status === "running" && state.pause_requested) return "running (pause requested)";
  return state.status.replace("_", " ");
}

// ---------------------------------------------------------------------------------------------
// What a person may do next, derived from the same states.

export type PhaseStatus =
  | "not_started" | "queued" | "running" | "paused" | "succeeded" | "failed" | "cancelled"
  | "rolling_back" | "rolled_back" | "rollback_failed";

export type PhaseAction = "approve" | "run" | "run_step" | "pause" | "resume" | "cancel" | "rollback" | "dry_run";

export interface PhaseActionInput {
  status: PhaseStatus;
  /** The phase's queued, running or paused run, if any (a whole run, a single step or a rollback). */
  active: Pick<RunState, "status" | "pause_requested" | "cancel_requested"> | null;
  /** Another phase has a queued, running or paused run (one runner at a time). */
  otherActive: boolean;
  planAvailable: boolean;
  approved: boolean;
  /** The current plan has a standing (not stale, not voided) decision, approval or rejection. */
  decided: boolean;
  /** The previous phase succeeded (always true for phase 1). */
  previousSucceeded: boolean;
  /** The next phase is not started or rolled back (always true for phase 5). */
  nextClear: boolean;
}

export const ACTION_ROLES: Record<PhaseAction, Role[]> = {
  approve: ["lead"],
  run: ["admin"],
  run_step: ["admin"],
  pause: ["admin"],
  resume: ["admin"],
  cancel: ["admin"],
  rollback: ["admin"],
  dry_run: ["admin"],
};

const RUNNABLE: PhaseStatus[] = ["not_started", "failed", "cancelled", "rolled_back", "rollback_failed"];
const ROLLBACKABLE: PhaseStatus[] = ["succeeded", "failed", "cancelled", "rollback_failed"];

/**
 * What may happen next to a phase, and who may do it: the pages show exactly these buttons and the
 * CLI prints them. The engine re-checks each one when it is asked (the state may have moved on).
 */
export function phaseActions(input: PhaseActionInput): PhaseAction[] {
  const actions: PhaseAction[] = [];
  const active = input.active;
  const idle = !active && !input.otherActive;
  if (input.planAvailable && !active && !input.decided) actions.push("approve");
  if (input.planAvailable && !active) actions.push("dry_run");
  if (idle && input.planAvailable && input.approved && input.previousSucceeded && RUNNABLE.includes(input.status)) actions.push("run");
  if (idle && input.planAvailable && input.approved && input.status === "succeeded") actions.push("run_step");
  if (active && (active.status === "queued" || (active.status === "running" && !active.pause_requested && !active.cancel_requested))) actions.push("pause");
  if (active?.status === "paused") actions.push("resume");
  if (active && !(active.status === "running" && active.cancel_requested)) actions.push("cancel");
  if (idle && input.nextClear && ROLLBACKABLE.includes(input.status)) actions.push("rollback");
  return actions;
}

/** The actions a person holding `roles` may take now. */
export function allowedActions(input: PhaseActionInput, roles: readonly Role[]): PhaseAction[] {
  return phaseActions(input).filter((action) => ACTION_ROLES[action].some((r) => roles.includes(r)));
}

// ---------------------------------------------------------------------------------------------
// Steps and their units: pending → running → succeeded | failed, each change a compare-and-set.

export type StepEvent = "start" | "succeed" | "fail";

/** from → to per event for a step (and for each unit of a step, the same). */
export const STEP_TRANSITIONS: Record<StepEvent, { from: string[]; to: string; set: string }> = {
  // A resumed step starts again from its checkpoint; a failed one is retried by a new run of the phase.
  start: { from: ["pending", "running", "failed"], to: "running", set: "started_at = coalesce(started_at, now()), error = NULL" },
  succeed: { from: ["running"], to: "succeeded", set: "finished_at = now(), rows_done = greatest(rows_done, coalesce(rows_total, 0))" },
  fail: { from: ["pending", "running"], to: "failed", set: "error = $4" },
};

/**
 * Moves a step, or one unit of it (`unitId`), as one compare-and-set; throws
 * IllegalTransitionError when it is not in a state the event may leave.
 */
export async function transitionStep(
  db: pg.ClientBase | pg.Pool,
  target: { runId: number; stepId: string; unitId?: string },
  event: StepEvent,
  error: string | null = null,
): Promise<void> {
  const t = STEP_TRANSITIONS[event];
  const states = t.from.map((s) => `'${s}'`).join(", ");
  const table = target.unitId === undefined ? "console.step_runs" : "console.unit_runs";
  const unit = target.unitId === undefined ? "$3::text IS NULL" : "unit_id = $3";
  const { rowCount } = await db.query(
    `UPDATE ${table} SET status = '${t.to}', ${t.set}
      WHERE run_id = $1 AND step_id = $2 AND ${unit} AND status IN (${states})`,
    event === "fail" ? [target.runId, target.stepId, target.unitId ?? null, error] : [target.runId, target.stepId, target.unitId ?? null],
  );
  if (!rowCount) {
    const what = target.unitId === undefined ? `step ${target.stepId}` : `unit ${target.unitId} of step ${target.stepId}`;
    throw new IllegalTransitionError(`Run #${target.runId}: ${what} cannot be ${EVENT_WORDS_STEP[event]} from its current state`);
  }
}

const EVENT_WORDS_STEP: Record<StepEvent, string> = { start: "started", succeed: "marked succeeded", fail: "marked failed" };
