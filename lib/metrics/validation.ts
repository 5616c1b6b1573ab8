import { Gauge, type Registry } from "prom-client";
import { pool } from "@/lib/db/pool";
import { PHASES } from "@/lib/plan/phases";
import type { ValidationKind } from "@/lib/validation/types";

const KINDS: ValidationKind[] = ["preflight", "post_run"];
const VERDICTS = ["pass", "warn", "fail"] as const;
const CHECK_STATUSES = ["pass", "warn", "fail", "error"] as const;

interface LastSuite {
  id: number;
  phase: number;
  kind: ValidationKind;
  status: string;
  verdict: string | null;
  finished_at: Date | null;
  checks: Record<string, number> | null;
}

/** The last finished suite of each phase and kind (pre-flight, post-run), with its checks by status. */
async function lastSuites(): Promise<LastSuite[]> {
  const { rows } = await pool().query<LastSuite>(
    `SELECT v.id, v.phase, v.kind, v.status, v.verdict, v.finished_at,
            (SELECT jsonb_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM console.validation_checks WHERE run_id = v.id GROUP BY status) s) AS checks
       FROM unnest($1::int[]) AS p (phase) CROSS JOIN unnest($2::text[]) AS k (kind)
       CROSS JOIN LATERAL (SELECT * FROM console.validation_runs r WHERE r.phase = p.phase AND r.kind = k.kind AND r.status IN ('finished', 'error')
                            ORDER BY r.id DESC LIMIT 1) v
      ORDER BY v.phase, v.kind`,
    [PHASES.map((p) => p.number), KINDS],
  );
  return rows;
}

/** The last validation result per phase and kind: a verdict set (one of pass, warn, fail is 1), when, and its checks. */
export async function collectValidationMetrics(registry: Registry): Promise<void> {
  const labels = ["phase", "kind"];
  const result = new Gauge({
    name: "unify_validation_result",
    help: "The verdict of the phase's last finished validation suite of that kind: 1 for its verdict, 0 for the others (a suite that errored fails).",
    labelNames: [...labels, "verdict"],
    registers: [registry],
  });
  const finished = new Gauge({ name: "unify_validation_finished_timestamp_seconds", help: "When that suite finished (Unix time).", labelNames: labels, registers: [registry] });
  const suite = new Gauge({ name: "unify_validation_suite_id", help: "The id of that suite (its report is /validation/<id>).", labelNames: labels, registers: [registry] });
  const checks = new Gauge({ name: "unify_validation_checks", help: "That suite's checks by status.", labelNames: [...labels, "status"], registers: [registry] });

  for (const s of await lastSuites()) {
    const l = { phase: String(s.phase), kind: s.kind };
    const verdict = s.status === "error" ? "fail" : s.verdict;
    for (const v of VERDICTS) result.set({ ...l, verdict: v }, v === verdict ? 1 : 0);
    if (s.finished_at) finished.set(l, s.finished_at.getTime() / 1000);
    suite.set(l, s.id);
    for (const status of CHECK_STATUSES) checks.set({ ...l, status }, s.checks?.[status] ?? 0);
  }
}
