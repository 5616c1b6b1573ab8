import { pool } from "@/lib/db/pool";
import { qualified, quoteIdent } from "@/lib/db/sql";
import { normalisedEmailSql } from "@/lib/legacy/contract";
import { planContext } from "@/lib/plan/plan";
import { readAuditColumns } from "@/lib/plan/phase-2/audit-columns";
import { roundedAverage, type AuditEntry, type DateRange, type EmployeeRecord, type ScorecardSummary } from "./adapter-types";

/**
 * The legacy read path, as the application did it before Unify: users and people joined by email
 * string, and one SELECT per scorecard's audit table glued with UNION ALL. Identifiers come from
 * discovery and are quoted; every value is a parameter. The rules are Phase 1's and Phase 2's
 * (docs/merge-rules.md), so on migrated data both paths answer alike.
 */
const norm = (expression: string) => `nullif(${normalisedEmailSql(expression)}, '')`;
const tidy = (expression: string) => `lower(regexp_replace(btrim(${expression}), '\\s+', ' ', 'g'))`;

export async function legacyEmployee(email: string): Promise<EmployeeRecord | null> {
  const ctx = await planContext(pool());
  const users = qualified(ctx.legacySchema, "users");
  const people = qualified(ctx.legacySchema, "people");
  const { rows } = await pool().query(
    `-- The newest users row and the newest people row of one human (duplicates keep the newest).
WITH u AS (
  SELECT * FROM ${users} WHERE ${norm("email")} = ${norm("$1::text")} ORDER BY created_at DESC NULLS LAST, id DESC LIMIT 1
), p AS (
  SELECT * FROM ${people} WHERE ${norm("email")} = ${norm("$1::text")} ORDER BY created_at DESC NULLS LAST, id DESC LIMIT 1
)
SELECT coalesce(btrim(p.email), btrim(u.email)) AS email, ${norm("coalesce(p.email, u.email)")} AS email_normalized,
       coalesce(nullif(btrim(p.name), ''), nullif(btrim(u.full_name), '')) AS full_name,
       nullif(btrim(u.role), '') AS role, nullif(btrim(p.department), '') AS department, nullif(btrim(p.team), '') AS team,
       nullif(btrim(p.country), '') AS country, ${norm("p.manager_email")} AS manager_email, p.hire_date::text AS hire_date,
       coalesce(nullif(btrim(p.status), ''), CASE WHEN u.is_active THEN 'active' ELSE 'inactive' END) AS status,
       CASE WHEN p.id IS NOT NULL THEN coalesce(${tidy("p.status")} = 'active', false) ELSE coalesce(u.is_active, false) END AS is_active,
       u.id AS legacy_user_id, p.id AS legacy_person_id
  FROM (SELECT 1) one LEFT JOIN u ON true LEFT JOIN p ON true
 WHERE u.id IS NOT NULL OR p.id IS NOT NULL`,
    [email],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    email: r.email,
    emailNormalized: r.email_normalized,
    fullName: r.full_name,
    role: r.role,
    department: r.department,
    team: r.team,
    country: r.country,
    managerEmail: r.manager_email,
    hireDate: r.hire_date,
    status: r.status,
    isActive: r.is_active,
    legacyUserId: r.legacy_user_id,
    legacyPersonId: r.legacy_person_id,
  };
}

interface BranchParts {
  /** The table, aliased `t`. */
  from: string;
  /** A jsonb of the row's scores by field key (its keys become parameters only when asked for). */
  scores: () => string;
  /** Placeholders of the table's name, the scorecard's name and its passing score. */
  table: string;
  name: string;
  passing: string;
  p: (value: unknown) => string;
}

/**
 * One SELECT per discovered audit table, each naming its table and scorecard as parameters and
 * building its scores from the columns Phase 2 reads as scores (registered, of an integer type).
 */
async function unionOverAuditTables(select: (t: BranchParts) => string): Promise<{ union: string | null; params: unknown[] }> {
  const ctx = await planContext(pool());
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const branches: string[] = [];
  for (const scorecard of [...ctx.discovery.scorecards].sort((a, b) => (a.tableName < b.tableName ? -1 : 1))) {
    const columns = await readAuditColumns(pool(), ctx.legacySchema, scorecard.tableName, scorecard);
    const scores = () => {
      const pairs = columns.flatMap((c) => (c.home.kind === "score" ? [`${p(c.home.fieldKey)}::text, t.${quoteIdent(c.name)}`] : []));
      // jsonb_build_object takes at most 100 arguments: a wide scorecard concatenates several.
      const chunks: string[] = [];
      for (let i = 0; i < pairs.length; i += 50) chunks.push(`jsonb_build_object(${pairs.slice(i, i + 50).join(", ")})`);
      return chunks.length ? chunks.join(" || ") : `'{}'::jsonb`;
    };
    branches.push(
      select({
        from: `${qualified(ctx.legacySchema, scorecard.tableName)} t`,
        scores,
        table: `${p(scorecard.tableName)}::text`,
        name: `${p(scorecard.name)}::text`,
        passing: `${p(scorecard.passingScore)}::numeric`,
        p,
      }),
    );
  }
  return { union: branches.length ? branches.join("\nUNION ALL\n") : null, params };
}

export async function legacyAuditReport(email: string, range: DateRange): Promise<AuditEntry[]> {
  const { union, params } = await unionOverAuditTables(
    ({ from, scores, table, name, passing, p }) => `SELECT ${table} AS source_table, t.id::text AS source_id, ${name} AS scorecard, t.audit_date::text AS audit_date,
       t.status, trim_scale(t.total_score::numeric)::text AS total_score,
       CASE WHEN t.total_score IS NULL OR ${passing} IS NULL THEN NULL ELSE t.total_score::numeric >= ${passing} END AS passed,
       t.comments, ${norm("t.auditor_email")} AS auditor_email, ${scores()} AS scores
  FROM ${from}
 WHERE ${norm("t.employee_email")} = ${norm(`${p(email)}::text`)} AND t.audit_date BETWEEN ${p(range.from)}::date AND ${p(range.to)}::date`,
  );
  if (!union) return [];
  const { rows } = await pool().query(
    `-- One employee's audits across every scorecard: a UNION ALL over the audit tables, matched by email.
SELECT * FROM (${union}) a ORDER BY audit_date, source_table, source_id::numeric`,
    params,
  );
  return rows.map((r) => ({
    sourceTable: r.source_table,
    sourceId: r.source_id,
    scorecard: r.scorecard,
    auditDate: r.audit_date,
    status: r.status,
    totalScore: r.total_score,
    passed: r.passed,
    comments: r.comments,
    auditorEmail: r.auditor_email,
    scores: r.scores,
  }));
}

export async function legacyScorecardSummary(range: DateRange): Promise<ScorecardSummary[]> {
  const { union, params } = await unionOverAuditTables(
    ({ from, table, name, passing, p }) => `SELECT ${table} AS source_table, ${name} AS scorecard, count(*)::int AS audits,
       count(DISTINCT ${norm("t.employee_email")})::int AS employees, avg(t.total_score::numeric)::text AS average,
       count(*) FILTER (WHERE t.total_score::numeric >= ${passing})::int AS passed
  FROM ${from}
 WHERE t.audit_date BETWEEN ${p(range.from)}::date AND ${p(range.to)}::date`,
  );
  if (!union) return [];
  const { rows } = await pool().query(
    `-- Every scorecard side by side: one aggregate per audit table, glued with UNION ALL.
SELECT * FROM (${union}) s WHERE audits > 0 ORDER BY source_table`,
    params,
  );
  return rows.map((r) => ({
    sourceTable: r.source_table,
    scorecard: r.scorecard,
    audits: r.audits,
    employees: r.employees,
    averageScore: roundedAverage(r.average),
    passed: r.passed,
  }));
}
