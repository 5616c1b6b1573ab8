/**
 * What the adapter returns, whichever schema answered: the application's view of an employee and
 * of their audits. Dates are `YYYY-MM-DD`, scores numbers, totals numeric text without trailing zeros (no float rounding).
 */
export interface EmployeeRecord {
  email: string;
  emailNormalized: string;
  fullName: string | null;
  role: string | null;
  department: string | null;
  team: string | null;
  country: string | null;
  managerEmail: string | null;
  hireDate: string | null;
  status: string | null;
  isActive: boolean;
  legacyUserId: number | null;
  legacyPersonId: number | null;
}

export interface AuditEntry {
  /** The scorecard's legacy audit table and the row's id in it. */
  sourceTable: string;
  sourceId: string;
  scorecard: string | null;
  auditDate: string;
  status: string | null;
  totalScore: string | null;
  passed: boolean | null;
  comments: string | null;
  auditorEmail: string | null;
  scores: Record<string, number | null>;
}

export interface DateRange {
  from: string;
  to: string;
}

export interface AuditReport {
  employeeEmail: string;
  range: DateRange;
  audits: AuditEntry[];
}

/** One row of the cross-scorecard comparison: every scorecard side by side over a date range. */
export interface ScorecardSummary {
  sourceTable: string;
  scorecard: string | null;
  audits: number;
  employees: number;
  averageScore: number | null;
  passed: number;
}

export type Source = "legacy" | "unified";

export interface Answered<T> {
  data: T;
  source: Source;
  /** The flag that chose the source, and whether an environment variable set it. */
  flag: { key: string; on: boolean; from: "database" | "environment" | "retired" | "caller" };
  durationMs: number;
}

/** Totals as the adapter shows them: numeric text rounded to 2 places, the same from either side. */
export function roundedAverage(value: string | null): number | null {
  return value === null ? null : Number(Number(value).toFixed(2));
}
