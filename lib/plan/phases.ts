/** The five phases of the migration plan, as the product brief states them. */
export const PHASES = [
  { number: 1, slug: "foundation", title: "Foundation", summary: "Reference tables, one employees table merged from users and people, compatibility views", risk: "low" },
  { number: 2, slug: "audits", title: "Audit unification", summary: "One audits table with JSONB parameter_scores, loaded from every scorecard's audit table", risk: "medium" },
  { number: 3, slug: "relationships", title: "Relationships", summary: "Foreign keys for audit assignments and notifications instead of email joins", risk: "low" },
  { number: 4, slug: "optimization", title: "Optimization", summary: "Summary tables audit_statistics and auditor_performance, refreshed incrementally without blocking readers; indexes", risk: "low" },
  { number: 5, slug: "cleanup", title: "Cleanup", summary: "Archive the legacy tables (reversible), final validation", risk: "low" },
] as const;

export type PhaseNumber = (typeof PHASES)[number]["number"];
