import { quoteIdent, quoteLiteral, sqlComment } from "@/lib/db/sql";
import { statementStep } from "../statement-step";
import { createTriggerStatement, dropTrigger, logWrite, plpgsql, syncFunctionName, TRIGGER_FUNCTION_SECURITY, verifyLiveSync } from "../sync";
import type { PlanContext } from "../types";
import { readAuditColumns, scorecardOf, type AuditColumn } from "./audit-columns";
import { AUDIT_COLUMNS, auditInsert } from "./load-audits";

/**
 * Live sync for audits (lib/plan/sync.ts): before the load starts, a trigger on every legacy audit
 * table applies each write to `audits` — the new version upserted with exactly the load's values
 * (referenced employees made first), a deleted row kept as a tombstone (`deleted_at`), so the
 * backfill neither misses a write nor resurrects a row.
 */
export function auditSyncFunction(ctx: PlanContext, table: string, columns: AuditColumn[]): string {
  const u = quoteIdent(ctx.unifiedSchema);
  const source = quoteLiteral(table);
  const updates = AUDIT_COLUMNS.filter((c) => c !== "source_table" && c !== "source_id").map((c) => `${c} = EXCLUDED.${c}`);
  const body = `BEGIN
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id IS DISTINCT FROM NEW.id) THEN
    -- The legacy row is gone: a tombstone, so no backfill batch with an older snapshot brings it back.
    INSERT INTO ${u}.audits (scorecard_id, parameter_scores, source_table, source_id, deleted_at)
    SELECT sc.id, '{}'::jsonb, sc.source_table, OLD.id, clock_timestamp() FROM ${u}.scorecards sc WHERE sc.source_table = ${source}
    ON CONFLICT (source_table, source_id) DO UPDATE SET deleted_at = clock_timestamp();
    -- Notifications about it point at nothing now, exactly as a fresh migration would load them.
    IF to_regclass(${quoteLiteral(`${u}.notifications`)}) IS NOT NULL THEN
      UPDATE ${u}.notifications n SET audit_id = NULL, audit_table_legacy = a.source_table, audit_source_id_legacy = a.source_id
        FROM ${u}.audits a WHERE a.source_table = ${source} AND a.source_id = OLD.id AND n.audit_id = a.id;
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM ${u}.sync_referenced_employee(${source}, NEW.employee_email);
    PERFORM ${u}.sync_referenced_employee(${source}, NEW.auditor_email);
    ${auditInsert(ctx, table, columns, "(SELECT NEW.*)")}
    ON CONFLICT (source_table, source_id) DO UPDATE SET ${updates.join(", ")}, deleted_at = NULL;
    -- Notifications that named this audit while it did not exist resolve to it now.
    IF to_regclass(${quoteLiteral(`${u}.notifications`)}) IS NOT NULL THEN
      UPDATE ${u}.notifications n SET audit_id = a.id, audit_table_legacy = NULL, audit_source_id_legacy = NULL
        FROM ${u}.audits a WHERE a.source_table = ${source} AND a.source_id = NEW.id
         AND n.audit_id IS NULL AND n.audit_table_legacy = ${source} AND n.audit_source_id_legacy = NEW.id;
    END IF;
  END IF;
  ${logWrite(ctx, table)}
  RETURN NULL;
END;`;
  return `-- ${sqlComment(`The audit a write to ${table} makes: the load's own values for the new row, a tombstone for a deleted one.`)}
CREATE OR REPLACE FUNCTION ${u}.${quoteIdent(syncFunctionName("audits", table))}() RETURNS trigger LANGUAGE plpgsql ${TRIGGER_FUNCTION_SECURITY} AS ${plpgsql(body)}`;
}

async function statements(ctx: PlanContext): Promise<string[]> {
  // The write log and sync_referenced_employee are Phase 1's (its identity sync creates them first).
  const out: string[] = [];
  for (const table of ctx.auditTables) {
    const columns = await readAuditColumns(ctx.db, ctx.legacySchema, table, scorecardOf(ctx, table));
    out.push(auditSyncFunction(ctx, table, columns));
    out.push(createTriggerStatement(ctx, table, syncFunctionName("audits", table)));
  }
  return out;
}

export const auditSync = statementStep({
  id: "audit-sync",
  title: "Start live sync: triggers on every audit table keep audits current",
  statements,
  verify: (ctx) => verifyLiveSync(ctx, ctx.auditTables, "every audit table", `${ctx.auditTables.length} tables`),
  async rollback(ctx) {
    for (const table of ctx.auditTables) await dropTrigger(ctx.db, ctx, table, syncFunctionName("audits", table));
  },
});
