import { recordActivity } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { prisma } from "@/lib/db/prisma";
import { EngineError } from "@/lib/engine/errors";
import { conflictSummary, isPending, lastMergeStartedAt } from "./conflicts";
import { BETWEEN_SOURCES_RULES, decidedRule, type RuleField, type RuleSide } from "./identity-sql";

/**
 * Leads' rule-wide decisions: for a field users and people both hold, which side wins for every
 * human ("for full_name, prefer users"). A decision lives in console.conflict_rule_decisions, which
 * the merge step's approved SQL reads as data — deciding never changes the plan or voids its
 * approval — and is applied, like an override, on the next run of the merge step. An override of
 * one human's field beats a rule-wide decision; withdrawing one gives the field back to the rule.
 */

export const RULE_FIELDS = Object.keys(BETWEEN_SOURCES_RULES) as RuleField[];
export const RULE_SIDES: readonly RuleSide[] = ["users", "people"];
export type { RuleField, RuleSide };

export class ConflictRuleError extends EngineError {
  override name = "ConflictRuleError";
}

export interface RuleDecisionView {
  prefer: RuleSide;
  comment: string;
  decidedBy: string;
  decidedAt: Date;
  /** Decided after the latest merge step began, so employees do not show it yet. */
  pending: boolean;
}

export interface RuleWithdrawalView {
  prefer: RuleSide;
  withdrawnBy: string;
  withdrawnAt: Date;
}

export interface RuleState {
  field: RuleField;
  /** The rule that decides while no lead has. */
  defaultRule: string;
  inForce: RuleDecisionView | null;
  /** A decision withdrawn since the latest merge step began: employees still show it until the next run. */
  withdrawnSinceMerge: RuleWithdrawalView | null;
}

/** Which rule-wide decision settles the conflicts a summary row counts, or null when none can. */
export function ruleFieldOf(field: string, rule: string): RuleField | null {
  const decidable = RULE_FIELDS.find((f) => f === field);
  if (!decidable) return null;
  const rules = [BETWEEN_SOURCES_RULES[decidable], ...RULE_SIDES.map((side) => decidedRule(side, decidable))];
  return rules.includes(rule) ? decidable : null;
}

/** Every decidable field with the decision in force, and whether employees reflect it yet. */
export async function ruleStates(): Promise<RuleState[]> {
  const [decisions, mergeStartedAt] = await Promise.all([
    prisma().conflictRuleDecision.findMany({ where: { field: { in: RULE_FIELDS } }, orderBy: { id: "desc" } }),
    lastMergeStartedAt(),
  ]);
  return RULE_FIELDS.map((field) => {
    const own = decisions.filter((d) => d.field === field);
    const current = own.find((d) => d.withdrawnAt === null);
    const withdrawn = own.find((d) => d.withdrawnAt !== null);
    return {
      field,
      defaultRule: BETWEEN_SOURCES_RULES[field],
      inForce: current
        ? {
            prefer: current.prefer as RuleSide,
            comment: current.comment,
            decidedBy: current.decidedBy,
            decidedAt: current.decidedAt,
            pending: isPending(current.decidedAt, mergeStartedAt),
          }
        : null,
      withdrawnSinceMerge:
        !current && withdrawn?.withdrawnAt && isPending(withdrawn.withdrawnAt, mergeStartedAt)
          ? { prefer: withdrawn.prefer as RuleSide, withdrawnBy: withdrawn.withdrawnBy ?? "unknown", withdrawnAt: withdrawn.withdrawnAt }
          : null,
    };
  });
}

export interface RuleSummaryRow {
  field: string;
  rule: string;
  count: number;
  /** The rule-wide decision that settles these conflicts, when one can. */
  decision: RuleState | null;
}

/**
 * The workbench's summary: conflicts per field and rule, largest first, each decidable row with the
 * rule-wide decision in force. A decidable field without conflicts is listed too while a decision
 * on it is in force, so it can be seen and withdrawn.
 */
export async function ruleSummary(): Promise<RuleSummaryRow[]> {
  const [summary, states] = await Promise.all([conflictSummary(), ruleStates()]);
  const stateOf = new Map(states.map((s) => [s.field, s]));
  const rows: RuleSummaryRow[] = summary.map((s) => {
    const field = ruleFieldOf(s.field, s.rule);
    return { ...s, decision: field ? stateOf.get(field)! : null };
  });
  for (const state of states) {
    if (state.inForce && !rows.some((r) => r.decision?.field === state.field)) {
      rows.push({ field: state.field, rule: state.defaultRule, count: 0, decision: state });
    }
  }
  return rows;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === "P2002";
}

/**
 * A lead decides which side wins a field for every human. It replaces the decision in force (kept,
 * marked withdrawn), is logged, and is applied by the next run of the merge step.
 */
export async function decideRule(input: { field: string; prefer: string; comment: string; actor: Principal }) {
  await authorize(input.actor, "conflict.decide_rule", `rule ${input.field}`);
  const field = RULE_FIELDS.find((f) => f === input.field);
  if (!field) {
    throw new ConflictRuleError(`"${input.field}" has no rule-wide decision: a lead decides ${RULE_FIELDS.join(" and ")} for everyone, other fields one person at a time`);
  }
  const prefer = RULE_SIDES.find((s) => s === input.prefer);
  if (!prefer) throw new ConflictRuleError(`Choose which side wins ${field}: users or people`);
  const comment = input.comment.trim();
  if (!comment) throw new ConflictRuleError("Say why you decide this rule for everyone: a comment is required");
  const decidedBy = input.actor.email ?? "unknown";
  try {
    const { previous, saved } = await prisma().$transaction(async (tx) => {
      const previous = await tx.conflictRuleDecision.findFirst({ where: { field, withdrawnAt: null } });
      if (previous) {
        await tx.conflictRuleDecision.update({ where: { id: previous.id }, data: { withdrawnAt: new Date(), withdrawnBy: decidedBy } });
      }
      const saved = await tx.conflictRuleDecision.create({ data: { field, prefer, comment, decidedBy } });
      return { previous, saved };
    });
    await recordActivity({
      actor: input.actor,
      action: "conflict.decide_rule",
      target: `rule ${field}`,
      outcome: "ok",
      detail: { prefer, comment, previous: previous?.prefer ?? null },
    });
    return saved;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictRuleError(`Another lead decided ${field} at the same moment: reload the page to see their decision`);
    }
    throw error;
  }
}

/**
 * A lead withdraws the decision in force: the rule decides the field again from the next run of
 * the merge step (until then employees keep the values the decision gave them).
 */
export async function withdrawRuleDecision(input: { field: string; actor: Principal }) {
  await authorize(input.actor, "conflict.withdraw_rule", `rule ${input.field}`);
  const withdrawnBy = input.actor.email ?? "unknown";
  const withdrawn = await prisma().conflictRuleDecision.updateManyAndReturn({
    where: { field: input.field, withdrawnAt: null },
    data: { withdrawnAt: new Date(), withdrawnBy },
  });
  const decision = withdrawn[0];
  if (!decision) throw new ConflictRuleError(`There is no rule-wide decision on ${input.field} to withdraw`);
  await recordActivity({
    actor: input.actor,
    action: "conflict.withdraw_rule",
    target: `rule ${decision.field}`,
    outcome: "ok",
    detail: { prefer: decision.prefer, comment: decision.comment, decidedBy: decision.decidedBy },
  });
}
