import { afterAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { approvalState, planEstimates } from "@/lib/engine/approvals";
import { stopQueue } from "@/lib/engine/queue";
import { executeRun } from "@/lib/engine/runner";
import { requestRun } from "@/lib/engine/runs";
import { approveAndRun, phase1Outcome } from "@/lib/engine/testing/phases";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";
import { buildPlan } from "@/lib/plan/plan";
import { ConflictRuleError, decideRule, ruleStates, ruleSummary, withdrawRuleDecision } from "./conflict-rules";
import { listConflicts, overrideConflict, withdrawOverride } from "./conflicts";

withTestDatabase();
afterAll(() => stopQueue());

const LEAD = { id: null, email: "lead@test", roles: ["lead" as const] };

/**
 * Ana and Bob disagree between users and people (Bob also on being active), Cid agrees, Dee and
 * Eve are known to one table only, Fay has two people rows that disagree on her name.
 */
const LEGACY = `
${LEGACY_TABLES_DDL}
INSERT INTO users (id, email, password_hash, full_name, role, is_active, created_at) VALUES
  (1, 'Ana@Example.com', 'h1', 'Ana S.',    'Agent',      true,  '2024-01-01'),
  (2, 'bob@example.com', 'h2', 'Bob Stone', 'Supervisor', true,  '2024-01-01'),
  (3, 'cid@example.com', 'h3', 'Cid Ray',   'Agent',      false, '2024-01-01'),
  (4, 'dee@example.com', 'h4', 'Dee Only',  'Agent',      true,  '2024-01-01');
INSERT INTO people (id, email, name, department, team, country, manager_email, hire_date, status, created_at) VALUES
  (1, ' ana@example.com', 'Ana Silva',    'Support', 'Tier 1', 'Portugal', NULL, '2020-01-01', 'active',   '2023-01-01'),
  (2, 'BOB@example.com',  'Robert Stone', 'Support', 'Tier 1', 'Portugal', NULL, '2019-01-01', 'inactive', '2023-01-01'),
  (3, 'cid@example.com',  'Cid Ray',      'Sales',   'Tier 2', 'Spain',    NULL, NULL,         'inactive', '2023-01-01'),
  (4, 'eve@example.com',  'Eve People',   'Sales',   'Tier 2', 'Spain',    NULL, NULL,         'active',   '2023-01-01'),
  (5, 'fay@example.com',  'Fay Old',      'Sales',   'Tier 2', 'Spain',    NULL, NULL,         'active',   '2022-01-01'),
  (6, 'fay@example.com',  'Fay New',      'Sales',   'Tier 2', 'Spain',    NULL, NULL,         'active',   '2023-01-01');
INSERT INTO scorecards (id, name, table_name, channel, passing_score) VALUES (1, 'Email', 'email_audit', 'Email', 80);
INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position) VALUES (1, 'greeting', 'greeting', 'Greeting', 5, 1, 1);
`;

async function runMergeStep() {
  const run = await requestRun(1, SYSTEM_ACTOR, { onlyStep: "merge-identities" });
  await executeRun(run.id);
  const step = await prisma().stepRun.findUniqueOrThrow({ where: { runId_stepId: { runId: run.id, stepId: "merge-identities" } } });
  expect(step.status).toBe("succeeded");
}

type Outcome = Awaited<ReturnType<typeof phase1Outcome>>;

/** The employees whose row differs between two outcomes, with the columns that differ. */
function changedEmployees(before: Outcome, after: Outcome): Record<string, Record<string, unknown>> {
  expect(after.employees.map((e) => e.email_normalized)).toEqual(before.employees.map((e) => e.email_normalized));
  const changed: Record<string, Record<string, unknown>> = {};
  before.employees.forEach((was, i) => {
    const now = after.employees[i]!;
    for (const column of Object.keys(was)) {
      if (was[column] !== now[column]) (changed[was.email_normalized] ??= {})[column] = now[column];
    }
  });
  return changed;
}

let original: Outcome;

describe("a lead's rule-wide decisions on the merge", () => {
  it("deciding a rule changes neither the plan's checksum nor its approval", async () => {
    await pool().query(LEGACY);
    expect((await approveAndRun(1)).status).toBe("succeeded");
    original = await phase1Outcome(pool());
    const plan = await buildPlan(1, pool());

    await decideRule({ field: "full_name", prefer: "users", comment: "logins carry the names people chose", actor: LEAD });
    const replanned = await buildPlan(1, pool());
    expect(replanned.checksum).toBe(plan.checksum);
    const state = await approvalState(1, replanned.checksum, planEstimates(replanned));
    expect(state).toMatchObject({ current: { decision: "approved" }, voidedByChange: false, voidedReason: null });
  });

  it("is recorded with who, when and why, logged, and pending until the merge step runs again", async () => {
    const [fullName] = await ruleStates();
    expect(fullName).toMatchObject({
      field: "full_name",
      defaultRule: "people wins directory fields",
      inForce: { prefer: "users", comment: "logins carry the names people chose", decidedBy: "lead@test", pending: true },
      withdrawnSinceMerge: null,
    });
    const logged = await prisma().activityEntry.findMany({ where: { action: "conflict.decide_rule" } });
    expect(logged.map((e) => [e.actorEmail, e.target, e.outcome, e.detail])).toEqual([
      ["lead@test", "rule full_name", "ok", { prefer: "users", comment: "logins carry the names people chose", previous: null }],
    ]);
    // Nothing changes before the merge step runs.
    expect(await phase1Outcome(pool())).toEqual(original);
    const summary = await ruleSummary();
    expect(summary.find((r) => r.field === "full_name" && r.rule === "people wins directory fields")).toMatchObject({
      count: 2,
      decision: { field: "full_name", inForce: { prefer: "users", pending: true } },
    });
    expect(summary.find((r) => r.field === "duplicate_row")?.decision).toBeNull();
    expect(summary.find((r) => r.field === "full_name" && r.rule.startsWith("duplicate email in people"))?.decision).toBeNull();
  });

  it("changes exactly the affected employees' field on the next merge, and the conflicts say who decided", async () => {
    await runMergeStep();
    const after = await phase1Outcome(pool());
    expect(changedEmployees(original, after)).toEqual({
      "ana@example.com": { full_name: "Ana S." },
      "bob@example.com": { full_name: "Bob Stone" },
    });
    const names = await listConflicts({ field: "full_name" });
    expect(names.rows.map((r) => [r.emailNormalized, r.chosenValue, r.chosenSource, r.alternativeValue, r.alternativeSource, r.rule])).toEqual([
      ["ana@example.com", "Ana S.", "users#1", "Ana Silva", "people#1", "a lead decided: users win full_name"],
      ["bob@example.com", "Bob Stone", "users#2", "Robert Stone", "people#2", "a lead decided: users win full_name"],
      ["fay@example.com", "Fay New", "people#6", "Fay Old", "people#5", "duplicate email in people: the newest row is kept"],
    ]);
    // Every other conflict is as it was: none lost, none doubled.
    const untouched = (o: Outcome) => o.conflicts.filter((c) => !(c.field === "full_name" && c.chosen_source.split("#")[0] !== c.alternative_source.split("#")[0]));
    expect(untouched(after)).toEqual(untouched(original));
    expect(after.conflicts).toHaveLength(original.conflicts.length);

    const summary = await ruleSummary();
    expect(summary.find((r) => r.field === "full_name" && r.rule === "people wins directory fields")).toBeUndefined();
    expect(summary.find((r) => r.rule === "a lead decided: users win full_name")).toMatchObject({
      field: "full_name",
      count: 2,
      decision: { inForce: { prefer: "users", pending: false } },
    });
  });

  it("a single override beats the rule-wide decision", async () => {
    await overrideConflict({ emailNormalized: "ana@example.com", field: "full_name", value: "Ana Sofia Silva", comment: "her full name", actor: LEAD });
    await decideRule({ field: "is_active", prefer: "users", comment: "logins are switched off when people leave", actor: LEAD });
    await runMergeStep();
    expect(changedEmployees(original, await phase1Outcome(pool()))).toEqual({
      "ana@example.com": { full_name: "Ana Sofia Silva" },
      "bob@example.com": { full_name: "Bob Stone", is_active: true },
    });
    const bob = await listConflicts({ search: "bob", field: "is_active" });
    expect(bob.rows.map((r) => [r.chosenValue, r.chosenSource, r.alternativeValue, r.alternativeSource, r.rule])).toEqual([
      ["true", "users#2", "false", "people#2", "a lead decided: users win is_active"],
    ]);
  });

  it("a changed mind replaces the decision in force and keeps the old one as withdrawn", async () => {
    await decideRule({ field: "is_active", prefer: "people", comment: "the directory is right after all", actor: LEAD });
    const decisions = await prisma().conflictRuleDecision.findMany({ where: { field: "is_active" }, orderBy: { id: "asc" } });
    expect(decisions.map((d) => [d.prefer, d.withdrawnBy])).toEqual([["users", "lead@test"], ["people", null]]);
    const logged = await prisma().activityEntry.findFirst({ where: { action: "conflict.decide_rule" }, orderBy: { id: "desc" } });
    expect(logged?.detail).toEqual({ prefer: "people", comment: "the directory is right after all", previous: "users" });
    await runMergeStep();
    expect(changedEmployees(original, await phase1Outcome(pool()))["bob@example.com"]).toEqual({ full_name: "Bob Stone" });
    const bob = await listConflicts({ search: "bob", field: "is_active" });
    expect(bob.rows.map((r) => [r.chosenValue, r.chosenSource, r.rule])).toEqual([["false", "people#2", "a lead decided: people win is_active"]]);
  });

  it("withdrawing gives the field back to the rule on the next merge, exactly as before any decision", async () => {
    await withdrawRuleDecision({ field: "full_name", actor: LEAD });
    await withdrawRuleDecision({ field: "is_active", actor: LEAD });
    await withdrawOverride({ emailNormalized: "ana@example.com", field: "full_name", actor: LEAD });
    const [fullName] = await ruleStates();
    expect(fullName).toMatchObject({ inForce: null, withdrawnSinceMerge: { prefer: "users", withdrawnBy: "lead@test" } });
    const logged = await prisma().activityEntry.findMany({ where: { action: "conflict.withdraw_rule" }, orderBy: { id: "asc" } });
    expect(logged.map((e) => [e.target, e.detail])).toEqual([
      ["rule full_name", { prefer: "users", comment: "logins carry the names people chose", decidedBy: "lead@test" }],
      ["rule is_active", { prefer: "people", comment: "the directory is right after all", decidedBy: "lead@test" }],
    ]);
    await expect(withdrawRuleDecision({ field: "full_name", actor: LEAD })).rejects.toThrow("There is no rule-wide decision on full_name to withdraw");

    await runMergeStep();
    expect(await phase1Outcome(pool())).toEqual(original);
    expect((await ruleStates()).map((s) => [s.inForce, s.withdrawnSinceMerge])).toEqual([[null, null], [null, null]]);
  });

  it("refuses a decision a lead cannot make with a message that says why", async () => {
    const attempt = (input: Partial<Parameters<typeof decideRule>[0]>) =>
      decideRule({ field: "full_name", prefer: "users", comment: "why", actor: LEAD, ...input });
    await expect(attempt({ field: "department" })).rejects.toThrow(/"department" has no rule-wide decision: a lead decides full_name and is_active for everyone/);
    await expect(attempt({ prefer: "both" })).rejects.toThrow("Choose which side wins full_name: users or people");
    await expect(attempt({ comment: "  " })).rejects.toThrow(/a comment is required/);
    await expect(attempt({ field: "role" })).rejects.toBeInstanceOf(ConflictRuleError);
    expect(await prisma().conflictRuleDecision.count({ where: { withdrawnAt: null } })).toBe(0);
  });

  it("a non-lead is refused, and the refusal is logged once", async () => {
    for (const roles of [["admin" as const], ["analyst" as const]]) {
      const actor = { id: null, email: `${roles[0]}@test`, roles };
      const before = await prisma().activityEntry.count({ where: { action: "conflict.decide_rule", outcome: "denied" } });
      await expect(decideRule({ field: "full_name", prefer: "users", comment: "why", actor })).rejects.toMatchObject({ name: "ForbiddenError", status: 403 });
      expect(await prisma().activityEntry.count({ where: { action: "conflict.decide_rule", outcome: "denied" } })).toBe(before + 1);
    }
    await decideRule({ field: "full_name", prefer: "people", comment: "confirmed", actor: LEAD });
    const admin = { id: null, email: "admin@test", roles: ["admin" as const] };
    await expect(withdrawRuleDecision({ field: "full_name", actor: admin })).rejects.toMatchObject({ name: "ForbiddenError" });
    expect(await prisma().conflictRuleDecision.count({ where: { withdrawnAt: null } })).toBe(1);
  });
});
