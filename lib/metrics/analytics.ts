import { Gauge, type Registry } from "prom-client";
import { refreshInterval } from "@/lib/analytics/jobs";
import { summariesExist } from "@/lib/analytics/refresh";
import { pool } from "@/lib/db/pool";
import { qualified } from "@/lib/db/sql";
import { UNIFIED_SCHEMA } from "@/lib/plan/plan";

// The change log is counted up to this many groups: enough to alert on, bounded at any size.
export const PENDING_COUNT_LIMIT = 1_000_000;

interface Freshness {
  as_of: Date | null;
  age_seconds: number | null;
  refreshing: boolean;
  last_status: string | null;
  last_mode: string | null;
  last_duration_ms: number | null;
  last_finished_at: Date | null;
}

/** The analytics' freshness as the Analytics page states it (lib/analytics/queries.ts), from the console's tables. */
async function freshness(): Promise<Freshness> {
  const { rows } = await pool().query<Freshness>(
    `WITH fresh AS (
       SELECT greatest((SELECT started_at FROM console.analytics_refreshes WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1),
                       (SELECT started_at FROM console.phase_runs WHERE phase = 4 AND kind = 'run' AND status = 'succeeded' ORDER BY id DESC LIMIT 1)) AS as_of)
     SELECT fresh.as_of, greatest(0, extract(epoch FROM now() - fresh.as_of))::float8 AS age_seconds,
            EXISTS (SELECT 1 FROM console.analytics_refreshes WHERE status = 'running') AS refreshing,
            l.status AS last_status, l.mode AS last_mode, l.duration_ms AS last_duration_ms, l.finished_at AS last_finished_at
       FROM fresh
       LEFT JOIN LATERAL (SELECT * FROM console.analytics_refreshes WHERE status <> 'running' ORDER BY id DESC LIMIT 1) l ON true`,
  );
  return rows[0]!;
}

/** Analytics freshness: how old the summaries are, whether a refresh runs or failed, what waits for the next one. */
export async function collectAnalyticsMetrics(registry: Registry): Promise<void> {
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  const ready = gauge("unify_analytics_ready", "1 once Phase 4 has built the summary tables the analytics read.");
  const interval = gauge("unify_analytics_refresh_interval_seconds", "How often the scheduled refresh runs (Settings).");
  const refreshing = gauge("unify_analytics_refreshing", "1 while a refresh runs.");
  const failed = gauge("unify_analytics_last_refresh_failed", "1 when the last finished refresh failed.");
  const duration = gauge("unify_analytics_last_refresh_duration_seconds", "How long the last finished refresh took.", ["mode"]);
  const pending = gauge("unify_analytics_pending_changes", `Groups changed since the last refresh, waiting for the next one (counted up to ${PENDING_COUNT_LIMIT}).`);

  const exists = await summariesExist();
  ready.set(exists ? 1 : 0);
  interval.set((await refreshInterval()) * 60);
  const f = await freshness();
  refreshing.set(f.refreshing ? 1 : 0);
  failed.set(f.last_status === "failed" ? 1 : 0);
  if (f.last_mode && f.last_duration_ms !== null) duration.set({ mode: f.last_mode }, f.last_duration_ms / 1000);
  // Registered only when known: an unlabelled gauge would otherwise read 0, "fresh this second".
  if (f.as_of) {
    gauge("unify_analytics_as_of_timestamp_seconds", "The analytics are current as of this time (the last successful refresh or Phase 4 load began then; Unix time).").set(f.as_of.getTime() / 1000);
    gauge("unify_analytics_age_seconds", "Seconds since the time the analytics are current as of.").set(f.age_seconds ?? 0);
  }
  if (exists) {
    const { rows } = await pool().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${qualified(UNIFIED_SCHEMA, "analytics_changes")} LIMIT ${PENDING_COUNT_LIMIT}) c`,
    );
    pending.set(rows[0]!.n);
  }
}
