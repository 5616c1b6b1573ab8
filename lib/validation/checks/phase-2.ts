import type pg from "pg";
import { qualified, quoteIdent } from "@/lib/db/sql";
import { normalisedEmailSql } from "@/lib/legacy/contract";
import { compatViewName } from "@/lib/plan/phase-2/audit-columns";
import type { PlanContext } from "@/lib/plan/types";
import { count, type CheckResult, type ValidationCheck } from "../types";
import { auditEmailSpellings, readBackResults, scalar, scoreRangeResult } from "./common";
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
      results.push(...(await scoreRangeResult(db, ctx, table, { rows: "audits", outOfRange: "carried over as the legacy rows hold them (the pre-flight reported them)" })));
      return results;
    },
  };
}

/**
 * The legacy registry's promise for one audit table: its passing score and the keys its
 * parameter_scores must have — the fields whose column is an integer column of the legacy table
 * (read from the legacy registry and the catalog, not from scorecard_fields).
 */
async function expectedFields(db: pg.ClientBase, ctx: PlanContext, table: string): Promise<{ registered: boolean; passing: string | null; keys: string[] }> {
  const { rows } = await db.query<{ passing_score: string | null; keys: string[] }>(
    `SELECT s.passing_score::text AS passing_score,
            coalesce(array_agg(f.field_key ORDER BY f.field_key) FILTER (WHERE f.field_key IS NOT NULL), '{}') AS keys
       FROM ${qualified(ctx.legacySchema, "scorecards")} s
       LEFT JOIN ${qualified(ctx.legacySchema, "scorecard_fields")} f ON f.scorecard_id = s.id
        AND EXISTS (SELECT 1 FROM pg_attribute at JOIN pg_class c ON c.oid = at.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = $1 AND c.relname = s.table_name AND at.attname = f.column_name AND NOT at.attisdropped
                       AND at.atttypid IN ('integer'::regtype, 'smallint'::regtype, 'bigint'::regtype))
      WHERE s.table_name = $2
      GROUP BY s.id, s.passing_score
      ORDER BY s.id LIMIT 1`,
    [ctx.legacySchema, table],
  );
  return { registered: rows.length > 0, passing: rows[0]?.passing_score ?? null, keys: rows[0]?.keys ?? [] };
}

// The two per-audit tests over `a` ($2 registered, $3 the field keys, $4 the passing score).
const BAD_KEYS = `(CASE WHEN NOT $2::boolean OR jsonb_typeof(a.parameter_scores) <> 'object' THEN true
       ELSE NOT a.parameter_scores ?& $3::text[] OR a.parameter_scores - $3::text[] <> '{}'::jsonb END)`;
const BAD_PASSED = `(a.passed IS DISTINCT FROM (CASE WHEN a.total_score IS NULL OR $4::numeric IS NULL THEN NULL
       ELSE a.total_score >= $4::numeric END))`;

/**
 * One pass over one audit table's slice of audits (they run in parallel, each on its own session)
 * for every promise audits makes: no NULL where promised, every foreign key resolves,
 * parameter_scores keys exactly the legacy registry's fields, passed recomputed from the legacy
 * passing score. A key set is exact when every expected key is present (`?&`) and nothing is left
 * once they are removed (`-`), linear in the fields.
 */
function auditsIntegrity(ctx: PlanContext, table: string): ValidationCheck {
  return {
    id: `integrity:audits:${table}`,
    title: `${table}: its audits keep their promises`,
    category: "integrity",
    async run(db): Promise<CheckResult[]> {
      const u = quoteIdent(ctx.unifiedSchema);
      const expected = await expectedFields(db, ctx, table);
      const params = [table, expected.registered, expected.keys, expected.passing];
      const { rows } = await db.query<Record<string, string | null>>(
        `SELECT count(*) FILTER (WHERE a.scorecard_id IS NULL OR a.parameter_scores IS NULL OR a.source_id IS NULL) AS null_promise,
                count(*) FILTER (WHERE a.scorecard_id IS NOT NULL AND sc.id IS NULL) AS bad_scorecard,
                count(*) FILTER (WHERE a.channel_id IS NOT NULL AND ch.id IS NULL) AS bad_channel,
                count(*) FILTER (WHERE a.employee_id IS NOT NULL AND e.id IS NULL) AS bad_employee,
                count(*) FILTER (WHERE a.auditor_id IS NOT NULL AND r.id IS NULL) AS bad_auditor,
                count(*) FILTER (WHERE bad.keys) AS bad_keys, count(*) FILTER (WHERE bad.passed) AS bad_passed
           FROM ${u}.audits a
           LEFT JOIN ${u}.scorecards sc ON sc.id = a.scorecard_id
           LEFT JOIN ${u}.channels ch ON ch.id = a.channel_id
           LEFT JOIN ${u}.employees e ON e.id = a.employee_id
           LEFT JOIN ${u}.employees r ON r.id = a.auditor_id
           CROSS JOIN LATERAL (SELECT ${BAD_KEYS} AS keys, ${BAD_PASSED} AS passed) bad
          WHERE a.source_table = $1 AND a.deleted_at IS NULL`,
        params,
      );
      const r = rows[0]!;
      const n = (key: string) => Number(r[key] ?? 0);
      // The first offending audit of each test is looked for only when there is one: a test named in
      // two aggregates is evaluated twice a row (the key-set test is most of this check's time).
      for (const test of ["keys", "passed"] as const) {
        if (!n(`bad_${test}`)) continue;
        const first = await db.query<{ id: string | null }>(
          `SELECT min(a.source_id)::text AS id FROM ${u}.audits a
            CROSS JOIN LATERAL (SELECT ${BAD_KEYS} AS keys, ${BAD_PASSED} AS passed) bad
            WHERE a.source_table = $1 AND a.deleted_at IS NULL AND bad.${test}`,
          params,
        );
        r[`first_bad_${test}`] = first.rows[0]?.id ?? null;
      }
      const results: CheckResult[] = [{
        name: "no NULL where audits promises a value",
        status: n("null_promise") ? "fail" : "pass",
        expected: "0 audits without scorecard, parameter_scores or origin",
        actual: count(n("null_promise")),
        detail: n("null_promise") ? "rows with a missing promised value" : "all present",
      }];
      for (const [key, column, target] of [["bad_scorecard", "scorecard_id", "scorecards"], ["bad_channel", "channel_id", "channels"], ["bad_employee", "employee_id", "employees"], ["bad_auditor", "auditor_id", "employees"]] as const) {
        results.push({
          name: `every audits.${column} points at a ${target} row`,
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
        detail: n("bad_keys") ? `first: ${table}#${r.first_bad_keys}` : "every audit carries every field of its scorecard",
      });
      results.push({
        name: "passed agrees with the total and the passing score",
        status: n("bad_passed") ? "fail" : "pass",
        expected: "passed = total_score ≥ the scorecard's passing_score (NULL when either is NULL)",
        actual: n("bad_passed") ? `${count(n("bad_passed"))} audits disagree` : "all agree",
        detail: n("bad_passed") ? `first: ${table}#${r.first_bad_passed}` : "consistent",
      });
      return results;
    },
  };
}

/**
 * Audits that belong to no audit table of the plan — a NULL origin, or a source_table no legacy
 * table has — are read through the origin index: its distinct tables by a loose index scan (one
 * probe per table), so the per-table passes above cover every other row.
 */
const auditOrigins: ValidationCheck = {
  id: "integrity:audits:origins",
  title: "every audit comes from a legacy audit table",
  category: "integrity",
  async run(db, ctx): Promise<CheckResult[]> {
    const a = `${quoteIdent(ctx.unifiedSchema)}.audits`;
    const { rows } = await db.query<{ source_table: string; n: string }>(
      `WITH RECURSIVE origins AS (
         SELECT (SELECT min(source_table) FROM ${a}) AS t
         UNION ALL
         SELECT (SELECT min(source_table) FROM ${a} WHERE source_table > o.t) FROM origins o WHERE o.t IS NOT NULL
       )
       SELECT o.t AS source_table, (SELECT count(*) FROM ${a} x WHERE x.source_table = o.t AND x.deleted_at IS NULL) AS n
         FROM origins o WHERE o.t IS NOT NULL AND NOT (o.t = ANY ($1::text[]))`,
      [ctx.auditTables],
    );
    const unknown = rows.filter((r) => Number(r.n) > 0);
    const nulls = await scalar(db, `SELECT count(*) AS n FROM ${a} WHERE source_table IS NULL AND deleted_at IS NULL`);
    const stray = unknown.reduce((sum, r) => sum + Number(r.n), 0) + nulls;
    return [{
      name: "every audit's source_table is a legacy audit table",
      status: stray ? "fail" : "pass",
      expected: `source_table one of the ${count(ctx.auditTables.length)} audit tables`,
      actual: stray ? `${count(stray)} audits from elsewhere` : "all from the audit tables",
      detail: stray
        ? [...unknown.map((r) => `${r.source_table}: ${count(Number(r.n))}`), ...(nulls ? [`no source_table: ${count(nulls)}`] : [])].join("; ")
        : "every audit is checked against its legacy table",
    }];
  },
};

export function phase2PostRunChecks(ctx: PlanContext): ValidationCheck[] {
  return [auditOrigins, ...ctx.auditTables.flatMap((t) => [auditsIntegrity(ctx, t), tableCheck(ctx, t)])];
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
          `${auditEmailSpellings(t)}
           SELECT count(*) AS n FROM (SELECT DISTINCT ${norm("e")} AS e FROM spellings) s
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
      results.push(...(await scoreRangeResult(db, ctx, table, { rows: "rows", outOfRange: "carried over as written" })));
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
