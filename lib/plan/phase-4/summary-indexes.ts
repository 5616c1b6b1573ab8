import { quoteIdent } from "@/lib/db/sql";
import { relationExists } from "../catalog";
import { statementStep } from "../statement-step";
import type { Check, PlanContext } from "../types";

/**
 * What the analytics pages and the refresh read by (the group keys serve an employee's drill-down
 * and an auditor's months): docs/analytics.md lists which query uses which.
 */
export const ANALYTICS_INDEXES = [
  { table: "audit_statistics", name: "audit_statistics_month_idx", columns: "(month)", intent: "Overview over a date range: volume, scorecards, channels." },
  { table: "audit_statistics", name: "audit_statistics_scorecard_id_month_idx", columns: "(scorecard_id, month)", intent: "One scorecard's months." },
  { table: "scorecard_month_statistics", name: "scorecard_month_statistics_month_idx", columns: "(month)", intent: "Overview over a date range." },
  { table: "auditor_performance", name: "auditor_performance_month_idx", columns: "(month)", intent: "Every auditor over a date range." },
  {
    table: "auditor_performance",
    name: "auditor_performance_turnaround_idx",
    columns: "(month, auditor_id) WHERE turnaround_count > 0",
    intent: "The auditors page by turnaround: the auditor-months of a range with a matched audit, the only ones with a histogram to merge.",
  },
  {
    table: "employees",
    name: "employees_department_id_idx",
    columns: "(department_id) INCLUDE (id, team_id)",
    intent: "The auditors page of one department: its people's ids, read from the index alone.",
  },
  {
    table: "employees",
    name: "employees_team_id_idx",
    columns: "(team_id) INCLUDE (id, department_id)",
    intent: "The auditors page of one team: its people's ids, read from the index alone.",
  },
  {
    // The name as the auditors page shows and sorts it (lib/analytics/sql.ts NAME), then its tie-break (the id as text, byte
    // order), with the columns for an index-only walk: read in order, nothing is sorted.
    table: "employees",
    name: "employees_display_name_idx",
    columns: `((COALESCE(NULLIF(btrim(full_name), ''), email)), ((id::text) COLLATE "C")) INCLUDE (id, full_name, email)`,
    intent: "The auditors page by name: the names in order, the range's auditors kept.",
  },
  {
    // Employee and scorecard first: the same index serves a refresh's recomputation of named groups (employee, scorecard, month range).
    // Auditor first, PostgreSQL 18 would skip-scan it for those, one search per auditor of the whole organisation for every group.
    table: "audits",
    name: "audits_employee_id_scorecard_id_auditor_id_audit_date_idx",
    columns: "(employee_id, scorecard_id, auditor_id, audit_date)",
    intent: "Match an assignment to its first audit (turnaround); recompute one employee's groups of a scorecard.",
  },
] as const;

function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    ...ANALYTICS_INDEXES.map((i) => `-- ${i.intent}\nCREATE INDEX IF NOT EXISTS ${i.name} ON ${u}.${i.table} ${i.columns}`),
    `-- Statistics for the planner with the new indexes (an expression index has its own).\nANALYZE ${u}.audit_statistics, ${u}.auditor_performance, ${u}.employees`,
  ];
}

export const summaryIndexes = statementStep({
  id: "analytics-indexes",
  title: "Build the indexes the analytics pages and the turnaround match use",
  statements,
  scalesWith: "audits",
  async verify(ctx) {
    const checks: Check[] = [];
    for (const index of ANALYTICS_INDEXES) {
      const exists = await relationExists(ctx.db, ctx.unifiedSchema, index.name);
      checks.push({ name: `index ${index.name} exists`, status: exists ? "pass" : "fail", detail: exists ? index.intent : "missing" });
    }
    return checks;
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    for (const index of ANALYTICS_INDEXES) await ctx.db.query(`DROP INDEX IF EXISTS ${u}.${index.name}`);
  },
});
