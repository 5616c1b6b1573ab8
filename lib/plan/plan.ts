import { createHash } from "node:crypto";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { legacyLocation } from "@/lib/legacy/location";
import { phase1 } from "./phase-1";
import { phase2 } from "./phase-2";
import { phase3 } from "./phase-3";
import { phase4 } from "./phase-4";
import { phase5 } from "./phase-5";
import { PHASES } from "./phases";
import type { Check, PhaseDefinition, PlanContext, Queryable } from "./types";

/** The schema every unified object lives in; schema.prisma models it as `unified`. */
export const UNIFIED_SCHEMA = "unified";

const DEFINITIONS: Record<number, PhaseDefinition> = { 1: phase1, 2: phase2, 3: phase3, 4: phase4, 5: phase5 };
const overrides = new Map<number, PhaseDefinition | null>();

export function phaseDefinition(phase: number): PhaseDefinition | null {
  if (overrides.has(phase)) return overrides.get(phase)!;
  return DEFINITIONS[phase] ?? null;
}

/**
 * Tests only: replaces a phase's definition in this process (null restores it), so the engine can
 * be exercised with synthetic steps (parallel units, failures on cue) through its real entry points.
 */
export function overridePhaseDefinitionForTests(phase: number, definition: PhaseDefinition | null): void {
  if (definition) overrides.set(phase, definition);
  else overrides.delete(phase);
}

export class UnknownPhaseError extends Error {
  override name = "UnknownPhaseError";
  readonly expected = true;
}

export function assertPhase(phase: number): void {
  if (!PHASES.some((p) => p.number === phase)) throw new UnknownPhaseError(`There is no phase ${phase}: phases are 1 to 5`);
}

/** The plan context: the legacy tables where they are now (Phase 5 may have archived them). */
export async function planContext(db: Queryable): Promise<PlanContext> {
  const location = await legacyLocation(db);
  const discovery = await discoverLegacy(db, location.schema);
  return {
    db,
    legacySchema: location.schema,
    legacyHome: location.home,
    unifiedSchema: UNIFIED_SCHEMA,
    auditTables: discovery.scorecards.map((s) => s.tableName).sort(),
    discovery,
  };
}

export interface UnitPlanView {
  id: string;
  title: string;
  statements: string[];
  estimatedRows: number;
}

export interface StepPlanView {
  id: string;
  title: string;
  /** Every statement of the step; for a step with units, each unit's statements in unit order. */
  statements: string[];
  estimatedRows: number;
  /** Independent pieces of the step that the engine runs in parallel, each with its statements. */
  units?: UnitPlanView[];
  /** What the step's progress counts. */
  unit: "rows" | "statements" | "tables";
}

export interface PhasePlan {
  phase: number;
  title: string;
  /** False while a phase has no steps in this version of Unify. */
  available: boolean;
  steps: StepPlanView[];
  /** sha256 over the step ids and their SQL: approving binds to it, any change voids the approval. */
  checksum: string;
  preflight: Check[];
}

export function planChecksum(steps: { id: string; statements: string[]; units?: { id: string; statements: string[] }[] }[]): string {
  const hash = createHash("sha256");
  for (const step of steps) {
    hash.update(`step:${step.id}\n`);
    if (step.units) {
      for (const unit of step.units) {
        hash.update(`unit:${JSON.stringify(unit.id)}\n`);
        for (const sql of unit.statements) hash.update(`${sql}\n;\n`);
      }
    } else {
      for (const sql of step.statements) hash.update(`${sql}\n;\n`);
    }
  }
  return hash.digest("hex");
}

export async function buildPlan(phase: number, db: Queryable): Promise<PhasePlan> {
  assertPhase(phase);
  const definition = phaseDefinition(phase);
  if (!definition) {
    const meta = PHASES.find((p) => p.number === phase)!;
    return { phase, title: meta.title, available: false, steps: [], checksum: "", preflight: [] };
  }
  return buildPlanFrom(phase, await planContext(db));
}

/** The plan of a phase from a given context: what a run freezes together with that context. */
export async function buildPlanFrom(phase: number, ctx: PlanContext): Promise<PhasePlan> {
  assertPhase(phase);
  const meta = PHASES.find((p) => p.number === phase)!;
  const definition = phaseDefinition(phase);
  if (!definition) return { phase, title: meta.title, available: false, steps: [], checksum: "", preflight: [] };
  const steps: StepPlanView[] = [];
  for (const step of definition.steps(ctx)) {
    const plan = await step.plan(ctx);
    const statements = plan.units ? plan.units.flatMap((u) => u.statements) : plan.statements;
    steps.push({ id: step.id, title: step.title, ...plan, statements, unit: step.unit });
  }
  return {
    phase,
    title: meta.title,
    available: true,
    steps,
    checksum: planChecksum(steps),
    preflight: await definition.preflight(ctx),
  };
}
