/** The Prisma models of what Phase 4 creates: earlier phases' schema-agreement tests leave them out. */
export const PHASE_4_MODELS = ["AuditStatistic", "ScorecardMonthStatistic", "ScorecardMonthTotal", "AuditorPerformance", "AuditorRunningTotal", "AuditorMonthVector", "AnalyticsChange"];
