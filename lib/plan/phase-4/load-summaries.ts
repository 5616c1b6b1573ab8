import { quoteIdent, sqlComment } from "@/lib/db/sql";
import { countRows, estimateRows, relationExists } from "../catalog";
import { runStatements, type StatementCheckpoint } from "../run-statements";
import type { Check, PlanContext, Step, UnitPlan } from "../types";
import { SUMMARY_TABLES } from "./summary-tables";
import {
  allAuditorMonths,
  performanceSelect,
  PERFORMANCE_COLUMNS,
  rollupSelect,
  ROLLUP_COLUMNS,
  RUNNING_COLUMNS,
  runningSelect,
  vectorStatements,
  type ScorecardFields,
  statisticsSelect,
  STATISTICS_COLUMNS,
  totalsSelect,
  TOTALS_COLUMNS,
} from "./aggregates";

/** The scorecards Phase 2 loaded, each with its usable field keys in the registry's order (as Phase 2 keyed parameter_scores). */
export function plannedScorecards(ctx: PlanContext): ScorecardFields[] {
  return ctx.discovery.scorecards
    .filter((s) => ctx.auditTables.includes(s.tableName))
    .map((s) => ({ sourceTable: s.tableName, fieldKeys: s.fields.map((f) => f.fieldKey) }));
}

const WORK_MEM = `-- Aggregation of a scorecard's audits hashes every group it has: memory for this session's load.
SET work_mem = '256MB'`;

/**
 * The first fill: every group, set-based, as independent units the engine runs in parallel — one per
 * scorecard (its audit_statistics groups, then its rows of the rollup from them) and one for
 * auditor_performance. Idempotent by the group keys (a re-run after a crash adds nothing twice);
 * writes during the load are in the change log already and the next refresh recomputes their groups.
 */
async function units(ctx: PlanContext): Promise<UnitPlan[]> {
  const u = quoteIdent(ctx.unifiedSchema);
  const audits = (await relationExists(ctx.db, ctx.unifiedSchema, "audits")) ? await estimateRows(ctx.db, ctx.unifiedSchema, "audits") : 0;
  const out: UnitPlan[] = [
    {
      id: "auditor-performance",
      title: "auditor_performance",
      estimatedRows: audits,
      statements: [
        WORK_MEM,
        `-- Every auditor × month, calibrated against all auditors on the same scorecard and month.
INSERT INTO ${u}.auditor_performance (${PERFORMANCE_COLUMNS.join(", ")})
${performanceSelect(u, allAuditorMonths(u), "every auditor-month")}
ON CONFLICT DO NOTHING`,
        `-- Each auditor's running totals month by month, from those rows: what the auditors page reads.
INSERT INTO ${u}.auditor_running_totals (${RUNNING_COLUMNS.join(", ")})
${runningSelect(u, null)}
ON CONFLICT DO NOTHING`,
        ...vectorStatements(u),
      ],
    },
  ];
  for (const card of plannedScorecards(ctx)) {
    out.push({
      id: `scorecard:${card.sourceTable}`,
      title: `audit_statistics of ${card.sourceTable}`,
      estimatedRows: await estimateRows(ctx.db, ctx.legacySchema, card.sourceTable),
      statements: [
        WORK_MEM,
        `-- ${sqlComment(`Every employee × channel × month of the audits from ${card.sourceTable}, with its ${card.fieldKeys.length} fields' sums and counts.`)}
INSERT INTO ${u}.audit_statistics (${STATISTICS_COLUMNS.join(", ")})
${statisticsSelect(u, card, null)}
ON CONFLICT DO NOTHING`,
        `-- ${sqlComment(`The overview's rollup of those groups by channel, department, team and month.`)}
INSERT INTO ${u}.scorecard_month_statistics (${ROLLUP_COLUMNS.join(", ")})
${rollupSelect(u, { sourceTable: card.sourceTable })}
ON CONFLICT DO NOTHING`,
        `-- Its totals per channel and month, from that rollup.
INSERT INTO ${u}.scorecard_month_totals (${TOTALS_COLUMNS.join(", ")})
${totalsSelect(u, { sourceTable: card.sourceTable })}
ON CONFLICT DO NOTHING`,
      ],
    });
  }
  return out;
}

export const loadSummaries: Step<StatementCheckpoint> = {
  id: "analytics-load",
  title: "Compute every group of audit_statistics and auditor_performance",
  unit: "statements",
  async plan(ctx) {
    const planned = await units(ctx);
    return { statements: planned.flatMap((x) => x.statements), estimatedRows: planned[0]!.estimatedRows, units: planned };
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
    for (const table of SUMMARY_TABLES) {
      if (await relationExists(ctx.db, ctx.unifiedSchema, table)) await ctx.db.query(`TRUNCATE ${u}.${table}`);
    }
  },
};
