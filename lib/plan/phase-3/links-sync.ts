import { quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { statementStep } from "../statement-step";
import { createTriggerStatement, dropTrigger, logWrite, plpgsql, syncFunctionName, TRIGGER_FUNCTION_SECURITY, verifyLiveSync } from "../sync";
import type { PlanContext } from "../types";
import { LINK_COLUMNS, LINK_TABLES, linkInsert, type LinkTable } from "./load-links";

/**
 * Live sync for assignments and notifications (lib/plan/sync.ts): installed before their load, a
 * trigger upserts the new version of each written row with the load's own values and leaves a
 * tombstone for a deleted one. Uses the write log and the referenced-employee function Phase 2's
 * sync created.
 */
const EMAILS: Record<LinkTable, string[]> = { audit_assignments: ["auditor_email", "employee_email"], notifications: ["recipient_email"] };

function linkSyncFunction(ctx: PlanContext, table: LinkTable): string {
  const u = quoteIdent(ctx.unifiedSchema);
  const updates = LINK_COLUMNS[table].filter((c) => c !== "legacy_id").map((c) => `${c} = EXCLUDED.${c}`);
  const body = `BEGIN
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id IS DISTINCT FROM NEW.id) THEN
    INSERT INTO ${u}.${table} (legacy_id, deleted_at) VALUES (OLD.id, clock_timestamp())
    ON CONFLICT (legacy_id) DO UPDATE SET deleted_at = clock_timestamp();
  END IF;
  IF TG_OP <> 'DELETE' THEN
    ${EMAILS[table].map((c) => `PERFORM ${u}.sync_referenced_employee(${quoteLiteral(table)}, NEW.${c});`).join("\n    ")}
    ${linkInsert(ctx, table, "(SELECT NEW.*)")}
    ON CONFLICT (legacy_id) DO UPDATE SET ${updates.join(", ")}, deleted_at = NULL;
  END IF;
  ${logWrite(ctx, table)}
  RETURN NULL;
END;`;
  return `-- The ${table} row a write to the legacy table makes: the load's own values, a tombstone for a deleted row.
CREATE OR REPLACE FUNCTION ${u}.${quoteIdent(syncFunctionName("links", table))}() RETURNS trigger LANGUAGE plpgsql ${TRIGGER_FUNCTION_SECURITY} AS ${plpgsql(body)}`;
}

export const linksSync = statementStep({
  id: "links-sync",
  title: "Start live sync: triggers on assignments and notifications keep them current",
  statements: (ctx) => LINK_TABLES.flatMap((table) => [linkSyncFunction(ctx, table), createTriggerStatement(ctx, table, syncFunctionName("links", table))]),
  verify: (ctx) => verifyLiveSync(ctx, LINK_TABLES, "assignments and notifications", "both tables"),
  async rollback(ctx) {
    for (const table of LINK_TABLES) await dropTrigger(ctx.db, ctx, table, syncFunctionName("links", table));
  },
});
