import type pg from "pg";
import { phaseDefinition } from "@/lib/plan/plan";
import type { PlanContext } from "@/lib/plan/types";
import { stepChecks } from "./checks/common";
import type { CheckResult, ValidationCheck, ValidationKind } from "./types";

/**
 * The suites of each phase, declared by its definition. Post-run: every step's own checks plus the
 * phase's independent checks (counts, content, integrity). Pre-flight: the phase's pre-flight
 * checks plus data quality.
 */
function phasePreflight(phase: number): ValidationCheck | null {
  const definition = phaseDefinition(phase);
  if (!definition) return null;
  return {
    id: "preflight:phase",
    title: `Phase ${phase}'s pre-flight checks`,
    category: "quality",
    async run(db, ctx) {
      const checks = await definition.preflight({ ...ctx, db: db as pg.PoolClient });
      return checks.map((c): CheckResult => ({ name: c.name, status: c.status, expected: "", actual: "", detail: c.detail }));
    },
  };
}

/** The checks of a suite; `onlyStep` narrows a post-run suite to the step that ran alone. */
export function suiteChecks(phase: number, kind: ValidationKind, ctx: PlanContext, options: { onlyStep?: string | null } = {}): ValidationCheck[] {
  if (kind === "preflight") {
    const own = phasePreflight(phase);
    return [...(own ? [own] : []), ...(phaseDefinition(phase)?.validation?.preflight(ctx) ?? [])];
  }
  const definition = phaseDefinition(phase);
  const steps = definition?.steps(ctx) ?? [];
  if (options.onlyStep) return stepChecks(steps.filter((s) => s.id === options.onlyStep));
  return [...stepChecks(steps), ...(definition?.validation?.postRun(ctx) ?? [])];
}
