import { quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { statementStep } from "../statement-step";
import { createTriggerStatement, dropTrigger, logWrite, plpgsql, SYNC_TRIGGER, syncFunctionName, TRIGGER_FUNCTION_SECURITY } from "../sync";
import type { Check, PlanContext } from "../types";
import { LINK_COLUMNS, LINK_TABLES, linkInsert, type LinkTable } from "./load-links";
import { archived, syncRemovedByArchive } from "../archive-location";

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
  async verify(ctx) {
    if (archived(ctx)) return [syncRemovedByArchive(ctx, "assignments and notifications")];
    const { rows } = await ctx.db.query<{ table: string }>(
      `SELECT c.relname AS table FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE t.tgname = $1 AND n.nspname = $2 AND t.tgenabled <> 'D'`,
      [SYNC_TRIGGER, ctx.legacySchema],
    );
    const missing = LINK_TABLES.filter((t) => !rows.some((r) => r.table === t));
    const checks: Check[] = [{ name: "live sync is on for assignments and notifications", status: missing.length ? "fail" : "pass", detail: missing.length ? `no trigger on ${missing.join(", ")}` : "both tables" }];
    return checks;
  },
  async rollback(ctx) {
    for (const table of LINK_TABLES) await dropTrigger(ctx.db, ctx, table, syncFunctionName("links", table));
  },
});
