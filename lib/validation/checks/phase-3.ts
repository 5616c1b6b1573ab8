import type pg from "pg";
import { qualified, quoteIdent } from "@/lib/db/sql";
import { normalisedEmailSql } from "@/lib/legacy/contract";
import type { PlanContext } from "@/lib/plan/types";
import { count, type CheckResult, type ValidationCheck } from "../types";
import { readBackResults, scalar } from "./common";
import { compatViewSchema } from "@/lib/plan/archive-location";

/**
 * Phase 3's suite. Post-run: each links table against its compatibility view (counts and every
 * value), and the orphan report against orphans counted from the legacy side — so every row whose
 * key is NULL is explained, and every explanation is a real orphan. Pre-flight: those orphans, so
 * the lead sees them before approving.
 */
const norm = (expression: string) => `nullif(${normalisedEmailSql(expression)}, '')`;

type Reference = "auditor_email" | "employee_email" | "scorecard_table" | "recipient_email" | "audit_id" | "audit_table";
const REFERENCES: [string, Reference][] = [
  ["audit_assignments", "auditor_email"],
  ["audit_assignments", "employee_email"],
  ["audit_assignments", "scorecard_table"],
  ["notifications", "recipient_email"],
  ["notifications", "audit_id"],
  ["notifications", "audit_table"],
];

/** Orphans per reference, counted from the legacy tables and the registry (emails against employees). */
async function legacyOrphans(db: pg.ClientBase, ctx: PlanContext): Promise<Map<string, number>> {
  const u = quoteIdent(ctx.unifiedSchema);
  const assignments = qualified(ctx.legacySchema, "audit_assignments");
  const notifications = qualified(ctx.legacySchema, "notifications");
  // Rows counted per distinct spelling (MATERIALIZED: nothing is pushed into the scan), each spelling normalised once.
  const unknownEmail = (table: string, column: string) =>
    scalar(db, `WITH spellings AS MATERIALIZED (SELECT ${quoteIdent(column)} AS e, count(*) AS rows FROM ${table} GROUP BY 1)
                SELECT coalesce(sum(s.rows), 0) AS n FROM spellings s WHERE ${norm("s.e")} IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM ${u}.employees e WHERE e.email_normalized = ${norm("s.e")})`);
  const found = new Map<string, number>();
  found.set("audit_assignments:auditor_email", await unknownEmail(assignments, "auditor_email"));
  found.set("audit_assignments:employee_email", await unknownEmail(assignments, "employee_email"));
  found.set("audit_assignments:scorecard_table", await scalar(db, `SELECT count(*) AS n FROM ${assignments} WHERE scorecard_table IS NOT NULL AND NOT (scorecard_table = ANY ($1::text[]))`, [ctx.auditTables]));
  found.set("notifications:recipient_email", await unknownEmail(notifications, "recipient_email"));
  let pastTheEnd = 0;
  for (const table of ctx.auditTables) {
    pastTheEnd += await scalar(
      db,
      `SELECT count(*) AS n FROM ${notifications} n WHERE n.audit_table = $1
          AND (n.audit_id IS NULL OR NOT EXISTS (SELECT 1 FROM ${qualified(ctx.legacySchema, table)} t WHERE t.id = n.audit_id))`,
      [table],
    );
  }
  found.set("notifications:audit_id", pastTheEnd);
  found.set(
    "notifications:audit_table",
    await scalar(db, `SELECT count(*) AS n FROM ${notifications} WHERE (audit_table IS NULL AND audit_id IS NOT NULL) OR (audit_table IS NOT NULL AND NOT (audit_table = ANY ($1::text[])))`, [ctx.auditTables]),
  );
  return found;
}

function readBack(ctx: PlanContext, table: "audit_assignments" | "notifications"): ValidationCheck {
  return {
    id: `content:${table}`,
    title: `${table}: rows and values read back through ${table}_compat`,
    category: "content",
    run: async (db) =>
      readBackResults(db, { schema: ctx.legacySchema, name: table }, { schema: await compatViewSchema(db, ctx, `${table}_compat`), name: `${table}_compat` }, { rows: table === "notifications" ? "notification" : "assignment" }),
  };
}

const orphansExplained: ValidationCheck = {
  id: "counts:orphans",
  title: "Every unresolved reference is a reported orphan, every reported orphan a real one",
  category: "counts",
  async run(db, ctx): Promise<CheckResult[]> {
    const expected = await legacyOrphans(db, ctx);
    const { rows } = await db.query<{ key: string; n: string }>(
      `SELECT source_table || ':' || reference AS key, count(*) AS n FROM ${quoteIdent(ctx.unifiedSchema)}.link_orphans GROUP BY 1`,
    );
    const reported = new Map(rows.map((r) => [r.key, Number(r.n)]));
    return REFERENCES.map(([table, reference]) => {
      const key = `${table}:${reference}`;
      const want = expected.get(key) ?? 0;
      const got = reported.get(key) ?? 0;
      return {
        name: `${table}.${reference}: orphans reported exactly`,
        status: want === got ? (want ? "warn" : "pass") : "fail",
        expected: `${count(want)} legacy rows whose ${reference} resolves to nothing`,
        actual: `${count(got)} in the orphan report`,
        detail: want === got ? (want ? "kept with a NULL key, listed for review" : "every reference resolves") : "the report and the legacy tables disagree",
      };
    });
  },
};

const linksIntegrity: ValidationCheck = {
  id: "integrity:links",
  title: "assignments and notifications keep their promises",
  category: "integrity",
  async run(db, ctx): Promise<CheckResult[]> {
    const { rows } = await db.query<{ conname: string; convalidated: boolean }>(
      `SELECT k.conname, k.convalidated FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname IN ('audit_assignments', 'notifications') AND k.contype = 'f' ORDER BY 1`,
      [ctx.unifiedSchema],
    );
    const unvalidated = rows.filter((r) => !r.convalidated).map((r) => r.conname);
    return [{
      name: "every foreign key of assignments and notifications is validated",
      status: rows.length === 5 && !unvalidated.length ? "pass" : "fail",
      expected: "5 validated foreign keys",
      actual: `${rows.length} foreign keys${unvalidated.length ? `, not validated: ${unvalidated.join(", ")}` : ""}`,
      detail: "a validated key means every row's reference resolves or is NULL",
    }];
  },
};

export function phase3PostRunChecks(ctx: PlanContext): ValidationCheck[] {
  return [readBack(ctx, "notifications"), readBack(ctx, "audit_assignments"), orphansExplained, linksIntegrity];
}

const expectedOrphans: ValidationCheck = {
  id: "quality:orphans",
  title: "References in assignments and notifications that resolve to nothing",
  category: "quality",
  async run(db, ctx): Promise<CheckResult[]> {
    const expected = await legacyOrphans(db, ctx);
    return REFERENCES.map(([table, reference]) => {
      const n = expected.get(`${table}:${reference}`) ?? 0;
      return {
        name: `${table}.${reference} that resolves to nothing`,
        status: n ? "warn" : "pass",
        expected: "every reference resolves",
        actual: `${count(n)} rows`,
        detail: n ? "kept with a NULL key and listed in the orphan report" : "none",
      };
    });
  },
};

export function phase3PreflightChecks(): ValidationCheck[] {
  return [expectedOrphans];
}
