import type pg from "pg";
import { qualified, quoteIdent, quoteLiteral, sqlComment } from "@/lib/db/sql";
import { estimateRows, relationExists } from "../catalog";
import { batchRows, keysetBackfill, keysetBoundStatement, type KeysetCheckpoint } from "../keyset-backfill";
import type { Check, PlanContext, Step, StepContext, UnitPlan } from "../types";
import { readAuditColumns, scorecardOf, type AuditColumn } from "./audit-columns";

/** jsonb_build_object takes at most 100 arguments: fields go in pairs, at most 50 per call. */
const PAIRS_PER_CALL = 50;

function jsonObject(pairs: [string, string][]): string {
  if (!pairs.length) return `'{}'::jsonb`;
  const calls: string[] = [];
  for (let i = 0; i < pairs.length; i += PAIRS_PER_CALL) {
    const chunk = pairs.slice(i, i + PAIRS_PER_CALL).map(([key, value]) => `${quoteLiteral(key)}, ${value}`);
    calls.push(`jsonb_build_object(${chunk.join(", ")})`);
  }
  return calls.join(" || ");
}

export const AUDIT_COLUMNS = [
  "scorecard_id", "channel_id", "employee_id", "auditor_id", "audit_date", "status", "total_score", "passed", "comments",
  "parameter_scores", "created_at", "updated_at", "source_table", "source_id", "employee_email_legacy", "auditor_email_legacy", "legacy_extra",
] as const;

/**
 * The audit a legacy row of `table` becomes, as `INSERT INTO audits (…) SELECT … FROM <rows> t …`
 * without its WHERE and ON CONFLICT: the load reads a key range of the table, live sync the
 * trigger's NEW row (`(SELECT NEW.*)`), so both write exactly the same values.
 * Emails resolve to employees on the normalised email; the legacy spelling is kept only where it
 * differs from the employee's normalised email (or no employee matches: then the check
 * constraints `audits_employee_known_check`/`audits_auditor_known_check` stop the write instead of
 * a silent NULL). `passed`: the total reaches the scorecard's passing score; NULL when either is NULL.
 */
export function auditInsert(ctx: PlanContext, table: string, columns: AuditColumn[], rows: string): string {
  const u = quoteIdent(ctx.unifiedSchema);
  const t = (name: string) => `t.${quoteIdent(name)}`;
  const scores = columns.flatMap((c): [string, string][] => (c.home.kind === "score" ? [[c.home.fieldKey, t(c.name)]] : []));
  const extras = columns.flatMap((c): [string, string][] =>
    c.home.kind === "extra" || c.home.kind === "base+extra" ? [[c.name, `${t(c.name)}::text`]] : [],
  );
  return `INSERT INTO ${u}.audits (${AUDIT_COLUMNS.join(", ")})
SELECT sc.id, sc.channel_id, e.id, r.id, t.audit_date, t.status, t.total_score,
       CASE WHEN t.total_score IS NULL OR sc.passing_score IS NULL THEN NULL ELSE t.total_score >= sc.passing_score END,
       t.comments,
       ${jsonObject(scores)},
       t.created_at, t.updated_at, sc.source_table, t.id,
       CASE WHEN e.email_normalized IS DISTINCT FROM t.employee_email THEN t.employee_email END,
       CASE WHEN r.email_normalized IS DISTINCT FROM t.auditor_email THEN t.auditor_email END,
       ${extras.length ? jsonObject(extras) : "NULL"}
  FROM ${rows} t
 CROSS JOIN (SELECT id, channel_id, passing_score, source_table FROM ${u}.scorecards WHERE source_table = ${quoteLiteral(table)}) sc
  LEFT JOIN ${u}.employees e ON e.email_normalized = ${u}.norm_email(t.employee_email)
  LEFT JOIN ${u}.employees r ON r.email_normalized = ${u}.norm_email(t.auditor_email)`;
}

/** The load's batch statement: the legacy rows with ids in ($1, $2]; a row already there (loaded, or written by live sync) is left as it is. */
export function loadStatement(ctx: PlanContext, table: string, columns: AuditColumn[]): string {
  return `-- ${sqlComment(`Audits of ${table} with ids in ($1, $2]: scores keyed by field, emails resolved to employees.`)}
${auditInsert(ctx, table, columns, qualified(ctx.legacySchema, table))}
 WHERE ($1::bigint IS NULL OR t.id > $1::bigint) AND t.id <= $2::bigint
ON CONFLICT (source_table, source_id) DO NOTHING`;
}

/** The first row of a table whose email matches no employee: what a failed batch reports. */
async function firstUnmatched(db: pg.PoolClient, ctx: PlanContext, table: string): Promise<string | null> {
  const u = quoteIdent(ctx.unifiedSchema);
  for (const column of ["employee_email", "auditor_email"]) {
    const { rows } = await db.query<{ id: string; email: string }>(
      `SELECT t.id::text AS id, t.${quoteIdent(column)} AS email FROM ${qualified(ctx.legacySchema, table)} t
        WHERE ${u}.norm_email(t.${quoteIdent(column)}) IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ${u}.employees e WHERE e.email_normalized = ${u}.norm_email(t.${quoteIdent(column)}))
        ORDER BY t.id LIMIT 1`,
    );
    if (rows[0]) return `audit table "${table}" row id ${rows[0].id}: ${column} ${JSON.stringify(rows[0].email)} matches no employee`;
  }
  return null;
}

export class UnmatchedAuditEmailError extends Error {
  override name = "UnmatchedAuditEmailError";
  readonly expected = true;
}

export const loadAudits: Step<KeysetCheckpoint> = {
  id: "load-audits",
  title: "Load every audit table into audits",
  unit: "rows",
  async plan(ctx) {
    const units: UnitPlan[] = [];
    for (const table of ctx.auditTables) {
      const columns = await readAuditColumns(ctx.db, ctx.legacySchema, table, scorecardOf(ctx, table));
      const bound = keysetBoundStatement({ schema: ctx.legacySchema, table, key: "id" });
      units.push({
        id: table,
        title: table,
        statements: [bound, loadStatement(ctx, table, columns)],
        estimatedRows: await estimateRows(ctx.db, ctx.legacySchema, table),
      });
    }
    return { statements: units.flatMap((u) => u.statements), estimatedRows: units.reduce((n, u) => n + u.estimatedRows, 0), units };
  },
  async run(ctx: StepContext<KeysetCheckpoint>) {
    const table = ctx.unit?.id;
    if (!table) throw new Error("load-audits runs once per audit table");
    try {
      await keysetBackfill(ctx, { source: { schema: ctx.legacySchema, table, key: "id" }, batchSize: batchRows() });
    } catch (error) {
      const constraint = (error as { constraint?: string }).constraint;
      if (constraint === "audits_employee_known_check" || constraint === "audits_auditor_known_check") {
        const where = await firstUnmatched(ctx.db, ctx, table);
        throw new UnmatchedAuditEmailError(
          `${where ?? `audit table "${table}": an email matches no employee`}. Nothing was written for this batch and no row is dropped: ` +
            `re-run Phase 1's "referenced-humans" step (it adds employees for such emails), then resume.`,
        );
      }
      throw error;
    }
  },
  async verify(ctx) {
    // Cheap on purpose (index lookups): the load reached both ends of every table. Row-by-row
    // equality is the post-run suite's content check.
    const u = quoteIdent(ctx.unifiedSchema);
    const checks: Check[] = [];
    for (const table of ctx.auditTables) {
      const { rows: legacy } = await ctx.db.query<{ lo: string | null; hi: string | null }>(
        `SELECT min(id)::text AS lo, max(id)::text AS hi FROM ${qualified(ctx.legacySchema, table)}`,
      );
      const { rows: loaded } = await ctx.db.query<{ lo: string | null; hi: string | null }>(
        `SELECT min(source_id)::text AS lo, max(source_id)::text AS hi FROM ${u}.audits WHERE source_table = $1 AND deleted_at IS NULL`,
        [table],
      );
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
    // The table itself goes with the audits-table step; emptying it first keeps this step's undo its own.
    if (await relationExists(ctx.db, ctx.unifiedSchema, "audits")) await ctx.db.query(`TRUNCATE ${quoteIdent(ctx.unifiedSchema)}.audits`);
  },
};
