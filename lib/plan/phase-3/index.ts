import { phase3PostRunChecks, phase3PreflightChecks } from "@/lib/validation/checks/phase-3";
import { relationExists } from "../catalog";
import type { Check, PhaseDefinition } from "../types";
import { linksKeys } from "./links-keys";
import { linksSync } from "./links-sync";
import { linksTables } from "./links-tables";
import { linksViews } from "./links-views";
import { loadLinks } from "./load-links";

export const phase3: PhaseDefinition = {
  number: 3,
  title: "Relationships",
  validation: { preflight: phase3PreflightChecks, postRun: phase3PostRunChecks },
  steps: () => [linksTables, linksSync, loadLinks, linksKeys, linksViews],
  async preflight(ctx) {
    const checks: Check[] = [];
    const broken = ctx.discovery.anomalies.filter((a) => a.severity === "error" && ["audit_assignments", "notifications"].includes(a.table ?? ""));
    checks.push({
      name: "audit_assignments and notifications follow the contract",
      status: broken.length ? "fail" : "pass",
      detail: broken.length ? broken.map((a) => a.message).join("; ") : "both conform",
    });
    const audits = await relationExists(ctx.db, ctx.unifiedSchema, "audits");
    checks.push({
      name: "Phase 2's audits are there",
      status: audits ? "pass" : "fail",
      detail: audits ? `${ctx.unifiedSchema}.audits exists` : "run Phase 2 first: notifications point at audits",
    });
    for (const table of ["audit_assignments", "notifications"]) {
      const occupied = await relationExists(ctx.db, ctx.unifiedSchema, table);
      checks.push({
        name: `${ctx.unifiedSchema}.${table} is free or ours`,
        status: occupied ? "warn" : "pass",
        detail: occupied ? `${ctx.unifiedSchema}.${table} already exists: the run adds only rows it lacks` : "nothing in the way",
      });
    }
    return checks;
  },
};
