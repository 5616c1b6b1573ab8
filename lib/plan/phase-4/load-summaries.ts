import { quoteIdent } from "@/lib/db/sql";
import { countRows, estimateRows, relationExists } from "../catalog";
import { runStatements, type StatementCheckpoint } from "../run-statements";
import type { Check, PlanContext, Step } from "../types";
import { allAuditorMonths, performanceSelect, PERFORMANCE_COLUMNS, rollupSelect, ROLLUP_COLUMNS, statisticsSelect, STATISTICS_COLUMNS } from "./aggregates";

/**
 * The first fill: every group, set-based, one statement per summary. Idempotent by the group keys
 * (a re-run after a crash adds nothing twice); writes during the load are in the change log already
 * and the next refresh recomputes their groups.
 */
function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- Aggregation by field key sorts and hashes millions of rows: memory for this session's load.
SET work_mem = '256MB'`,
    `-- Every employee × scorecard × channel × month from the live audits.
INSERT INTO ${u}.audit_statistics (${STATISTICS_COLUMNS.join(", ")})
${statisticsSelect(u, null)}
ON CONFLICT DO NOTHING`,
    `-- The overview's rollup of those groups by scorecard, channel, department, team and month.
INSERT INTO ${u}.scorecard_month_statistics (${ROLLUP_COLUMNS.join(", ")})
${rollupSelect(u, null)}
ON CONFLICT DO NOTHING`,
    `-- Every auditor × month, calibrated against all auditors on the same scorecard and month.
INSERT INTO ${u}.auditor_performance (${PERFORMANCE_COLUMNS.join(", ")})
${performanceSelect(u, allAuditorMonths(u))}
ON CONFLICT DO NOTHING`,
    `-- Statistics for the planner after the load.\nANALYZE ${u}.audit_statistics, ${u}.scorecard_month_statistics, ${u}.auditor_performance`,
  ];
}

export const loadSummaries: Step<StatementCheckpoint> = {
  id: "analytics-load",
  title: "Compute every group of audit_statistics and auditor_performance",
  unit: "statements",
  async plan(ctx) {
    const audits = (await relationExists(ctx.db, ctx.unifiedSchema, "audits")) ? await estimateRows(ctx.db, ctx.unifiedSchema, "audits") : 0;
    return { statements: statements(ctx), estimatedRows: audits };
  },
  run: (ctx) => runStatements(ctx, ctx.statements),
  async verify(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    const audits = await countRows(ctx.db, `SELECT count(*) AS n FROM ${u}.audits WHERE deleted_at IS NULL AND employee_id IS NOT NULL AND audit_date IS NOT NULL`);
    const counted = await countRows(ctx.db, `SELECT COALESCE(sum(audit_count), 0) AS n FROM ${u}.audit_statistics`);
    const given = await countRows(ctx.db, `SELECT count(*) AS n FROM ${u}.audits WHERE deleted_at IS NULL AND auditor_id IS NOT NULL AND audit_date IS NOT NULL`);
    const performed = await countRows(ctx.db, `SELECT COALESCE(sum(audit_count), 0) AS n FROM ${u}.auditor_performance`);
    const checks: Check[] = [
      { name: "audit_statistics counts every dated audit of an employee once", status: audits === counted ? "pass" : "fail", detail: `${counted} of ${audits}` },
      { name: "auditor_performance counts every dated audit of an auditor once", status: given === performed ? "pass" : "fail", detail: `${performed} of ${given}` },
    ];
    return checks;
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    for (const table of ["audit_statistics", "scorecard_month_statistics", "auditor_performance", "analytics_changes"]) {
      if (await relationExists(ctx.db, ctx.unifiedSchema, table)) await ctx.db.query(`TRUNCATE ${u}.${table}`);
    }
  },
};
