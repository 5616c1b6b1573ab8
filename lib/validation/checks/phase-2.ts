import type pg from "pg";
import { qualified, quoteIdent } from "@/lib/db/sql";
import { normalisedEmailSql } from "@/lib/legacy/contract";
import { compatViewName } from "@/lib/plan/phase-2/audit-columns";
import type { PlanContext } from "@/lib/plan/types";
import { count, type CheckResult, type ValidationCheck } from "../types";
import { readBackResults, scalar } from "./common";
import { compatViewSchema } from "@/lib/plan/archive-location";

/**
 * Phase 2's suite, written from the legacy audit tables and the registry — the truth — and the
 * promises of `audits`, never from the load's SQL: counts and ids per table, every value read back
 * through the compatibility view, each audit's employee and auditor against the legacy emails,
 * parameter_scores against the registry's fields, `passed` against the legacy passing score.
 */
const norm = (expression: string) => `nullif(${normalisedEmailSql(expression)}, '')`;

/**
 * One pass per audit table, on its own session: the legacy table against its compatibility view
 * row by row (table-diff: key-segment checksums, bisection, samples). Since the view's emails are
 * a function of each audit's employee and auditor links, this also proves every audit belongs to
 * the humans its legacy row names. From the same diff: the counts, with missing and unknown ids.
 * And the legacy table's scores against its fields' max_score (the values are proven equal).
 */
function tableCheck(ctx: PlanContext, table: string): ValidationCheck {
  const view = compatViewName(table);
  return {
    id: `content:${table}`,
    title: `${table}: rows, values and links read back through ${view}`,
    category: "content",
    async run(db) {
      const results = await readBackResults(db, { schema: ctx.legacySchema, name: table }, { schema: await compatViewSchema(db, ctx, view), name: view }, { rows: "audit" });
      if (results.length === 1) return results;
      const scorecard = ctx.discovery.scorecards.find((s) => s.tableName === table);
      const ranged = (scorecard?.fields ?? []).filter((f) => f.maxScore !== null);
      if (ranged.length) {
        const conditions = ranged.map((f) => `${quoteIdent(f.columnName)} < 0 OR ${quoteIdent(f.columnName)} > ${Number(f.maxScore)}`).join(" OR ");
        const out = await scalar(db, `SELECT count(*) AS n FROM ${qualified(ctx.legacySchema, table)} WHERE ${conditions}`);
        results.push({
          name: `${table}: scores within 0..max`,
          status: out ? "warn" : "pass",
          expected: "every field score between 0 and its max_score",
          actual: `${count(out)} audits with a score out of range`,
          detail: out ? "carried over as the legacy rows hold them (the pre-flight reported them)" : "all in range",
        });
      }
      return results;
    },
  };
}

/**
 * One pass over audits for every promise it makes: no NULL where promised, every foreign key
 * resolves, parameter_scores keys exactly the legacy registry's fields (integer columns, read
 * from the registry and the catalog, not from scorecard_fields), passed recomputed from the legacy
 * passing score.
 */
const auditsIntegrity: ValidationCheck = {
  id: "integrity:audits",
  title: "audits keeps its promises",
  category: "integrity",
  async run(db, ctx): Promise<CheckResult[]> {
    const u = quoteIdent(ctx.unifiedSchema);
    const { rows } = await db.query<Record<string, string | null>>(
      `WITH expected AS (
         SELECT s.table_name, s.passing_score,
                coalesce(array_agg(f.field_key ORDER BY f.field_key) FILTER (WHERE f.field_key IS NOT NULL), '{}') AS keys
           FROM ${qualified(ctx.legacySchema, "scorecards")} s
           LEFT JOIN ${qualified(ctx.legacySchema, "scorecard_fields")} f ON f.scorecard_id = s.id
            AND EXISTS (SELECT 1 FROM pg_attribute at JOIN pg_class c ON c.oid = at.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = $1 AND c.relname = s.table_name AND at.attname = f.column_name AND NOT at.attisdropped
                           AND at.atttypid IN ('integer'::regtype, 'smallint'::regtype, 'bigint'::regtype))
          WHERE s.table_name = ANY ($2::text[])
          GROUP BY s.table_name, s.passing_score
       ),
       checked AS (
         SELECT a.source_table, a.source_id,
                (a.scorecard_id IS NULL OR a.parameter_scores IS NULL OR a.source_table IS NULL OR a.source_id IS NULL) AS null_promise,
                (a.scorecard_id IS NOT NULL AND sc.id IS NULL) AS bad_scorecard,
                (a.channel_id IS NOT NULL AND ch.id IS NULL) AS bad_channel,
                (a.employee_id IS NOT NULL AND e.id IS NULL) AS bad_employee,
                (a.auditor_id IS NOT NULL AND r.id IS NULL) AS bad_auditor,
                (x.keys IS NULL OR NOT (a.parameter_scores ?& x.keys AND (a.parameter_scores - x.keys) = '{}'::jsonb)) AS bad_keys,
                (a.passed IS DISTINCT FROM (CASE WHEN a.total_score IS NULL OR x.passing_score IS NULL THEN NULL
                                                 ELSE a.total_score >= x.passing_score END)) AS bad_passed
           FROM ${u}.audits a
           LEFT JOIN ${u}.scorecards sc ON sc.id = a.scorecard_id
           LEFT JOIN ${u}.channels ch ON ch.id = a.channel_id
           LEFT JOIN ${u}.employees e ON e.id = a.employee_id
           LEFT JOIN ${u}.employees r ON r.id = a.auditor_id
           LEFT JOIN expected x ON x.table_name = a.source_table
          WHERE a.deleted_at IS NULL
       )
       SELECT count(*) FILTER (WHERE null_promise) AS null_promise,
              count(*) FILTER (WHERE bad_scorecard) AS bad_scorecard, count(*) FILTER (WHERE bad_channel) AS bad_channel,
              count(*) FILTER (WHERE bad_employee) AS bad_employee, count(*) FILTER (WHERE bad_auditor) AS bad_auditor,
              count(*) FILTER (WHERE bad_keys) AS bad_keys, count(*) FILTER (WHERE bad_passed) AS bad_passed,
              min(source_table || '#' || source_id) FILTER (WHERE bad_keys) AS first_bad_keys,
              min(source_table || '#' || source_id) FILTER (WHERE bad_passed) AS first_bad_passed
         FROM checked`,
      [ctx.legacySchema, ctx.auditTables],
    );
    const r = rows[0]!;
    const n = (key: string) => Number(r[key] ?? 0);
    const results: CheckResult[] = [{
      name: "no NULL where audits promises a value",
      status: n("null_promise") ? "fail" : "pass",
      expected: "0 audits without scorecard, parameter_scores or origin",
      actual: count(n("null_promise")),
      detail: n("null_promise") ? "rows with a missing promised value" : "all present",
    }];
    for (const [key, column, table] of [["bad_scorecard", "scorecard_id", "scorecards"], ["bad_channel", "channel_id", "channels"], ["bad_employee", "employee_id", "employees"], ["bad_auditor", "auditor_id", "employees"]] as const) {
      results.push({
        name: `every audits.${column} points at a ${table} row`,
        status: n(key) ? "fail" : "pass",
        expected: "0 dangling references",
        actual: count(n(key)),
        detail: n(key) ? `${count(n(key))} audits point at nothing` : "all resolve",
      });
    }
    results.push({
      name: "parameter_scores keys are exactly the scorecard's fields",
      status: n("bad_keys") ? "fail" : "pass",
      expected: "the field keys of the legacy registry, no more, no fewer",
      actual: n("bad_keys") ? `${count(n("bad_keys"))} audits differ` : "all agree",
      detail: n("bad_keys") ? `first: ${r.first_bad_keys}` : "every audit carries every field of its scorecard",
    });
    results.push({
      name: "passed agrees with the total and the passing score",
      status: n("bad_passed") ? "fail" : "pass",
      expected: "passed = total_score ≥ the scorecard's passing_score (NULL when either is NULL)",
      actual: n("bad_passed") ? `${count(n("bad_passed"))} audits disagree` : "all agree",
      detail: n("bad_passed") ? `first: ${r.first_bad_passed}` : "consistent",
    });
    return results;
  },
};

export function phase2PostRunChecks(ctx: PlanContext): ValidationCheck[] {
  return [auditsIntegrity, ...ctx.auditTables.map((t) => tableCheck(ctx, t))];
}

// ---------------------------------------------------------------------------------------------
// Pre-flight: what stops or surprises Phase 2, read from the legacy tables and Phase 1's employees.

function tableQuality(ctx: PlanContext, table: string): ValidationCheck {
  return {
    id: `quality:audits:${table}`,
    title: `Audit table ${table} before loading`,
    category: "quality",
    async run(db: pg.ClientBase) {
      const t = qualified(ctx.legacySchema, table);
      const u = quoteIdent(ctx.unifiedSchema);
      const results: CheckResult[] = [];
      const rows = await scalar(db, `SELECT count(*) AS n FROM ${t}`);
      const hasEmployees = await scalar(db, `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'employees'`, [ctx.unifiedSchema]);
      if (hasEmployees) {
        const unknown = await scalar(
          db,
          `SELECT count(*) AS n FROM (SELECT ${norm("employee_email")} AS e FROM ${t} UNION SELECT ${norm("auditor_email")} FROM ${t}) s
            WHERE e IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${u}.employees x WHERE x.email_normalized = s.e)`,
        );
        results.push({
          name: `${table}: every email is an employee`,
          status: unknown ? "fail" : "pass",
          expected: "Phase 1 made an employee of every human an audit names",
          actual: `${count(unknown)} emails match no employee`,
          detail: unknown ? "the load would stop at the first such row: re-run Phase 1's referenced-humans step" : `${count(rows)} rows, all emails known`,
        });
      } else {
        results.push({
          name: `${table}: every email is an employee`,
          status: "fail",
          expected: `${ctx.unifiedSchema}.employees from Phase 1`,
          actual: "no employees table",
          detail: "Phase 1 has not run: Phase 2 needs its employees",
        });
      }
      const scorecard = ctx.discovery.scorecards.find((s) => s.tableName === table);
      const ranged = (scorecard?.fields ?? []).filter((f) => f.maxScore !== null);
      if (ranged.length) {
        const conditions = ranged.map((f) => `${quoteIdent(f.columnName)} < 0 OR ${quoteIdent(f.columnName)} > ${Number(f.maxScore)}`).join(" OR ");
        const out = await scalar(db, `SELECT count(*) AS n FROM ${t} WHERE ${conditions}`);
        results.push({
          name: `${table}: scores within 0..max`,
          status: out ? "warn" : "pass",
          expected: "every field score between 0 and its max_score",
          actual: `${count(out)} rows with a score out of range`,
          detail: out ? "carried over as written" : "all in range",
        });
      }
      const extras = ctx.discovery.anomalies.filter((a) => a.table === table && (a.code === "column_unregistered" || a.code === "column_wrong_type"));
      if (extras.length) {
        results.push({
          name: `${table}: columns that are not scores`,
          status: "warn",
          expected: "base columns and registered fields only",
          actual: `${extras.length} other columns: ${extras.map((a) => a.column).join(", ")}`,
          detail: "kept as written in audits.legacy_extra (the compatibility view returns them), not in parameter_scores",
        });
      }
      return results;
    },
  };
}

export function phase2PreflightChecks(ctx: PlanContext): ValidationCheck[] {
  return ctx.auditTables.map((t) => tableQuality(ctx, t));
}
