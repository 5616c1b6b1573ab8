import { phase1 } from "@/lib/plan/phase-1";
import { phase2 } from "@/lib/plan/phase-2";
import { phase3 } from "@/lib/plan/phase-3";
import { phase4 } from "@/lib/plan/phase-4";
import type { PhaseDefinition, PlanContext } from "@/lib/plan/types";
import type { ValidationCheck } from "../types";
import { stepChecks } from "./common";

/**
 * The final validation: the post-run suite of every earlier phase — their steps' own checks and
 * their independent checks — as one suite. Before Phase 5 it reads the legacy tables at home;
 * after, in the archive (the context follows them), which proves the move lost nothing.
 */
const EARLIER: PhaseDefinition[] = [phase1, phase2, phase3, phase4];

export function finalValidationChecks(ctx: PlanContext): ValidationCheck[] {
  return EARLIER.flatMap((definition) =>
    [...stepChecks(definition.steps(ctx)), ...(definition.validation?.postRun(ctx) ?? [])].map((check) => ({
      ...check,
      id: `phase-${definition.number}:${check.id}`,
      title: `Phase ${definition.number} · ${check.title}`,
    })),
  );
}

export function phase5PreflightChecks(ctx: PlanContext): ValidationCheck[] {
  return finalValidationChecks(ctx);
}

export function phase5PostRunChecks(ctx: PlanContext): ValidationCheck[] {
  return finalValidationChecks(ctx);
}
