import type pg from "pg";
import type { LegacyDiscovery } from "@/lib/legacy/discovery";
import type { ValidationCheck } from "@/lib/validation/types";

/** A query runner: a pool for planning and reads, one dedicated session while a step runs. */
export type Queryable = pg.Pool | pg.PoolClient;

/** What a step needs to state its plan: where the legacy tables are and what discovery found. */
export interface PlanContext {
  db: Queryable;
  /** Where the legacy tables are now: their home schema, or Phase 5's archive schema while it holds them. */
  legacySchema: string;
  /**
   * The schema the legacy tables belong to (UNIFY_LEGACY_SCHEMA). Differs from `legacySchema`
   * only while Phase 5's archive holds them; absent in plans frozen before Phase 5 existed.
   */
  legacyHome?: string;
  unifiedSchema: string;
  /** Every audit table that discovery found usable, in a stable order. */
  auditTables: string[];
  /** What discovery found in the legacy schema, anomalies included (for pre-flight checks). */
  discovery: LegacyDiscovery;
}

export interface UnitPlan {
  /** Stable within the plan (e.g. the audit table a unit loads); a name, not SQL. */
  id: string;
  title: string;
  statements: string[];
  estimatedRows: number;
}

export interface StepPlan {
  /** The exact SQL the step runs, readable, one statement per entry, each with its intent. */
  statements: string[];
  /** Rows the step will read or write, estimated from the catalog and counts. */
  estimatedRows: number;
  /**
   * Independent pieces of the step (e.g. one per audit table). The engine runs up to
   * UNIFY_PARALLEL of them at once, each on its own session with its own checkpoint; `run` is
   * called once per unit with that unit's statements. `statements` is then ignored.
   */
  units?: UnitPlan[];
}

export type CheckStatus = "pass" | "warn" | "fail";

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface BatchResult<C> {
  /** Where the next batch starts; committed with the batch's work in one transaction. */
  checkpoint: C;
  /** Rows this batch processed, added to the step's progress. */
  rows: number;
}

export interface StepContext<C = unknown> extends PlanContext {
  db: pg.PoolClient;
  /**
   * The statements the lead approved for this step (or this unit), frozen with the run: `run`
   * executes these, never SQL rebuilt from a fresh discovery.
   */
  statements: string[];
  /** The unit being run, for a step whose plan has units; null otherwise. */
  unit: { id: string; title: string } | null;
  /** The checkpoint of the last committed batch, or null on a fresh start. */
  checkpoint: C | null;
  /**
   * Runs one batch in its own transaction and commits it together with the new checkpoint and
   * progress, so a crash at any moment leaves either the whole batch or none of it.
   */
  batch(work: (db: pg.PoolClient) => Promise<BatchResult<C>>): Promise<void>;
  /** Sets the step's total for progress and ETA. */
  setTotal(rows: number): Promise<void>;
  /** True once an admin asked to pause or cancel: the step returns at the next batch boundary. */
  interrupted(): Promise<boolean>;
  log(message: string, level?: "info" | "warn" | "error"): Promise<void>;
}

/**
 * One step of a phase, the same four verbs for every step (after pgroll's operations):
 * state the plan, run resumably, verify, roll back. The engine knows only this interface.
 */
export interface Step<C = unknown> {
  id: string;
  title: string;
  /** What the step's progress counts (rows for data steps, statements for DDL). */
  unit: "rows" | "statements" | "tables";
  /**
   * For a step that states no rows but whose work grows with the data it reads (an index build, a
   * key validation): which legacy data that is, so a rehearsal scales its time on the sample by
   * that data's sample ratio (lib/engine/rehearsal.ts). DDL-only steps leave it out.
   */
  scalesWith?: "audits" | "links";
  plan(ctx: PlanContext): Promise<StepPlan>;
  run(ctx: StepContext<C>): Promise<void>;
  verify(ctx: PlanContext): Promise<Check[]>;
  rollback(ctx: StepContext<C>): Promise<void>;
}

export interface PhaseDefinition {
  number: number;
  title: string;
  /**
   * The phase's validation suites beyond its steps' own `verify` (lib/validation): pre-flight data
   * quality and the independent post-run checks (counts, content, integrity).
   */
  validation?: {
    preflight(ctx: PlanContext): ValidationCheck[];
    postRun(ctx: PlanContext): ValidationCheck[];
  };
  /** The ordered steps, built from what discovery found (audit tables are data). */
  steps(ctx: PlanContext): Step[];
  /** Checks that must hold before the phase may run; shown beside the plan for approval. */
  preflight(ctx: PlanContext): Promise<Check[]>;
  /**
   * What must still hold when an admin requests the run (after the approval): each entry is a
   * reason to refuse, none means the run may be queued. Phase 5 checks its flags here.
   */
  requirements?(ctx: PlanContext): Promise<string[]>;
  /**
   * What the plan is built from besides discovery (e.g. Phase 5's options a lead sets), as a
   * string: pages cache a plan per discovery fingerprint and this key, so a change shows at once.
   */
  planInputs?(ctx: PlanContext): Promise<string>;
  /** The same for a rollback request: reasons the phase cannot be undone now (e.g. its archive was dropped). */
  rollbackRequirements?(ctx: PlanContext): Promise<string[]>;
}
