import type pg from "pg";
import { expect } from "vitest";
import { pool } from "@/lib/db/pool";
import { qualified } from "@/lib/db/sql";
import { approveAndRun, TEST_LEAD } from "@/lib/engine/testing/phases";
import { setFlag } from "@/lib/flags/store";
import { TWO_SCORECARDS_LEGACY } from "@/lib/legacy/testing/fixtures";
import { setArchiveOptions } from "./archive";
import { PHASE_5_FLAGS } from ".";

export const TEST_ADMIN = { id: null, email: "admin@test", roles: ["admin" as const] };
export { TEST_LEAD };

/**
 * Hand-built legacy data for Phase 5: the two scorecards' data and an audit table the registry
 * does not know (reported by discovery, archived with the rest).
 */
export const PHASE_5_LEGACY = `
${TWO_SCORECARDS_LEGACY}
CREATE TABLE stray_audit (id bigserial PRIMARY KEY, note text);
INSERT INTO stray_audit (note) VALUES ('never registered');
`;

export const PHASE_5_TABLES = ["Email Audit", "audit_assignments", "email_audit", "notifications", "people", "scorecard_fields", "scorecards", "stray_audit", "users"];

/** Phases 1 to 4 on the fixture, each approved and run as a worker would. */
export async function migrateThroughPhase4(): Promise<void> {
  await pool().query(PHASE_5_LEGACY);
  for (const phase of [1, 2, 3, 4]) {
    const run = await approveAndRun(phase);
    expect({ phase, status: run.status, error: run.error }).toEqual({ phase, status: "succeeded", error: null });
  }
}

export async function setFlags(on: boolean): Promise<void> {
  for (const key of PHASE_5_FLAGS) {
    const { rows } = await pool().query(`SELECT enabled FROM console.feature_flags WHERE key = $1`, [key]);
    if (rows[0]?.enabled !== on) await setFlag({ key, enabled: on, comment: "phase 5 test", actor: TEST_ADMIN });
  }
}

/** A retention date `days` from today, as a lead types it. */
export function daysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export async function leadSetsOptions(views: Record<string, boolean> = {}): Promise<void> {
  await setArchiveOptions({ actor: TEST_LEAD, retentionUntil: daysFromToday(30), views });
}

/**
 * Everything a rollback must put back, beyond catalogSnapshot's names: every trigger's and
 * function's definition, every view's definition, where each relation lives and its privileges.
 */
export async function catalogDefinitions(db: pg.Pool | pg.Client): Promise<string[]> {
  const { rows } = await db.query<{ item: string }>(
    `SELECT 'trigger ' || n.nspname || '.' || c.relname || ': ' || pg_get_triggerdef(t.oid) AS item
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT t.tgisinternal AND n.nspname NOT IN ('console', 'pg_catalog', 'information_schema')
     UNION ALL
     SELECT 'function ' || pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname NOT IN ('console', 'pg_catalog', 'information_schema') AND p.prokind = 'f'
     UNION ALL
     SELECT 'view ' || n.nspname || '.' || c.relname || ': ' || pg_get_viewdef(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'v' AND n.nspname NOT IN ('console', 'pg_catalog', 'information_schema')
     UNION ALL
     SELECT 'acl ' || n.nspname || '.' || c.relname || ': ' || coalesce(c.relacl::text, 'default') || ' owner ' || pg_get_userbyid(c.relowner)
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('console', 'pg_catalog', 'information_schema', 'pg_toast')
     ORDER BY 1`,
  );
  return rows.map((r) => r.item);
}

/** md5 of every row of each table, in a stable order, wherever the tables are now. */
export async function tableChecksums(db: pg.Pool | pg.Client, schema: string, tables: string[]): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const t of tables) {
    const { rows } = await db.query(`SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS h FROM ${qualified(schema, t)} t`);
    sums[t] = rows[0].h;
  }
  return sums;
}
