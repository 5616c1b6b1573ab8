import { createHash } from "node:crypto";
import { legacySchema } from "@/lib/legacy/contract";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { phase1 } from "./phase-1";
import { PHASES } from "./phases";
import type { Check, PhaseDefinition, PlanContext, Queryable } from "./types";

/** The schema every unified object lives in; schema.prisma models it as `unified`. */
export const UNIFIED_SCHEMA = "unified";

const DEFINITIONS: Record<number, PhaseDefinition> = { 1: phase1 };

export function phaseDefinition(phase: number): PhaseDefinition | null {
  return DEFINITIONS[phase] ?? null;
}

export class UnknownPhaseError extends Error {
  override name = "UnknownPhaseError";
  readonly expected = true;
}

export function assertPhase(phase: number): void {
  if (!PHASES.some((p) => p.number === phase)) throw new UnknownPhaseError(`There is no phase ${phase}: phases are 1 to 5`);
}

export async function planContext(db: Queryable): Promise<PlanContext> {
  const schema = legacySchema();
  const discovery = await discoverLegacy(db, schema);
  return {
    db,
    legacySchema: schema,
    unifiedSchema: UNIFIED_SCHEMA,
    auditTables: discovery.scorecards.map((s) => s.tableName).sort(),
    discovery,
  };
}

export interface StepPlanView {
  id: string;
  title: string;
  statements: string[];
  estimatedRows: number;
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

export function planChecksum(steps: { id: string; statements: string[] }[]): string {
  const hash = createHash("sha256");
  for (const step of steps) {
    hash.update(`step:${step.id}\n`);
    for (const sql of step.statements) hash.update(`${sql}\n;\n`);
  }
  return hash.digest("hex");
}

export async function buildPlan(phase: number, db: Queryable): Promise<PhasePlan> {
  assertPhase(phase);
  const meta = PHASES.find((p) => p.number === phase)!;
  const definition = phaseDefinition(phase);
  if (!definition) {
    return { phase, title: meta.title, available: false, steps: [], checksum: "", preflight: [] };
  }
  const ctx = await planContext(db);
  const steps: StepPlanView[] = [];
  for (const step of definition.steps(ctx)) {
    const plan = await step.plan(ctx);
    steps.push({ id: step.id, title: step.title, ...plan });
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
