import pg from "pg";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { overridePhaseDefinitionForTests } from "@/lib/plan/plan";
import { stopQueue } from "./queue";
import { executeRun, RUN_LOCK_NAMESPACE } from "./runner";
import { allowedActions, IllegalTransitionError, phaseActions, transitionRun, type PhaseActionInput, type RunEvent } from "./state-machine";
import { SYNTH_FIXTURE, syntheticPhase } from "./testing/synthetic-phase";

const db = withTestDatabase();
afterAll(async () => {
  overridePhaseDefinitionForTests(1, null);
  await stopQueue();
});

type State = "queued" | "running" | "running+pause" | "running+cancel" | "paused" | "succeeded" | "failed" | "cancelled" | "rolled_back";
const STATES: State[] = ["queued", "running", "running+pause", "running+cancel", "paused", "succeeded", "failed", "cancelled", "rolled_back"];
const EVENTS: RunEvent[] = ["start", "pause", "resume", "cancel", "settle_pause", "settle_cancel", "succeed", "fail", "roll_back"];

/**
 * The legal moves, written out by hand (not read from the engine's table, or this test could not
 * catch a wrong entry there). Anything not listed must be refused and leave the run unchanged.
 */
const LEGAL: Partial<Record<State, Partial<Record<RunEvent, State>>>> = {
  queued: { start: "running", pause: "paused", cancel: "cancelled" },
  running: { start: "running", pause: "running+pause", cancel: "running+cancel", succeed: "succeeded", fail: "failed" },
  "running+pause": { start: "running+pause", cancel: "running+cancel", settle_pause: "paused", fail: "failed" },
  "running+cancel": { start: "running+cancel", settle_cancel: "cancelled", fail: "failed" },
  paused: { resume: "queued", cancel: "cancelled" },
  succeeded: { roll_back: "rolled_back" },
  failed: { roll_back: "rolled_back" },
  cancelled: { roll_back: "rolled_back" },
};

async function makeRun(state: State): Promise<number> {
  const [status, request] = state.split("+") as [string, string | undefined];
  const { rows } = await pool().query<{ id: number }>(
    `INSERT INTO console.phase_runs (phase, kind, status, plan_checksum, requested_by, pause_requested, cancel_requested)
     VALUES (1, 'run', $1, '', 'test', $2, $3) RETURNING id`,
    [status, request === "pause", request === "cancel"],
  );
  return rows[0]!.id;
}

async function stateOf(runId: number): Promise<State> {
  const { rows } = await pool().query(`SELECT status::text, pause_requested, cancel_requested FROM console.phase_runs WHERE id = $1`, [runId]);
  const r = rows[0];
  return (r.cancel_requested ? `${r.status}+cancel` : r.pause_requested ? `${r.status}+pause` : r.status) as State;
}

// Only one run may be queued, running or paused at a time (unique index): clear them between cases.
beforeEach(() => pool().query(`UPDATE console.phase_runs SET status = 'rolled_back' WHERE status IN ('queued', 'running', 'paused')`));

describe("the run state machine", () => {
  for (const state of STATES) {
    for (const event of EVENTS) {
      const to = LEGAL[state]?.[event];
      it(`${event} on a ${state} run ${to ? `moves it to ${to}` : "is refused and changes nothing"}`, async () => {
        const runId = await makeRun(state);
        if (to) {
          await transitionRun(pool(), runId, event);
          expect(await stateOf(runId)).toBe(to);
        } else {
          await expect(transitionRun(pool(), runId, event)).rejects.toBeInstanceOf(IllegalTransitionError);
          expect(await stateOf(runId)).toBe(state);
        }
      });
    }
  }

  it("a refused request names the run's state", async () => {
    const runId = await makeRun("paused");
    await expect(transitionRun(pool(), runId, "pause")).rejects.toThrow(`Run #${runId} cannot be paused: it is paused`);
  });
});

/** Waits until some session of this database is blocked on a lock: the race is set up, not hoped for. */
async function waitForLockWaiter(): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await pool().query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows[0].n > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no session ever waited for the lock");
}

describe("requests racing the executor", () => {
  it("a pause that lands between the executor's read and its start is never lost", async () => {
    const runId = await makeRun("queued");
    const admin = new pg.Client({ connectionString: db.url() });
    await admin.connect();
    try {
      // The admin's pause holds the run's row; the executor reads "queued" and then must wait.
      await admin.query("BEGIN");
      await transitionRun(admin, runId, "pause");
      const executing = executeRun(runId);
      await waitForLockWaiter();
      await admin.query("COMMIT");
      expect(await executing).toBe("not runnable");
      expect(await stateOf(runId)).toBe("paused");
    } finally {
      await admin.end();
    }
  });

  it("a cancel that lands while the executor works is honoured at the next boundary, not overwritten", async () => {
    overridePhaseDefinitionForTests(1, syntheticPhase);
    await pool().query(SYNTH_FIXTURE);
    try {
      const { approve } = await import("./testing/phases");
      const { requestRun, cancelRun } = await import("./runs");
      const { SYSTEM_ACTOR } = await import("@/lib/activity/log");
      await approve(1);
      const run = await requestRun(1, SYSTEM_ACTOR);
      const admin = new pg.Client({ connectionString: db.url() });
      await admin.connect();
      try {
        await admin.query("BEGIN");
        // The run is queued: move it to running as the executor would, then hold a cancel request.
        await pool().query(`UPDATE console.phase_runs SET status = 'running' WHERE id = $1`, [run.id]);
        await transitionRun(admin, run.id, "cancel");
        const executing = executeRun(run.id);
        await waitForLockWaiter();
        await admin.query("COMMIT");
        expect(await executing).toBe("finished");
      } finally {
        await admin.end();
      }
      expect(await stateOf(run.id)).toBe("cancelled");
      await expect(cancelRun(1, SYSTEM_ACTOR)).rejects.toThrow("has no queued, running or paused run");
    } finally {
      overridePhaseDefinitionForTests(1, null);
    }
  });

  it("an executor that finds the run's lock taken answers busy and changes nothing", async () => {
    const runId = await makeRun("queued");
    const other = new pg.Client({ connectionString: db.url() });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock($1, $2)`, [RUN_LOCK_NAMESPACE, runId]);
      expect(await executeRun(runId)).toBe("busy");
      expect(await stateOf(runId)).toBe("queued");
      const { rows } = await pool().query(`SELECT count(*)::int AS n FROM console.run_log WHERE run_id = $1`, [runId]);
      expect(rows[0].n).toBe(0);
    } finally {
      await other.end();
    }
  });

  it("two connections inserting an active run at once: the unique index lets exactly one in", async () => {
    const a = new pg.Client({ connectionString: db.url() });
    const b = new pg.Client({ connectionString: db.url() });
    await Promise.all([a.connect(), b.connect()]);
    try {
      const insert = `INSERT INTO console.phase_runs (phase, kind, status, plan_checksum, requested_by) VALUES (1, 'run', 'queued', '', 'test') RETURNING id`;
      await a.query("BEGIN");
      await b.query("BEGIN");
      await a.query(insert);
      const second = b.query(insert).then(() => "inserted", (error: { code?: string }) => error.code);
      await waitForLockWaiter();
      await a.query("COMMIT");
      expect(await second).toBe("23505");
      await b.query("ROLLBACK");
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});

describe("what each role may do next", () => {
  const base: PhaseActionInput = {
    status: "not_started", active: null, otherActive: false, planAvailable: true, approved: true, decided: false, previousSucceeded: true, nextClear: true,
  };
  it("an approved, idle phase can be run by an admin and approved by a lead; an analyst does nothing", () => {
    expect(allowedActions(base, ["admin"])).toEqual(["dry_run", "run"]);
    expect(allowedActions(base, ["lead"])).toEqual(["approve"]);
    expect(allowedActions(base, ["analyst"])).toEqual([]);
  });
  it("a plan with a standing decision is not offered for approval again", () => {
    expect(allowedActions({ ...base, decided: true }, ["lead"])).toEqual([]);
    expect(allowedActions({ ...base, decided: true }, ["admin", "lead"])).toEqual(["dry_run", "run"]);
  });
  it("a running run can be paused or cancelled; once a pause is requested only cancel remains", () => {
    const running = { status: "running" as const, pause_requested: false, cancel_requested: false };
    expect(phaseActions({ ...base, status: "running", active: running })).toEqual(["pause", "cancel"]);
    expect(phaseActions({ ...base, status: "running", active: { ...running, pause_requested: true } })).toEqual(["cancel"]);
    expect(phaseActions({ ...base, status: "running", active: { ...running, cancel_requested: true } })).toEqual([]);
  });
  it("a paused run can be resumed or cancelled", () => {
    expect(phaseActions({ ...base, status: "paused", active: { status: "paused", pause_requested: false, cancel_requested: false } })).toEqual(["resume", "cancel"]);
  });
  it("nothing runs while another phase's run is active, and a phase waits for its predecessor", () => {
    expect(phaseActions({ ...base, otherActive: true })).toEqual(["approve", "dry_run"]);
    expect(phaseActions({ ...base, previousSucceeded: false })).toEqual(["approve", "dry_run"]);
    expect(phaseActions({ ...base, approved: false })).toEqual(["approve", "dry_run"]);
  });
  it("a succeeded phase can re-run a step or be rolled back, unless the next phase still stands", () => {
    expect(phaseActions({ ...base, status: "succeeded" })).toEqual(["approve", "dry_run", "run_step", "rollback"]);
    expect(phaseActions({ ...base, status: "succeeded", nextClear: false })).toEqual(["approve", "dry_run", "run_step"]);
  });
});

describe("the step state machine", () => {
  const STEP_LEGAL: Record<string, Partial<Record<"start" | "succeed" | "fail", string>>> = {
    pending: { start: "running", fail: "failed" },
    running: { start: "running", succeed: "succeeded", fail: "failed" },
    failed: { start: "running" },
    succeeded: {},
    skipped: {},
  };
  for (const [from, moves] of Object.entries(STEP_LEGAL)) {
    for (const event of ["start", "succeed", "fail"] as const) {
      const to = moves[event];
      it(`${event} on a ${from} step ${to ? `moves it to ${to}` : "is refused and changes nothing"}`, async () => {
        const runId = await makeRun("failed");
        await pool().query(`INSERT INTO console.step_runs (run_id, step_id, position, title, status) VALUES ($1, 's', 0, 'S', $2)`, [runId, from]);
        const { transitionStep } = await import("./state-machine");
        const now = async () => (await pool().query(`SELECT status::text FROM console.step_runs WHERE run_id = $1`, [runId])).rows[0].status;
        if (to) {
          await transitionStep(pool(), { runId, stepId: "s" }, event, "boom");
          expect(await now()).toBe(to);
        } else {
          await expect(transitionStep(pool(), { runId, stepId: "s" }, event, "boom")).rejects.toBeInstanceOf(IllegalTransitionError);
          expect(await now()).toBe(from);
        }
      });
    }
  }
});
