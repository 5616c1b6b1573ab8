import { quoteIdent } from "@/lib/db/sql";
import { countRows, relationExists } from "../catalog";
import type { StatementCheckpoint } from "../run-statements";
import type { PlanContext, Step } from "../types";
import { IDENTITY_LOCKS } from "./identity-sql";

/** Reports of manager emails that match no employee, or the employee themself, for the employees `where` selects (alias e). */
export function managerConflictStatement(u: string, where: string): string {
  return `-- Report manager emails that match no employee, or the employee themself.
INSERT INTO ${u}.merge_conflicts (email_normalized, field, chosen_value, chosen_source, alternative_value, alternative_source, rule)
SELECT e.email_normalized, 'manager', NULL, NULL, e.manager_email, 'people#' || e.legacy_person_id,
       CASE WHEN e.manager_email = e.email_normalized THEN 'employee names themself as manager: manager left empty'
            ELSE 'manager email matches no employee: manager left empty' END
  FROM ${u}.employees e
 WHERE e.manager_email IS NOT NULL AND e.manager_id IS NULL AND ${where}
ON CONFLICT (email_normalized, field, alternative_source) DO NOTHING`;
}

/**
 * Reports of every employee among those `starts` selects whose chain of managers loops back to them.
 * Each chain is followed until it ends, comes back to its start, or meets someone it already passed
 * (a loop further up that the start only leads into), so a loop of any length is found; a fixed
 * depth (64 until 2026-12-02) missed longer ones and walked round every loop up to it.
 */
export function cycleConflictStatement(u: string, starts: string): string {
  return `-- Report every employee whose chain of managers loops back to them.
WITH RECURSIVE chain (start_id, current_id, passed) AS (
  SELECT id, manager_id, ARRAY[id] FROM ${u}.employees WHERE manager_id IS NOT NULL AND ${starts}
  UNION ALL
  SELECT c.start_id, e.manager_id, c.passed || c.current_id
    FROM chain c JOIN ${u}.employees e ON e.id = c.current_id
   WHERE e.manager_id IS NOT NULL AND c.current_id <> c.start_id AND c.current_id <> ALL (c.passed)
)
INSERT INTO ${u}.merge_conflicts (email_normalized, field, chosen_value, chosen_source, alternative_value, alternative_source, rule)
SELECT e.email_normalized, 'manager_cycle', e.manager_email, 'people#' || e.legacy_person_id, NULL,
       'people#' || e.legacy_person_id, 'manager chain loops back to this employee: kept as the directory states it'
  FROM ${u}.employees e
 WHERE e.id IN (SELECT start_id FROM chain WHERE current_id = start_id)
ON CONFLICT (email_normalized, field, alternative_source) DO NOTHING`;
}

/**
 * Turns each directory manager email into `manager_id`. A manager email that matches nobody, or
 * names the employee themself, leaves manager_id empty and is reported; cycles are kept as the
 * directory states them and reported for a person to untangle. Runs with every bucket locked
 * (IDENTITY_LOCKS.all), so no live-sync trigger moves a link meanwhile; from then on the triggers
 * keep the links (lib/plan/phase-1/identity-sync.ts).
 */
function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- Hold off live sync's writers while the links are settled for everyone (they wait, then apply their writes to the result).
SELECT pg_advisory_xact_lock(${IDENTITY_LOCKS.namespace}, ${IDENTITY_LOCKS.all})`,
    `-- Forget the manager reports of an earlier run or of live sync: the statements below make them again from the current employees.
DELETE FROM ${u}.merge_conflicts WHERE field IN ('manager', 'manager_cycle')`,
    `-- A link that no longer matches its manager email goes.
UPDATE ${u}.employees e SET manager_id = NULL
 WHERE e.manager_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM ${u}.employees m WHERE m.id = e.manager_id AND m.email_normalized = e.manager_email AND m.id <> e.id)`,
    `-- Link each employee to their manager by normalised email.
UPDATE ${u}.employees e SET manager_id = m.id
  FROM ${u}.employees m
 WHERE m.email_normalized = e.manager_email AND m.id <> e.id AND e.manager_id IS DISTINCT FROM m.id`,
    `-- Fresh statistics now that managers are linked: without them the planner, told that almost no
-- employee has a manager, walks the chains below with a quadratic nested loop.
ANALYZE ${u}.employees`,
    managerConflictStatement(u, "true"),
    cycleConflictStatement(u, "true"),
  ];
}

export const resolveManagers: Step<StatementCheckpoint> = {
  id: "resolve-managers",
  title: "Resolve managers to employee ids, reporting dangling managers and cycles",
  unit: "statements",
  async plan(ctx) {
    return { statements: statements(ctx), estimatedRows: 0 };
  },
  async run(ctx) {
    // The lock is taken again in each statement's transaction: it is held until that transaction ends.
    const [lock, ...rest] = ctx.statements as [string, ...string[]];
    await ctx.setTotal(rest.length);
    for (let i = ctx.checkpoint?.next ?? 0; i < rest.length; i++) {
      if (await ctx.interrupted()) return;
      await ctx.batch(async (db) => {
        await db.query(lock);
        await db.query(rest[i]!);
        return { checkpoint: { next: i + 1 }, rows: 1 };
      });
    }
  },
  async verify(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    const unexplained = await countRows(
      ctx.db,
      `SELECT count(*) AS n FROM ${u}.employees e
        WHERE e.manager_email IS NOT NULL AND e.manager_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM ${u}.merge_conflicts c WHERE c.email_normalized = e.email_normalized AND c.field = 'manager')`,
    );
    return [
      {
        name: "every manager email is resolved or reported",
        status: unexplained === 0 ? "pass" : "fail",
        detail: unexplained === 0 ? "no unexplained empty managers" : `${unexplained} employees lost their manager silently`,
      },
    ];
  },
  async rollback(ctx) {
    if (await relationExists(ctx.db, ctx.unifiedSchema, "employees")) {
      const u = quoteIdent(ctx.unifiedSchema);
      await ctx.db.query(`UPDATE ${u}.employees SET manager_id = NULL WHERE manager_id IS NOT NULL`);
      await ctx.db.query(`DELETE FROM ${u}.merge_conflicts WHERE field IN ('manager', 'manager_cycle')`);
    }
  },
};
