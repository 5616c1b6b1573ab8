import { qualified, quoteIdent } from "@/lib/db/sql";
import { estimateRows, relationExists } from "../catalog";
import { batchRows, keysetBackfill, keysetBoundStatement, type KeysetCheckpoint } from "../keyset-backfill";
import type { Check, PlanContext, Step, StepContext, UnitPlan } from "../types";

export const LINK_TABLES = ["audit_assignments", "notifications"] as const;
export type LinkTable = (typeof LINK_TABLES)[number];

/**
 * The batch statements, rows with ids in ($1, $2]. Emails resolve to employees on the normalised
 * email, the scorecard table to `scorecards.source_table` (exact, as the contract matches names),
 * a notification's audit to `audits` by its origin. What resolves to nothing is kept: the key
 * stays NULL and the legacy value stays in its `*_legacy` column (the orphan report lists it).
 */
export const LINK_COLUMNS: Record<LinkTable, string[]> = {
  audit_assignments: ["legacy_id", "auditor_id", "employee_id", "scorecard_id", "due_date", "status", "created_at", "auditor_email_legacy", "employee_email_legacy", "scorecard_table_legacy"],
  notifications: ["legacy_id", "recipient_id", "type", "message", "read_at", "audit_id", "created_at", "recipient_email_legacy", "audit_table_legacy", "audit_source_id_legacy"],
};

/** The row a legacy row becomes, `INSERT … SELECT … FROM <rows> t …`: shared by the load (a key range) and live sync (the trigger's NEW row). */
export function linkInsert(ctx: PlanContext, table: LinkTable, rows: string): string {
  const u = quoteIdent(ctx.unifiedSchema);
  if (table === "audit_assignments") {
    return `INSERT INTO ${u}.audit_assignments (${LINK_COLUMNS.audit_assignments.join(", ")})
SELECT t.id, r.id, e.id, s.id, t.due_date, t.status, t.created_at,
       CASE WHEN r.email_normalized IS DISTINCT FROM t.auditor_email THEN t.auditor_email END,
       CASE WHEN e.email_normalized IS DISTINCT FROM t.employee_email THEN t.employee_email END,
       CASE WHEN s.id IS NULL THEN t.scorecard_table END
  FROM ${rows} t
  LEFT JOIN ${u}.employees r ON r.email_normalized = ${u}.norm_email(t.auditor_email)
  LEFT JOIN ${u}.employees e ON e.email_normalized = ${u}.norm_email(t.employee_email)
  LEFT JOIN ${u}.scorecards s ON s.source_table = t.scorecard_table`;
  }
  return `INSERT INTO ${u}.notifications (${LINK_COLUMNS.notifications.join(", ")})
SELECT t.id, p.id, t.type, t.message, t.read_at, a.id, t.created_at,
       CASE WHEN p.email_normalized IS DISTINCT FROM t.recipient_email THEN t.recipient_email END,
       CASE WHEN a.id IS NULL THEN t.audit_table END,
       CASE WHEN a.id IS NULL THEN t.audit_id END
  FROM ${rows} t
  LEFT JOIN ${u}.employees p ON p.email_normalized = ${u}.norm_email(t.recipient_email)
  LEFT JOIN ${u}.audits a ON a.source_table = t.audit_table AND a.source_id = t.audit_id AND a.deleted_at IS NULL`;
}

/**
 * The batch statements, rows with ids in ($1, $2]. Emails resolve to employees on the normalised
 * email, the scorecard table to `scorecards.source_table` (exact, as the contract matches names),
 * a notification's audit to `audits` by its origin. What resolves to nothing is kept: the key
 * stays NULL and the legacy value stays in its `*_legacy` column (the orphan report lists it). A
 * row already there (written by live sync) is left as it is.
 */
export function linkLoadStatement(ctx: PlanContext, table: LinkTable): string {
  const intent = table === "audit_assignments"
    ? "-- Assignments with ids in ($1, $2]: auditor, employee and scorecard as keys; unresolved values kept."
    : "-- Notifications with ids in ($1, $2]: recipient and audit as keys; unresolved values kept.";
  return `${intent}
${linkInsert(ctx, table, qualified(ctx.legacySchema, table))}
 WHERE ($1::bigint IS NULL OR t.id > $1::bigint) AND t.id <= $2::bigint
ON CONFLICT (legacy_id) DO NOTHING`;
}

export const loadLinks: Step<KeysetCheckpoint> = {
  id: "load-links",
  title: "Load audit_assignments and notifications",
  unit: "rows",
  async plan(ctx) {
    const units: UnitPlan[] = [];
    for (const table of LINK_TABLES) {
      units.push({
        id: table,
        title: table,
        statements: [keysetBoundStatement({ schema: ctx.legacySchema, table, key: "id" }), linkLoadStatement(ctx, table)],
        estimatedRows: await estimateRows(ctx.db, ctx.legacySchema, table),
      });
    }
    return { statements: units.flatMap((u) => u.statements), estimatedRows: units.reduce((n, u) => n + u.estimatedRows, 0), units };
  },
  async run(ctx: StepContext<KeysetCheckpoint>) {
    const table = ctx.unit?.id;
    if (!table) throw new Error("load-links runs once per links table");
    await keysetBackfill(ctx, { source: { schema: ctx.legacySchema, table, key: "id" }, batchSize: batchRows() });
  },
  async verify(ctx) {
    // Cheap: the load reached both ends of each table. Exact equality is the post-run suite's job.
    const u = quoteIdent(ctx.unifiedSchema);
    const checks: Check[] = [];
    for (const table of LINK_TABLES) {
      const { rows: legacy } = await ctx.db.query<{ lo: string | null; hi: string | null }>(`SELECT min(id)::text AS lo, max(id)::text AS hi FROM ${qualified(ctx.legacySchema, table)}`);
      const { rows: loaded } = await ctx.db.query<{ lo: string | null; hi: string | null }>(`SELECT min(legacy_id)::text AS lo, max(legacy_id)::text AS hi FROM ${u}.${table} WHERE deleted_at IS NULL`);
      const same = legacy[0]?.lo === loaded[0]?.lo && legacy[0]?.hi === loaded[0]?.hi;
      checks.push({
        name: `the load of ${table} reached its first and last row`,
        status: same ? "pass" : "fail",
        detail: same ? (legacy[0]?.hi === null ? "empty table" : `ids ${legacy[0]?.lo} to ${legacy[0]?.hi}`) : `legacy ids ${legacy[0]?.lo}–${legacy[0]?.hi}, loaded ${loaded[0]?.lo ?? "none"}–${loaded[0]?.hi ?? "none"}`,
      });
    }
    return checks;
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    for (const table of LINK_TABLES) {
      if (await relationExists(ctx.db, ctx.unifiedSchema, table)) await ctx.db.query(`TRUNCATE ${u}.${table}`);
    }
  },
};
