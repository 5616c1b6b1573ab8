import { phase2PostRunChecks, phase2PreflightChecks } from "@/lib/validation/checks/phase-2";
import { count } from "@/lib/validation/types";
import { relationExists } from "../catalog";
import type { Check, PhaseDefinition } from "../types";
import { auditIndexes } from "./audit-indexes";
import { auditSync } from "./audit-sync";
import { auditsTable } from "./audits-table";
import { auditCompatViews } from "./compat-views";
import { loadAudits } from "./load-audits";
import { scorecardTables } from "./scorecard-tables";

export const phase2: PhaseDefinition = {
  number: 2,
  title: "Audit unification",
  validation: { preflight: phase2PreflightChecks, postRun: phase2PostRunChecks },
  steps: () => [scorecardTables, auditsTable, auditSync, loadAudits, auditIndexes, auditCompatViews],
  async preflight(ctx) {
    const checks: Check[] = [];
    const { discovery } = ctx;
    const registryBroken = discovery.anomalies.filter((a) => a.severity === "error" && ["scorecards", "scorecard_fields"].includes(a.table ?? ""));
    checks.push({
      name: "the scorecard registry follows the contract",
      status: registryBroken.length ? "fail" : "pass",
      detail: registryBroken.length ? registryBroken.map((a) => a.message).join("; ") : "scorecards and scorecard_fields conform",
    });
    const left = discovery.anomalies.filter((a) => ["audit_table_missing", "scorecard_invalid", "base_column_missing", "audit_table_unregistered"].includes(a.code));
    checks.push({
      name: "audit tables to load",
      status: discovery.scorecards.length === 0 ? "fail" : left.length ? "warn" : "pass",
      detail: `${count(ctx.auditTables.length)} audit tables${left.length ? `; left out: ${left.map((a) => a.message).join("; ")}` : ""}`,
    });
    const employees = await relationExists(ctx.db, ctx.unifiedSchema, "employees");
    checks.push({
      name: "Phase 1's employees are there",
      status: employees ? "pass" : "fail",
      detail: employees ? `${ctx.unifiedSchema}.employees exists` : "run Phase 1 first: audits point at employees",
    });
    const occupied = await relationExists(ctx.db, ctx.unifiedSchema, "audits");
    checks.push({
      name: `${ctx.unifiedSchema}.audits is free or ours`,
      status: occupied ? "warn" : "pass",
      detail: occupied ? `${ctx.unifiedSchema}.audits already exists: the run continues and adds only rows it lacks` : "nothing in the way",
    });
    return checks;
  },
};
