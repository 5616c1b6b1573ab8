import type pg from "pg";
import { qualified, quoteIdent } from "@/lib/db/sql";
import { normalisedEmailSql } from "@/lib/legacy/contract";
import { compatViewName } from "@/lib/plan/phase-2/audit-columns";
import type { PlanContext } from "@/lib/plan/types";
import { count, type CheckResult, type ValidationCheck } from "../types";
import { contentCheck, scalar } from "./common";

/**
 * Phase 2's suite, written from the legacy audit tables and the registry — the truth — and the
 * promises of `audits`, never from the load's SQL: counts and ids per table, every value read back
 * through the compatibility view, each audit's employee and auditor against the legacy emails,
 * parameter_scores against the registry's fields, `passed` against the legacy passing score.
 */
const norm = (expression: string) => `nullif(${normalisedEmailSql(expression)}, '')`;

function tableCounts(ctx: PlanContext, table: string): ValidationCheck {
  return {
    id: `counts:audits:${table}`,
    title: `Every row of ${table} is one audit`,
    category: "counts",
    async run(db) {
      const u = quoteIdent(ctx.unifiedSchema);
      const source = qualified(ctx.legacySchema, table);
      const legacy = await scalar(db, `SELECT count(*) AS n FROM ${source}`);
      const loaded = await scalar(db, `SELECT count(*) AS n FROM ${u}.audits WHERE source_table = $1 AND deleted_at IS NULL`, [table]);
      const { rows: missing } = await db.query<{ id: string }>(
        `SELECT t.id::text AS id FROM ${source} t
          WHERE NOT EXISTS (SELECT 1 FROM ${u}.audits a WHERE a.source_table = $1 AND a.source_id = t.id AND a.deleted_at IS NULL)
          ORDER BY t.id LIMIT 20`,
        [table],
      );
      const { rows: extra } = await db.query<{ id: string }>(
        `SELECT a.source_id::text AS id FROM ${u}.audits a
          WHERE a.source_table = $1 AND a.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM ${source} t WHERE t.id = a.source_id)
          ORDER BY a.source_id LIMIT 20`,
        [table],
      );
      const ok = legacy === loaded && !missing.length && !extra.length;
      return [{
        name: `${table}: every legacy row is exactly one audit`,
        status: ok ? "pass" : "fail",
        expected: `${count(legacy)} audits from ${table}`,
        actual: `${count(loaded)} audits; ${missing.length ? `missing ids ${missing.map((r) => r.id).join(", ")}` : "none missing"}; ${extra.length ? `unknown ids ${extra.map((r) => r.id).join(", ")}` : "none unknown"}`,
        detail: ok ? "counts and ids agree" : "audits and the legacy table disagree",
        samples: [
          ...missing.map((r) => ({ key: r.id, left: { id: r.id }, right: null, columns: ["id"] })),
          ...extra.map((r) => ({ key: r.id, left: null, right: { source_id: r.id }, columns: ["source_id"] })),
        ].slice(0, 20),
      }];
    },
  };
}

/** Each audit names the employee and auditor its legacy row's emails name (normalised). */
function tableLinks(ctx: PlanContext, table: string): ValidationCheck {
  return {
    id: `integrity:audits:links:${table}`,
    title: `Audits of ${table} belong to the humans their legacy rows name`,
    category: "integrity",
    async run(db) {
      const u = quoteIdent(ctx.unifiedSchema);
      const { rows } = await db.query<{ id: string; employee_email: string | null; employee: string | null; auditor_email: string | null; auditor: string | null }>(
        `SELECT t.id::text AS id, t.employee_email, e.email_normalized AS employee, t.auditor_email, r.email_normalized AS auditor
           FROM ${qualified(ctx.legacySchema, table)} t
           JOIN ${u}.audits a ON a.source_table = $1 AND a.source_id = t.id
           LEFT JOIN ${u}.employees e ON e.id = a.employee_id
           LEFT JOIN ${u}.employees r ON r.id = a.auditor_id
          WHERE e.email_normalized IS DISTINCT FROM ${norm("t.employee_email")}
             OR r.email_normalized IS DISTINCT FROM ${norm("t.auditor_email")}
          ORDER BY t.id LIMIT 21`,
        [table],
      );
      return [{
        name: `${table}: each audit's employee and auditor are the ones its legacy row names`,
        status: rows.length ? "fail" : "pass",
        expected: "employee and auditor match the legacy emails (normalised)",
        actual: rows.length ? `${rows.length > 20 ? "more than 20" : rows.length} audits linked to someone else` : "all linked right",
        detail: rows.length ? `first: id ${rows[0]!.id}` : "every audit belongs to the humans its row names",
        samples: rows.slice(0, 20).map((r) => ({
          key: r.id,
          left: { employee_email: r.employee_email, auditor_email: r.auditor_email },
          right: { employee: r.employee, auditor: r.auditor },
          columns: ["employee_email", "auditor_email"],
        })),
      }];
    },
  };
}

const auditsIntegrity: ValidationCheck = {
  id: "integrity:audits",
  title: "audits keeps its promises",
  category: "integrity",
  async run(db, ctx): Promise<CheckResult[]> {
    const u = quoteIdent(ctx.unifiedSchema);
    const legacyRegistry = qualified(ctx.legacySchema, "scorecards");
    const legacyFields = qualified(ctx.legacySchema, "scorecard_fields");
    const results: CheckResult[] = [];
    const nulls = await scalar(
      db,
      `SELECT count(*) AS n FROM ${u}.audits WHERE scorecard_id IS NULL OR parameter_scores IS NULL OR source_table IS NULL OR source_id IS NULL`,
    );
    results.push({
      name: "no NULL where audits promises a value",
      status: nulls ? "fail" : "pass",
      expected: "0 audits without scorecard, parameter_scores or origin",
      actual: count(nulls),
      detail: nulls ? "rows with a missing promised value" : "all present",
    });
    const refs: [string, string][] = [["scorecard_id", "scorecards"], ["channel_id", "channels"], ["employee_id", "employees"], ["auditor_id", "employees"]];
    for (const [column, table] of refs) {
      const dangling = await scalar(
        db,
        `SELECT count(*) AS n FROM ${u}.audits a WHERE a.${quoteIdent(column)} IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM ${u}.${quoteIdent(table)} x WHERE x.id = a.${quoteIdent(column)})`,
      );
      results.push({
        name: `every audits.${column} points at a ${table} row`,
        status: dangling ? "fail" : "pass",
        expected: "0 dangling references",
        actual: count(dangling),
        detail: dangling ? `${count(dangling)} audits point at nothing` : "all resolve",
      });
    }
    // The registry's field keys per table, straight from the legacy registry (integer columns only).
    const { rows: keyMismatch } = await db.query<{ source_table: string; source_id: string; keys: string; expected: string }>(
      `WITH expected AS (
         SELECT s.table_name, coalesce(array_agg(f.field_key ORDER BY f.field_key) FILTER (WHERE f.field_key IS NOT NULL), '{}') AS keys
           FROM ${legacyRegistry} s
           LEFT JOIN ${legacyFields} f ON f.scorecard_id = s.id
            AND EXISTS (SELECT 1 FROM pg_attribute at JOIN pg_class c ON c.oid = at.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = $1 AND c.relname = s.table_name AND at.attname = f.column_name AND NOT at.attisdropped
                           AND at.atttypid IN ('integer'::regtype, 'smallint'::regtype, 'bigint'::regtype))
          WHERE s.table_name = ANY ($2::text[])
          GROUP BY s.table_name
       )
       SELECT a.source_table, a.source_id::text AS source_id, array_to_string(ARRAY(SELECT jsonb_object_keys(a.parameter_scores) ORDER BY 1), ', ') AS keys,
              array_to_string(x.keys, ', ') AS expected
         FROM ${u}.audits a JOIN expected x ON x.table_name = a.source_table
        WHERE ARRAY(SELECT jsonb_object_keys(a.parameter_scores) ORDER BY 1) <> x.keys
        LIMIT 20`,
      [ctx.legacySchema, ctx.auditTables],
    );
    results.push({
      name: "parameter_scores keys are exactly the scorecard's fields",
      status: keyMismatch.length ? "fail" : "pass",
      expected: "the field keys of the legacy registry, no more, no fewer",
      actual: keyMismatch.length ? `${keyMismatch.length}${keyMismatch.length === 20 ? "+" : ""} audits differ` : "all agree",
      detail: keyMismatch.length ? `first: ${keyMismatch[0]!.source_table} #${keyMismatch[0]!.source_id}` : "every audit carries every field of its scorecard",
      samples: keyMismatch.map((r) => ({ key: `${r.source_table}#${r.source_id}`, left: { keys: r.expected }, right: { keys: r.keys }, columns: ["keys"] })),
    });
    const outOfRange = await scalar(
      db,
      `SELECT count(*) AS n FROM ${u}.audits a JOIN ${u}.scorecard_fields f ON f.scorecard_id = a.scorecard_id
        WHERE f.max_score IS NOT NULL AND jsonb_typeof(a.parameter_scores -> f.field_key) = 'number'
          AND ((a.parameter_scores ->> f.field_key)::numeric < 0 OR (a.parameter_scores ->> f.field_key)::numeric > f.max_score)`,
    );
    results.push({
      name: "scores within 0..max",
      status: outOfRange ? "warn" : "pass",
      expected: "every score between 0 and its field's max_score",
      actual: `${count(outOfRange)} scores out of range`,
      detail: outOfRange ? "carried over as the legacy rows hold them (the pre-flight reported them)" : "all in range",
    });
    const { rows: passedWrong } = await db.query<{ source_table: string; source_id: string; total: string | null; passing: string | null; passed: boolean | null }>(
      `SELECT a.source_table, a.source_id::text AS source_id, a.total_score::text AS total, l.passing_score::text AS passing, a.passed
         FROM ${u}.audits a JOIN ${legacyRegistry} l ON l.table_name = a.source_table
        WHERE a.passed IS DISTINCT FROM (CASE WHEN a.total_score IS NULL OR l.passing_score IS NULL THEN NULL ELSE a.total_score >= l.passing_score END)
        LIMIT 20`,
    );
    results.push({
      name: "passed agrees with the total and the passing score",
      status: passedWrong.length ? "fail" : "pass",
      expected: "passed = total_score ≥ the scorecard's passing_score (NULL when either is NULL)",
      actual: passedWrong.length ? `${passedWrong.length}${passedWrong.length === 20 ? "+" : ""} audits disagree` : "all agree",
      detail: passedWrong.length ? `first: ${passedWrong[0]!.source_table} #${passedWrong[0]!.source_id}` : "consistent",
      samples: passedWrong.map((r) => ({
        key: `${r.source_table}#${r.source_id}`,
        left: { total_score: r.total, passing_score: r.passing },
        right: { passed: r.passed },
        columns: ["passed"],
      })),
    });
    return results;
  },
};

export function phase2PostRunChecks(ctx: PlanContext): ValidationCheck[] {
  return [
    ...ctx.auditTables.map((t) => tableCounts(ctx, t)),
    ...ctx.auditTables.map((t) =>
      contentCheck({ id: `content:${t}`, title: `${compatViewName(t)} reads back ${t}`, legacy: t, readBack: compatViewName(t) }),
    ),
    ...ctx.auditTables.map((t) => tableLinks(ctx, t)),
    auditsIntegrity,
  ];
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
