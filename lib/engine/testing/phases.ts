import pg from "pg";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { buildPlan } from "@/lib/plan/plan";
import { executeValidation, requestValidation, validationReport } from "@/lib/validation/runs";
import { approvalState, decidePlan, planEstimates, withdrawDecision } from "../approvals";
import { runProgress } from "../progress";
import { executeRun } from "../runner";
import { requestRollback, requestRun } from "../runs";

export const TEST_LEAD = { id: null, email: "lead@test", roles: ["lead" as const] };

/** A lead approves the current plan of `phase` unless it already stands approved; returns its checksum. */
export async function approve(phase: number): Promise<string> {
  const plan = await buildPlan(phase, pool());
  const state = await approvalState(phase, plan.checksum, planEstimates(plan));
  if (state.current?.decision === "approved" && !state.stale) return plan.checksum;
  if (state.current) await withdrawDecision({ phase, actor: TEST_LEAD });
  const warnings = await runPreflight(phase);
  await decidePlan({ phase, checksum: plan.checksum, decision: "approved", comment: "", actor: TEST_LEAD, acknowledged: warnings });
  return plan.checksum;
}

/** Runs the phase's pre-flight suite here, as a worker would; returns the names of its warnings. */
export async function runPreflight(phase: number): Promise<string[]> {
  const { id } = await requestValidation({ phase, kind: "preflight", actor: TEST_LEAD, enqueue: false });
  await executeValidation(id);
  const report = await validationReport(id);
  return (report?.checks ?? []).flatMap((c) => c.results).filter((r) => r.status === "warn").map((r) => r.name);
}

/** Approves, requests and executes a phase in this process, as a worker would. */
export async function approveAndRun(phase: number) {
  await approve(phase);
  const run = await requestRun(phase, SYSTEM_ACTOR);
  await executeRun(run.id);
  return (await runProgress(run.id))!;
}

export async function rollBack(phase: number) {
  const run = await requestRollback(phase, SYSTEM_ACTOR);
  await executeRun(run.id);
  return (await runProgress(run.id))!;
}

/** Every object outside the console's own schemas: what a phase may add and a rollback must remove. */
export async function catalogSnapshot(db: pg.Pool | pg.Client): Promise<string[]> {
  const { rows } = await db.query<{ item: string }>(
    `SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text AS item
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('console', 'pg_catalog', 'information_schema', 'pg_toast')
     UNION ALL
     SELECT n.nspname || '.' || p.proname || ':function' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname NOT IN ('console', 'pg_catalog', 'information_schema')
     UNION ALL
     SELECT nspname || ':schema' FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' AND nspname NOT IN ('console', 'information_schema')
     ORDER BY 1`,
  );
  return rows.map((r) => r.item);
}

/**
 * Phase 1's merge units of a run ("buckets-F-L", titled "buckets F–L") as the engine records them:
 * each unit's checkpoint (its next bucket) and how many of its buckets it has committed.
 */
export async function mergeUnits(runId: number) {
  const { rows } = await pool().query<{ title: string; bucket: number | null; merged: number; status: string }>(
    `SELECT 'buckets ' || split_part(u.unit_id, '-', 2) || '–' || split_part(u.unit_id, '-', 3) AS title, u.status,
            (u.checkpoint->>'bucket')::int AS bucket,
            coalesce((u.checkpoint->>'bucket')::int - split_part(u.unit_id, '-', 2)::int, 0)::int AS merged
       FROM console.unit_runs u WHERE u.run_id = $1 AND u.step_id = 'merge-identities' ORDER BY u.position`,
    [runId],
  );
  return rows;
}

/** How many buckets Phase 1's merge units have committed in all. */
export const mergedBuckets = async (runId: number) => (await mergeUnits(runId)).reduce((n, u) => n + u.merged, 0);

/** The merged employees and conflicts as comparable text, independent of generated ids. */
export async function phase1Outcome(db: pg.Pool | pg.Client) {
  const employees = await db.query(
    `SELECT e.email_normalized, e.email, e.full_name, r.name AS role, d.name AS department, t.name AS team, c.name AS country,
            m.email_normalized AS manager, e.manager_email, e.hire_date::text, e.status, e.is_active, e.password_hash,
            e.legacy_user_id, e.legacy_person_id, e.source
       FROM unified.employees e
       LEFT JOIN unified.roles r ON r.id = e.role_id LEFT JOIN unified.departments d ON d.id = e.department_id
       LEFT JOIN unified.teams t ON t.id = e.team_id LEFT JOIN unified.countries c ON c.id = e.country_id
       LEFT JOIN unified.employees m ON m.id = e.manager_id
      ORDER BY e.email_normalized`,
  );
  const conflicts = await db.query(
    `SELECT email_normalized, field, chosen_value, chosen_source, alternative_value, alternative_source, rule
       FROM unified.merge_conflicts ORDER BY email_normalized NULLS FIRST, field, alternative_source`,
  );
  return { employees: employees.rows, conflicts: conflicts.rows };
}
