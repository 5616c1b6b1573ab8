"use server";

import { revalidatePath } from "next/cache";
import { z, ZodError } from "zod";
import { recordActivity } from "@/lib/activity/log";
import { ForbiddenError } from "@/lib/auth/authorize";
import { hasNul, NUL_MESSAGE } from "@/lib/db/sql";
import { guardAction, type ActionResult } from "@/lib/auth/current";
import { approveAddendum, requestAddendum } from "@/lib/engine/addendum";
import { decidePlan, withdrawDecision } from "@/lib/engine/approvals";
import { decideRule, withdrawRuleDecision } from "@/lib/plan/phase-1/conflict-rules";
import { overrideConflict, withdrawOverride } from "@/lib/plan/phase-1/conflicts";
import { rehearse } from "@/lib/engine/rehearsal";
import { describePrediction, rehearsalView } from "@/lib/engine/rehearsal-view";
import { cancelRun, dryRunPlan, pauseRun, requestRollback, requestRun, resumeRun } from "@/lib/engine/runs";

type Failure = Extract<ActionResult, { ok: false }>;

const phaseNumber = z.coerce.number().int().min(1, "Phases are 1 to 5").max(5, "Phases are 1 to 5");

interface Attempt {
  actor: { id: number | null; email: string | null };
  action: string;
  target: string;
}

/** A refused request is shown to the operator and, like every attempt, written to the activity log. */
async function failure(error: unknown, attempt: Attempt): Promise<Failure> {
  // The lib already logged its refusal as denied: answer 403 without a second entry.
  if (error instanceof ForbiddenError) return { ok: false, status: 403, error: error.message };
  const result = explain(error);
  await recordActivity({ ...attempt, outcome: "failed", detail: { error: result.error, status: result.status } });
  return result;
}

function explain(error: unknown): Failure {
  if (error instanceof ZodError) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of error.issues) fieldErrors[String(issue.path[0] ?? "form")] ??= issue.message;
    return { ok: false, status: 400, error: error.issues[0]?.message ?? "Check the form", fieldErrors };
  }
  if ((error as { expected?: unknown })?.expected === true) return { ok: false, status: 409, error: (error as Error).message };
  throw error;
}

/** Every page that shows a phase's state: the pipeline, the list, the phase itself. */
function revalidatePhase(phase: number): void {
  revalidatePath("/");
  revalidatePath("/phases");
  revalidatePath(`/phases/${phase}`);
}

const decisionInput = z.object({
  phase: phaseNumber,
  checksum: z.string().regex(/^[0-9a-f]{64}$/, "The plan's checksum is missing: reload the page"),
  decision: z.enum(["approved", "rejected"], "Choose approve or reject"),
  comment: z.string().max(2000, "A comment is at most 2000 characters").refine((s) => !hasNul(s), NUL_MESSAGE),
  acknowledged: z.array(z.string().max(500)).max(1000),
});

/** A lead approves or rejects the plan they read, bound to the checksum shown with it. */
export async function decidePlanAction(_: ActionResult | null, form: FormData): Promise<ActionResult> {
  const decision = form.get("decision") === "rejected" ? "phase.reject" : "phase.approve";
  const guard = await guardAction(decision, `phase ${form.get("phase")}`);
  if (!guard.ok) return guard;
  try {
    const input = decisionInput.parse({
      phase: form.get("phase"),
      checksum: form.get("checksum"),
      decision: form.get("decision"),
      comment: form.get("comment") ?? "",
      acknowledged: form.getAll("acknowledge").map(String),
    });
    await decidePlan({ ...input, actor: guard.operator });
    revalidatePhase(input.phase);
    return { ok: true, message: input.decision === "approved" ? "Plan approved" : "Plan rejected" };
  } catch (error) {
    return failure(error, { actor: guard.operator, action: decision, target: `phase ${form.get("phase")}` });
  }
}

/** A lead takes back the current decision while nothing has run under it. */
export async function withdrawDecisionAction(phase: number): Promise<ActionResult> {
  const guard = await guardAction("phase.withdraw", `phase ${phase}`);
  if (!guard.ok) return guard;
  try {
    const parsed = phaseNumber.parse(phase);
    await withdrawDecision({ phase: parsed, actor: guard.operator });
    revalidatePhase(parsed);
    return { ok: true, message: "Decision withdrawn: the plan awaits a lead's decision again" };
  } catch (error) {
    return failure(error, { actor: guard.operator, action: "phase.withdraw", target: `phase ${phase}` });
  }
}

async function run(phase: number, stepId?: string): Promise<ActionResult> {
  const target = `phase ${phase}${stepId ? ` step ${stepId}` : ""}`;
  const guard = await guardAction("phase.run", target);
  if (!guard.ok) return guard;
  try {
    const input = z.object({ phase: phaseNumber, stepId: z.string().min(1).max(100).refine((s) => !hasNul(s), NUL_MESSAGE).optional() }).parse({ phase, stepId });
    const queued = await requestRun(input.phase, guard.operator, input.stepId ? { onlyStep: input.stepId } : {});
    revalidatePhase(input.phase);
    return { ok: true, message: `Run #${queued.id} queued` };
  } catch (error) {
    return failure(error, { actor: guard.operator, action: "phase.run", target });
  }
}

export async function runPhaseAction(phase: number): Promise<ActionResult> {
  return run(phase);
}

/** Runs one step again, e.g. the merge step to apply leads' overrides. */
export async function runStepAction(phase: number, stepId: string): Promise<ActionResult> {
  return run(phase, stepId);
}

const addendumInput = z.object({
  checksum: z.string().regex(/^[0-9a-f]{64}$/, "The plan's checksum is missing: reload the page"),
  comment: z.string().max(2000, "A comment is at most 2000 characters").refine((s) => !hasNul(s), NUL_MESSAGE),
});

/** A lead approves loading the scorecard tables registered after Phase 2, bound to the checksum shown. */
export async function approveAddendumAction(_: ActionResult | null, form: FormData): Promise<ActionResult> {
  const guard = await guardAction("phase.approve", "phase 2 new scorecard tables");
  if (!guard.ok) return guard;
  try {
    const input = addendumInput.parse({ checksum: form.get("checksum"), comment: form.get("comment") ?? "" });
    await approveAddendum({ ...input, actor: guard.operator });
    revalidatePhase(2);
    return { ok: true, message: "Approved: an admin loads the new tables next" };
  } catch (error) {
    return failure(error, { actor: guard.operator, action: "phase.approve", target: "phase 2 new scorecard tables" });
  }
}

/** An admin runs the approved load of the new scorecard tables. */
export async function runAddendumAction(): Promise<ActionResult> {
  const guard = await guardAction("phase.run", "phase 2 new scorecard tables");
  if (!guard.ok) return guard;
  try {
    const queued = await requestAddendum(guard.operator);
    revalidatePhase(2);
    return { ok: true, message: `Run #${queued.id} queued` };
  } catch (error) {
    return failure(error, { actor: guard.operator, action: "phase.run", target: "phase 2 new scorecard tables" });
  }
}

export async function rollbackPhaseAction(phase: number): Promise<ActionResult> {
  const guard = await guardAction("phase.rollback", `phase ${phase}`);
  if (!guard.ok) return guard;
  try {
    const run = await requestRollback(phaseNumber.parse(phase), guard.operator);
    revalidatePhase(run.phase);
    return { ok: true, message: `Rollback #${run.id} queued` };
  } catch (error) {
    return failure(error, { actor: guard.operator, action: "phase.rollback", target: `phase ${phase}` });
  }
}

async function control(phase: number, action: "phase.pause" | "phase.resume" | "phase.cancel", call: typeof pauseRun, done: string): Promise<ActionResult> {
  const guard = await guardAction(action, `phase ${phase}`);
  if (!guard.ok) return guard;
  try {
    const parsed = phaseNumber.parse(phase);
    await call(parsed, guard.operator);
    revalidatePhase(parsed);
    return { ok: true, message: done };
  } catch (error) {
    return failure(error, { actor: guard.operator, action, target: `phase ${phase}` });
  }
}

export async function pauseRunAction(phase: number): Promise<ActionResult> {
  return control(phase, "phase.pause", pauseRun, "Pause requested: the run stops at the next batch boundary");
}

export async function resumeRunAction(phase: number): Promise<ActionResult> {
  return control(phase, "phase.resume", resumeRun, "Run resumed");
}

export async function cancelRunAction(phase: number): Promise<ActionResult> {
  return control(phase, "phase.cancel", cancelRun, "Cancel requested: committed batches stay, roll back to undo them");
}

export interface DryRun {
  checksum: string;
  steps: { id: string; title: string; estimatedRows: number; statements: string[] }[];
}

/** Every statement the phase would run, with row estimates; changes nothing but the activity log. */
export async function dryRunAction(phase: number): Promise<ActionResult<DryRun>> {
  const guard = await guardAction("phase.dry_run", `phase ${phase}`);
  if (!guard.ok) return guard;
  try {
    const { plan, statements } = await dryRunPlan(phaseNumber.parse(phase), guard.operator);
    return {
      ok: true,
      message: `${plan.steps.length} steps, ${statements} statements: nothing was changed`,
      data: { checksum: plan.checksum, steps: plan.steps },
    };
  } catch (error) {
    return failure(error, { actor: guard.operator, action: "phase.dry_run", target: `phase ${phase}` });
  }
}

/** A dress rehearsal on a sample (rolled back): its prediction shows beside the plan. */
export async function rehearseAction(phase: number): Promise<ActionResult> {
  const guard = await guardAction("phase.dry_run", `phase ${phase}`);
  if (!guard.ok) return guard;
  try {
    const done = await rehearse({ phase: phaseNumber.parse(phase), actor: guard.operator });
    revalidatePhase(phase);
    return { ok: true, message: `Rehearsed on a ${done.samplePercent}% sample: ${describePrediction(rehearsalView(done))}` };
  } catch (error) {
    return failure(error, { actor: guard.operator, action: "phase.rehearse", target: `phase ${phase}` });
  }
}

const overrideInput = z.object({
  emailNormalized: z.string().trim().min(1, "Which person?").max(320).refine((s) => !hasNul(s), NUL_MESSAGE),
  field: z.string().trim().min(1, "Which field?").max(64).refine((s) => !hasNul(s), NUL_MESSAGE),
  value: z.string().max(500, "A value is at most 500 characters").refine((s) => !hasNul(s), NUL_MESSAGE),
  comment: z.string().max(2000, "A comment is at most 2000 characters").refine((s) => !hasNul(s), NUL_MESSAGE),
});

/** A lead decides a conflicted field; the merge step applies it on its next run. */
export async function overrideConflictAction(_: ActionResult | null, form: FormData): Promise<ActionResult> {
  const guard = await guardAction("conflict.override", `${form.get("emailNormalized")} ${form.get("field")}`);
  if (!guard.ok) return guard;
  try {
    // A radio picks a recorded value ("recorded:<value>") or the typed one ("other").
    const choice = String(form.get("choice") ?? "");
    const input = overrideInput.parse({
      emailNormalized: form.get("emailNormalized"),
      field: form.get("field"),
      value: choice.startsWith("recorded:") ? choice.slice("recorded:".length) : choice === "other" ? (form.get("other") ?? "") : "",
      comment: form.get("comment") ?? "",
    });
    await overrideConflict({ ...input, actor: guard.operator });
    revalidatePath("/conflicts");
    return { ok: true, message: "Override saved: it applies on the next run of the merge step" };
  } catch (error) {
    return failure(error, { actor: guard.operator, action: "conflict.override", target: `${form.get("emailNormalized")} ${form.get("field")}` });
  }
}

/** A lead withdraws their override; the merge rule decides again on the next run of the merge step. */
export async function withdrawOverrideAction(emailNormalized: string, field: string): Promise<ActionResult> {
  const target = `${emailNormalized} ${field}`;
  const guard = await guardAction("conflict.withdraw", target);
  if (!guard.ok) return guard;
  try {
    const input = overrideInput.pick({ emailNormalized: true, field: true }).parse({ emailNormalized, field });
    await withdrawOverride({ ...input, actor: guard.operator });
    revalidatePath("/conflicts");
    return { ok: true, message: "Override withdrawn: the rule decides again on the next run of the merge step" };
  } catch (error) {
    return failure(error, { actor: guard.operator, action: "conflict.withdraw", target });
  }
}

const ruleInput = z.object({
  field: z.string().trim().min(1, "Which field?").max(64).refine((s) => !hasNul(s), NUL_MESSAGE),
  prefer: z.enum(["users", "people"], "Choose which side wins: users or people"),
  comment: z.string().max(2000, "A comment is at most 2000 characters").refine((s) => !hasNul(s), NUL_MESSAGE),
});

/** A lead decides which side wins a field for every human; the merge step applies it on its next run. */
export async function decideRuleAction(_: ActionResult | null, form: FormData): Promise<ActionResult> {
  const target = `rule ${form.get("field")}`;
  const guard = await guardAction("conflict.decide_rule", target);
  if (!guard.ok) return guard;
  try {
    const input = ruleInput.parse({ field: form.get("field"), prefer: form.get("prefer"), comment: form.get("comment") ?? "" });
    await decideRule({ ...input, actor: guard.operator });
    revalidatePath("/conflicts");
    return { ok: true, message: `Decided: ${input.prefer} win ${input.field} for everyone from the next run of the merge step` };
  } catch (error) {
    return failure(error, { actor: guard.operator, action: "conflict.decide_rule", target });
  }
}

/** A lead withdraws a rule-wide decision; the rule decides again on the next run of the merge step. */
export async function withdrawRuleDecisionAction(field: string): Promise<ActionResult> {
  const target = `rule ${field}`;
  const guard = await guardAction("conflict.withdraw_rule", target);
  if (!guard.ok) return guard;
  try {
    const input = ruleInput.pick({ field: true }).parse({ field });
    await withdrawRuleDecision({ ...input, actor: guard.operator });
    revalidatePath("/conflicts");
    return { ok: true, message: "Decision withdrawn: the rule decides again on the next run of the merge step" };
  } catch (error) {
    return failure(error, { actor: guard.operator, action: "conflict.withdraw_rule", target });
  }
}
