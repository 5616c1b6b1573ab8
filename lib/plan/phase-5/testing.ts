import type pg from "pg";
import { expect } from "vitest";
import { pool } from "@/lib/db/pool";
import { qualified } from "@/lib/db/sql";
import { approveAndRun, TEST_LEAD } from "@/lib/engine/testing/phases";
import { setFlag } from "@/lib/flags/store";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";
import { setArchiveOptions } from "./archive";
import { PHASE_5_FLAGS } from ".";

export const TEST_ADMIN = { id: null, email: "admin@test", roles: ["admin" as const] };
export { TEST_LEAD };

/**
 * Hand-built legacy data for Phase 5: two scorecards (one table named with a space and a column
 * named `select`), an audit table the registry does not know (reported by discovery, archived
 * with the rest), assignments and notifications.
 */
export const PHASE_5_LEGACY = `
${LEGACY_TABLES_DDL}
INSERT INTO users (id, email, password_hash, full_name, role, is_active, created_at) VALUES
  (1, 'Ana@Example.com', 'h1', 'Ana Silva', 'Agent', true, '2024-01-01'),
  (2, 'bob@example.com', 'h2', 'Bob Stone', 'Supervisor', true, '2024-01-01');
INSERT INTO people (id, email, name, department, team, country, manager_email, hire_date, status, created_at) VALUES
  (1, 'ana@example.com', 'Ana Silva', 'Support', 'Tier 1', 'Portugal', 'bob@example.com', '2020-01-01', 'active', '2023-01-01');
CREATE TABLE "Email Audit" (id bigserial PRIMARY KEY, employee_email text, auditor_email text, audit_date date, status text, total_score numeric,
  comments text, created_at timestamptz, updated_at timestamptz, "select" integer);
CREATE TABLE stray_audit (id bigserial PRIMARY KEY, note text);
INSERT INTO stray_audit (note) VALUES ('never registered');
INSERT INTO scorecards (id, name, table_name, channel, passing_score) VALUES (1, 'Email', 'email_audit', 'Email', 80), (2, 'New', 'Email Audit', 'Email', 50);
INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position) VALUES
  (1, 'greeting', 'greeting', 'Greeting', 5, 1, 1), (2, 'select', 'select', 'Select', 5, 1, 1);
INSERT INTO email_audit (id, employee_email, auditor_email, audit_date, status, total_score, greeting) VALUES
  (1, 'ana@example.com', 'bob@example.com', '2024-03-01', 'done', 90, 5),
  (2, ' ANA@example.com', 'bob@example.com', '2024-03-02', 'done', 70, 3);
INSERT INTO "Email Audit" (id, employee_email, auditor_email, audit_date, status, total_score, "select") VALUES
  (5, 'bob@example.com', 'ana@example.com', '2024-04-01', 'done', 60, 4);
INSERT INTO audit_assignments (id, auditor_email, employee_email, scorecard_table, due_date, status, created_at) VALUES
  (1, 'bob@example.com', 'Ana@Example.com ', 'email_audit', '2024-05-01', 'open', '2024-04-01 09:00+00'),
  (2, 'bob@example.com', 'ana@example.com', 'Email Audit', '2024-05-02', 'done', '2024-04-01 09:00+00');
INSERT INTO notifications (id, recipient_email, type, message, read_at, audit_table, audit_id, created_at) VALUES
  (1, 'ana@example.com', 'audit', 'your audit', '2024-03-02 10:00+00', 'email_audit', 1, '2024-03-01 10:00+00'),
  (2, 'Bob@Example.com', 'audit', 'new audit', NULL, 'Email Audit', 5, '2024-04-01 10:00+00');
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
