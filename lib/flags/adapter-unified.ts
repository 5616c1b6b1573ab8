import { prisma } from "@/lib/db/prisma";
import { roundedAverage, type AuditEntry, type DateRange, type EmployeeRecord, type ScorecardSummary } from "./adapter-types";

/**
 * The unified read path through the Prisma client: one indexed lookup by normalised email (a single
 * statement), the employee's audits by (employee_id, audit_date), scorecards grouped in one query.
 */
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);
const asDate = (s: string) => new Date(`${s}T00:00:00Z`);

/** The normalised email, as `unified.norm_email` computes it, in the database's own terms. */
async function normalised(email: string): Promise<string | null> {
  const rows = await prisma().$queryRaw<{ n: string | null }[]>`SELECT unified.norm_email(${email}) AS n`;
  return rows[0]?.n ?? null;
}

interface EmployeeRow {
  email: string;
  email_normalized: string;
  full_name: string | null;
  role: string | null;
  department: string | null;
  team: string | null;
  country: string | null;
  manager_email: string | null;
  hire_date: string | null;
  status: string | null;
  is_active: boolean;
  legacy_user_id: number | null;
  legacy_person_id: number | null;
}

/**
 * One statement, one round trip: the email normalised by `unified.norm_email` in the same query
 * that probes the unique index on email_normalized and joins the four reference tables. (Prisma's
 * findUnique with four includes took a query per table plus the normalisation's own: ≈ 3 ms at the
 * median, against the ≤ 1 ms p95 the lookup must meet.)
 */
export async function unifiedEmployee(email: string): Promise<EmployeeRecord | null> {
  const rows = await prisma().$queryRaw<EmployeeRow[]>`
    SELECT e.email, e.email_normalized, e.full_name, r.name AS role, d.name AS department, t.name AS team, c.name AS country,
           e.manager_email, e.hire_date::text AS hire_date, e.status, e.is_active, e.legacy_user_id, e.legacy_person_id
      FROM unified.employees e
      LEFT JOIN unified.roles r ON r.id = e.role_id
      LEFT JOIN unified.departments d ON d.id = e.department_id
      LEFT JOIN unified.teams t ON t.id = e.team_id
      LEFT JOIN unified.countries c ON c.id = e.country_id
     WHERE e.email_normalized = unified.norm_email(${email})
       -- Humans known only from audit rows are not in users or people: not an employee record to the application.
       AND e.source <> 'referenced'`;
  const e = rows[0];
  if (!e) return null;
  return {
    email: e.email,
    emailNormalized: e.email_normalized,
    fullName: e.full_name,
    role: e.role,
    department: e.department,
    team: e.team,
    country: e.country,
    managerEmail: e.manager_email,
    hireDate: e.hire_date,
    status: e.status,
    isActive: e.is_active,
    legacyUserId: e.legacy_user_id,
    legacyPersonId: e.legacy_person_id,
  };
}

export async function unifiedAuditReport(email: string, range: DateRange): Promise<AuditEntry[]> {
  const emailNormalized = await normalised(email);
  if (!emailNormalized) return [];
  // The employee's id first (unique index), then their audits by the (employee_id, audit_date) index.
  const employee = await prisma().employee.findUnique({ where: { emailNormalized }, select: { id: true } });
  if (!employee) return [];
  const audits = await prisma().audit.findMany({
    where: { employeeId: employee.id, auditDate: { gte: asDate(range.from), lte: asDate(range.to) } },
    include: { scorecard: { select: { name: true } }, auditor: { select: { emailNormalized: true } } },
    orderBy: [{ auditDate: "asc" }, { sourceTable: "asc" }, { sourceId: "asc" }],
  });
  return audits.map((a) => ({
    sourceTable: a.sourceTable,
    sourceId: a.sourceId.toString(),
    scorecard: a.scorecard.name,
    auditDate: day(a.auditDate)!,
    status: a.status,
    totalScore: a.totalScore === null ? null : a.totalScore.toFixed(),
    passed: a.passed,
    comments: a.comments,
    auditorEmail: a.auditor?.emailNormalized ?? null,
    scores: a.parameterScores as Record<string, number | null>,
  }));
}

export async function unifiedScorecardSummary(range: DateRange): Promise<ScorecardSummary[]> {
  // One aggregate over audits by (scorecard_id, audit_date): Prisma's groupBy cannot count distinct employees.
  const rows = await prisma().$queryRaw<{ source_table: string; scorecard: string | null; audits: number; employees: number; average: string | null; passed: number }[]>`
    SELECT s.source_table, s.name AS scorecard, count(*)::int AS audits, count(DISTINCT a.employee_id)::int AS employees,
           avg(a.total_score)::text AS average, count(*) FILTER (WHERE a.passed)::int AS passed
      FROM unified.audits a JOIN unified.scorecards s ON s.id = a.scorecard_id
     WHERE a.audit_date BETWEEN ${range.from}::date AND ${range.to}::date
     GROUP BY s.source_table, s.name
     ORDER BY s.source_table`;
  return rows.map((r) => ({
    sourceTable: r.source_table,
    scorecard: r.scorecard,
    audits: r.audits,
    employees: r.employees,
    averageScore: roundedAverage(r.average),
    passed: r.passed,
  }));
}
