import { qualified, quoteIdent } from "@/lib/db/sql";
import { phase1PostRunChecks, phase1PreflightChecks } from "@/lib/validation/checks/phase-1";
import { countRows, relationExists } from "../catalog";
import type { Check, PhaseDefinition } from "../types";
import { count } from "@/lib/validation/types";
import { compatViews } from "./compat-views";
import { employeesTable } from "./employees-table";
import { identitySync } from "./identity-sync";
import { mergeIdentities } from "./merge-identities";
import { referenceTables } from "./reference-tables";
import { referencedHumans } from "./referenced-humans";
import { resolveManagers } from "./resolve-managers";
import { sourceRows } from "./source-rows";

export const phase1: PhaseDefinition = {
  number: 1,
  title: "Foundation",
  validation: { preflight: phase1PreflightChecks, postRun: phase1PostRunChecks },
  steps: () => [referenceTables, employeesTable, identitySync, sourceRows, mergeIdentities, referencedHumans, resolveManagers, compatViews],
  async preflight(ctx) {
    const checks: Check[] = [];
    const { discovery } = ctx;
    const blocking = discovery.anomalies.filter(
      (a) => a.severity === "error" && ["users", "people", "scorecards", "audit_assignments", "notifications"].includes(a.table ?? ""),
    );
    checks.push({
      name: "legacy identity and reference tables follow the contract",
      status: blocking.length ? "fail" : "pass",
      detail: blocking.length ? blocking.map((a) => a.message).join("; ") : "users, people, scorecards, assignments and notifications conform",
    });
    const warnings = discovery.anomalies.filter((a) => !blocking.includes(a));
    checks.push({
      name: "audit tables discovered",
      status: warnings.some((a) => a.severity === "error") ? "warn" : "pass",
      detail: `${discovery.scorecards.length} usable scorecards; ${warnings.length} other anomalies`,
    });
    if (!blocking.length) {
      const u = quoteIdent(ctx.unifiedSchema);
      const users = await countRows(ctx.db, `SELECT count(*) AS n FROM ${qualified(ctx.legacySchema, "users")}`);
      const people = await countRows(ctx.db, `SELECT count(*) AS n FROM ${qualified(ctx.legacySchema, "people")}`);
      checks.push({
        name: "identity rows to merge",
        status: users + people > 0 ? "pass" : "warn",
        detail: `${count(users)} users rows, ${count(people)} people rows`,
      });
      const occupied = await relationExists(ctx.db, ctx.unifiedSchema, "employees");
      checks.push({
        name: `${ctx.unifiedSchema}.employees is free or ours`,
        status: occupied ? "warn" : "pass",
        detail: occupied ? `${u}.employees already exists: the run continues and updates it` : "nothing in the way",
      });
    }
    return checks;
  },
};
