import { phase4PostRunChecks, phase4PreflightChecks } from "@/lib/validation/checks/phase-4";
import { relationExists } from "../catalog";
import type { Check, PhaseDefinition } from "../types";
import { indexReview } from "./index-review";
import { loadSummaries } from "./load-summaries";
import { summaryIndexes } from "./summary-indexes";
import { SUMMARY_TABLES, summaryTables } from "./summary-tables";

export const phase4: PhaseDefinition = {
  number: 4,
  title: "Optimization",
  validation: { preflight: phase4PreflightChecks, postRun: phase4PostRunChecks },
  // Indexes before the load: the turnaround match reads the new audits index, and the summaries' two are small.
  steps: () => [summaryTables, summaryIndexes, loadSummaries, indexReview],
  async preflight(ctx) {
    const checks: Check[] = [];
    for (const table of ["audits", "audit_assignments"]) {
      const exists = await relationExists(ctx.db, ctx.unifiedSchema, table);
      checks.push({
        name: `${ctx.unifiedSchema}.${table} is there`,
        status: exists ? "pass" : "fail",
        detail: exists ? "the summaries read it" : `run Phase ${table === "audits" ? 2 : 3} first`,
      });
    }
    for (const table of SUMMARY_TABLES) {
      const occupied = await relationExists(ctx.db, ctx.unifiedSchema, table);
      checks.push({
        name: `${ctx.unifiedSchema}.${table} is free or ours`,
        status: occupied ? "warn" : "pass",
        detail: occupied ? "already exists: the run adds only the groups it lacks" : "nothing in the way",
      });
    }
    return checks;
  },
};
