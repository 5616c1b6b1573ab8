import { quoteIdent } from "@/lib/db/sql";
import { countRows, relationExists } from "../catalog";
import { runStatements, type StatementCheckpoint } from "../run-statements";
import type { PlanContext, Step } from "../types";

/**
 * Turns each directory manager email into `manager_id`. A manager email that matches nobody, or
 * names the employee themself, leaves manager_id empty and is reported; cycles are kept as the
 * directory states them and reported for a person to untangle.
 */
function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- Link each employee to their manager by normalised email.
UPDATE ${u}.employees e SET manager_id = m.id
  FROM ${u}.employees m
 WHERE m.email_normalized = e.manager_email AND m.id <> e.id AND e.manager_id IS DISTINCT FROM m.id`,
    `-- Fresh statistics now that managers are linked: without them the planner, told that almost no
-- employee has a manager, walks the chains below with a quadratic nested loop.
ANALYZE ${u}.employees`,
    `-- Report manager emails that match no employee, or the employee themself.
INSERT INTO ${u}.merge_conflicts (email_normalized, field, chosen_value, chosen_source, alternative_value, alternative_source, rule)
SELECT e.email_normalized, 'manager', NULL, NULL, e.manager_email, 'people#' || e.legacy_person_id,
       CASE WHEN e.manager_email = e.email_normalized THEN 'employee names themself as manager: manager left empty'
            ELSE 'manager email matches no employee: manager left empty' END
  FROM ${u}.employees e
 WHERE e.manager_email IS NOT NULL AND e.manager_id IS NULL
ON CONFLICT (email_normalized, field, alternative_source) DO NOTHING`,
    `-- Report every employee whose chain of managers loops back to them.
WITH RECURSIVE chain (start_id, current_id, depth) AS (
  SELECT id, manager_id, 1 FROM ${u}.employees WHERE manager_id IS NOT NULL
  UNION ALL
  SELECT c.start_id, e.manager_id, c.depth + 1
    FROM chain c JOIN ${u}.employees e ON e.id = c.current_id
   WHERE e.manager_id IS NOT NULL AND c.current_id <> c.start_id AND c.depth < 64
)
INSERT INTO ${u}.merge_conflicts (email_normalized, field, chosen_value, chosen_source, alternative_value, alternative_source, rule)
SELECT e.email_normalized, 'manager_cycle', e.manager_email, 'people#' || e.legacy_person_id, NULL,
       'people#' || e.legacy_person_id, 'manager chain loops back to this employee: kept as the directory states it'
  FROM ${u}.employees e
 WHERE e.id IN (SELECT start_id FROM chain WHERE current_id = start_id)
ON CONFLICT (email_normalized, field, alternative_source) DO NOTHING`,
  ];
}

export const resolveManagers: Step<StatementCheckpoint> = {
  id: "resolve-managers",
  title: "Resolve managers to employee ids, reporting dangling managers and cycles",
  unit: "statements",
  async plan(ctx) {
    return { statements: statements(ctx), estimatedRows: 0 };
  },
  run: (ctx) => runStatements(ctx, ctx.statements),
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
