import { Counter, Gauge, type Registry } from "prom-client";
import { pool } from "@/lib/db/pool";
import { qualified, quoteLiteral } from "@/lib/db/sql";
import { phaseStatus, type PhaseStatus } from "@/lib/engine/runs";
import { UNIFIED_SCHEMA } from "@/lib/plan/plan";
import { LINK_TABLES } from "@/lib/plan/phase-3/load-links";
import { SYNC_TRIGGER } from "@/lib/plan/sync";

/** Statuses in which a phase's triggers may be on: from its first step until a rollback removes them. */
const SYNCING: PhaseStatus[] = ["running", "paused", "succeeded", "failed", "cancelled", "rollback_failed"];

// Below this many rows the write log is counted exactly; above it the planner's estimate is read.
export const EXACT_WRITE_COUNT_LIMIT = 1_000_000;

interface SyncedTable {
  phase: number;
  table: string;
  /** The unified table that mirrors it and the column holding the legacy id. */
  target: { table: string; key: string; where: string };
}

/** The legacy tables a phase's live sync mirrors, from the plan its latest run executes. */
async function syncedTables(): Promise<{ legacySchema: string | null; tables: SyncedTable[]; loaded: Set<number> }> {
  const [two, three] = await Promise.all([phaseStatus(2), phaseStatus(3)]);
  const { rows } = await pool().query<{ schema: string; tables: string[] }>(
    `SELECT plan->'context'->>'legacySchema' AS schema, ARRAY(SELECT jsonb_array_elements_text(plan->'context'->'auditTables')) AS tables
       FROM console.phase_runs WHERE phase = 2 AND kind = 'run' AND only_step IS NULL AND plan IS NOT NULL ORDER BY id DESC LIMIT 1`,
  );
  const plan = rows[0];
  const tables: SyncedTable[] = [];
  if (plan && SYNCING.includes(two.status)) {
    for (const table of plan.tables) {
      tables.push({ phase: 2, table, target: { table: "audits", key: "source_id", where: `source_table = ${quoteLiteral(table)}` } });
    }
  }
  if (SYNCING.includes(three.status)) {
    for (const table of LINK_TABLES) tables.push({ phase: 3, table, target: { table, key: "legacy_id", where: "true" } });
  }
  const loaded = new Set([two.status === "succeeded" ? 2 : 0, three.status === "succeeded" ? 3 : 0]);
  return { legacySchema: plan?.schema ?? null, tables, loaded };
}

/** Which of the tables have the sync trigger on, and which have an index leading with id (a cheap max). */
async function catalog(legacySchema: string, tables: string[]) {
  const { rows } = await pool().query<{ table: string; trigger_on: boolean; id_indexed: boolean }>(
    `SELECT c.relname AS table,
            EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = $3 AND NOT t.tgisinternal AND t.tgenabled <> 'D') AS trigger_on,
            EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
                     WHERE i.indrelid = c.oid AND a.attname = 'id' AND i.indpred IS NULL AND i.indexprs IS NULL) AS id_indexed
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY ($2::text[]) AND c.relkind IN ('r', 'p')`,
    [legacySchema, tables, SYNC_TRIGGER],
  );
  return new Map(rows.map((r) => [r.table, r]));
}

/**
 * Legacy rows past the newest one the unified side holds, per loaded table: two index lookups each
 * (the legacy key, the unified origin key). Zero while the triggers apply every insert.
 */
async function lagRows(legacySchema: string, tables: SyncedTable[]): Promise<Map<string, number>> {
  if (!tables.length) return new Map();
  const parts = tables.map(
    (t, i) =>
      `SELECT ${i} AS i, greatest(0, coalesce((SELECT max(id) FROM ${qualified(legacySchema, t.table)})::numeric, 0)
              - coalesce((SELECT max(${t.target.key}) FROM ${qualified(UNIFIED_SCHEMA, t.target.table)} WHERE ${t.target.where})::numeric, 0))::float8 AS lag`,
  );
  const { rows } = await pool().query<{ i: number; lag: number }>(parts.join("\nUNION ALL\n"));
  return new Map(rows.map((r) => [tables[r.i]!.table, r.lag]));
}

/** The write log's size: exact while small, the planner's estimate once it is large. */
async function writesApplied(): Promise<{ writes: number; lastAt: Date | null } | null> {
  const { rows } = await pool().query<{ estimate: number }>(
    `SELECT CASE WHEN c.reltuples < 0 OR c.relpages = 0 THEN 0
                 ELSE c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::int) END::float8 AS estimate
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'sync_writes'`,
    [UNIFIED_SCHEMA],
  );
  if (!rows[0]) return null;
  const log = qualified(UNIFIED_SCHEMA, "sync_writes");
  const { rows: last } = await pool().query<{ at: Date | null }>(`SELECT (SELECT applied_at FROM ${log} ORDER BY id DESC LIMIT 1) AS at`);
  if (rows[0].estimate >= EXACT_WRITE_COUNT_LIMIT) return { writes: Math.round(rows[0].estimate), lastAt: last[0]?.at ?? null };
  const { rows: exact } = await pool().query<{ n: number }>(`SELECT count(*)::float8 AS n FROM ${log}`);
  return { writes: exact[0]!.n, lastAt: last[0]?.at ?? null };
}

/** Live sync: the tables each phase mirrors, how many have their trigger on, the writes applied and the lag. */
export async function collectLiveSyncMetrics(registry: Registry): Promise<void> {
  const tablesGauge = new Gauge({ name: "unify_live_sync_tables", help: "Legacy tables a phase's live sync mirrors (from its first step until its rollback).", labelNames: ["phase"], registers: [registry] });
  const triggers = new Gauge({ name: "unify_live_sync_triggers_on", help: "Of those tables, how many have the sync trigger installed and enabled.", labelNames: ["phase"], registers: [registry] });
  const trigger = new Gauge({ name: "unify_live_sync_trigger_on", help: "1 while the table's sync trigger is installed and enabled, 0 otherwise.", labelNames: ["phase", "table"], registers: [registry] });
  const lag = new Gauge({
    name: "unify_live_sync_lag_rows",
    help: "Legacy rows (by id) past the newest one the unified side holds, for the tables of a phase that succeeded; 0 while sync keeps up.",
    labelNames: ["phase", "table"],
    registers: [registry],
  });
  const writes = new Counter({ name: "unify_live_sync_writes_applied_total", help: "Legacy writes live sync applied to the unified side (the write log; an estimate past a million).", registers: [registry] });

  const { legacySchema, tables, loaded } = await syncedTables();
  for (const phase of [2, 3]) tablesGauge.set({ phase: String(phase) }, tables.filter((t) => t.phase === phase).length);
  const found = legacySchema ? await catalog(legacySchema, tables.map((t) => t.table)) : new Map();
  const on = (t: SyncedTable) => Boolean(found.get(t.table)?.trigger_on);
  for (const phase of [2, 3]) triggers.set({ phase: String(phase) }, tables.filter((t) => t.phase === phase && on(t)).length);
  for (const t of tables) trigger.set({ phase: String(t.phase), table: t.table }, on(t) ? 1 : 0);
  const measurable = tables.filter((t) => loaded.has(t.phase) && found.get(t.table)?.id_indexed);
  const lags = legacySchema ? await lagRows(legacySchema, measurable) : new Map<string, number>();
  for (const t of measurable) lag.set({ phase: String(t.phase), table: t.table }, lags.get(t.table) ?? 0);

  const applied = await writesApplied();
  writes.inc(applied?.writes ?? 0);
  // Registered only when there is one: an unlabelled gauge would otherwise read 0 (1970).
  if (applied?.lastAt) {
    new Gauge({ name: "unify_live_sync_last_write_timestamp_seconds", help: "When live sync last applied a legacy write (Unix time).", registers: [registry] }).set(applied.lastAt.getTime() / 1000);
  }
}
