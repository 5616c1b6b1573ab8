import type { AnalyticsFilters } from "./filters";

/** What the analytics pages receive: plain JSON, the same from the server prefetch and the API. */
export interface Summary {
  audits: number;
  avgScore: number | null;
  passRate: number | null;
}

export interface Freshness {
  /** The moment the figures stand for: the start of the last refresh that succeeded (or Phase 4's load). */
  asOf: string | null;
  pendingChanges: number;
  refreshing: boolean;
  last: { id: number; mode: string; durationMs: number | null; statisticsGroups: number; auditorMonths: number; finishedAt: string | null } | null;
}

export interface NotReady {
  ready: false;
  missing: string;
  who: string;
}

export interface Options {
  scorecards: { id: number; name: string }[];
  channels: { id: number; name: string }[];
  departments: { id: number; name: string }[];
  teams: { id: number; name: string; departmentId: number | null }[];
  months: { first: string | null; last: string | null };
}

export interface OverviewData {
  ready: true;
  filters: AnalyticsFilters;
  freshness: Freshness;
  months: (Summary & { month: string })[];
  scorecards: (Summary & { id: number; name: string })[];
  channels: (Summary & { id: number | null; name: string })[];
  comparison: { month: string; scores: Record<string, number | null> }[];
}

export interface AuditorRow {
  id: string;
  name: string;
  email: string;
  audits: number;
  avgScore: number | null;
  spread: number | null;
  deviation: number | null;
  turnaround: number | null;
  matched: number;
}

export const AUDITOR_SORTS = ["name", "audits", "avgScore", "spread", "deviation", "turnaround"] as const;
export type AuditorSort = (typeof AUDITOR_SORTS)[number];

export interface AuditorsData {
  ready: true;
  filters: AnalyticsFilters;
  freshness: Freshness;
  sort: AuditorSort;
  dir: "asc" | "desc";
  /** One page of the auditors, in that order. */
  rows: AuditorRow[];
  /** How many auditors gave an audit under these filters, on every page. */
  total: number;
  page: number;
  pageSize: number;
  /** The busiest auditors (most audits first), for the charts: their turnaround is not computed (null). */
  busiest: AuditorRow[];
  /** The middle half of the auditors' calibration deviations (25th to 75th percentile, auditors with 10 audits or more): the team band. */
  band: { low: number; high: number } | null;
}

export interface AuditorMonth {
  month: string;
  audits: number;
  avgScore: number | null;
  spread: number | null;
  deviation: number | null;
  turnaround: number | null;
}

export interface AuditorData {
  ready: true;
  filters: AnalyticsFilters;
  freshness: Freshness;
  auditor: { id: string; name: string; email: string } | null;
  total: AuditorRow | null;
  months: AuditorMonth[];
}

export interface EmployeeField {
  key: string;
  label: string;
  maxScore: number | null;
  average: number | null;
  scored: number;
}

export interface EmployeeData {
  ready: true;
  filters: AnalyticsFilters;
  freshness: Freshness;
  employee: { id: string; name: string; email: string } | null;
  scorecards: (Summary & { id: number; name: string; minScore: number | null; maxScore: number | null; fields: EmployeeField[] })[];
  months: { month: string; scores: Record<string, number | null>; audits: number }[];
  matches: { id: string; name: string; email: string }[];
}

export type Loaded<T> = T | NotReady;
