import { envOverride } from "@/lib/flags/env-override";
import { phase5PostRunChecks, phase5PreflightChecks } from "@/lib/validation/checks/phase-5";
import { schemaExists } from "../catalog";
import type { Check, PhaseDefinition, PlanContext } from "../types";
import { archiveManifestStep } from "./archive-manifest";
import { archiveMove } from "./archive-move";
import { archiveRecord } from "./archive-record";
import { archived, archiveSchema, archiveViewsSchema, homeSchema } from "./objects";
import { archiveOptions, today } from "./options";

/** The flags Phase 5 requires on: every reader is on the unified schema before the legacy tables leave. */
export const PHASE_5_FLAGS = ["USE_UNIFIED_EMPLOYEES_TABLE", "USE_UNIFIED_AUDITS_TABLE"] as const;

/** Each required flag's effective value (a retired flag serves its final value; a live one may be overridden by its environment variable). */
async function flagStates(ctx: PlanContext): Promise<{ key: string; on: boolean; why: string }[]> {
  const { rows } = await ctx.db.query<{ key: string; enabled: boolean; retired: boolean }>(
    `SELECT key, enabled, retired_at IS NOT NULL AS retired FROM console.feature_flags WHERE key = ANY ($1::text[])`,
    [[...PHASE_5_FLAGS]],
  );
  return PHASE_5_FLAGS.map((key) => {
    const row = rows.find((r) => r.key === key);
    if (!row) return { key, on: false, why: "does not exist" };
    const env = envOverride(key);
    if (!row.retired && env.set && env.value !== null) return { key, on: env.value, why: `${env.value ? "on" : "off"} by its environment variable` };
    return { key, on: row.enabled, why: row.enabled ? "on" : "off" };
  });
}

async function archiveInPlace(ctx: PlanContext): Promise<{ run_id: number; status: string } | null> {
  const { rows } = await ctx.db.query<{ run_id: number; status: string }>(`SELECT run_id, status FROM console.archives WHERE status IN ('archiving', 'archived') ORDER BY run_id DESC LIMIT 1`);
  return rows[0] ?? null;
}

export const phase5: PhaseDefinition = {
  number: 5,
  title: "Cleanup",
  // The final validation: every earlier phase's post-run suite (before: against the legacy tables
  // at home; after: against the archive), plus the manifest against the archived tables.
  validation: { preflight: phase5PreflightChecks, postRun: phase5PostRunChecks },
  steps: () => [archiveRecord, archiveMove, archiveManifestStep],
  async preflight(ctx) {
    const checks: Check[] = [];
    for (const flag of await flagStates(ctx)) {
      checks.push({ name: `${flag.key} is on`, status: flag.on ? "pass" : "fail", detail: flag.on ? `${flag.why}: readers use the unified tables` : `${flag.why}: turn it on (Flags page) before the legacy tables leave` });
    }
    const options = await archiveOptions(ctx.db, ctx);
    const retention = options.retentionUntil;
    checks.push({
      name: "a lead set the archive's retention date",
      status: retention && retention >= today() ? "pass" : "fail",
      detail: retention ? (retention >= today() ? `kept until ${retention} (set by ${options.retentionSetBy}); an admin may drop it after` : `${retention} is past: set a later date`) : "set it in the plan options before approving",
    });
    const unneeded = options.views.filter((v) => !v.keep);
    checks.push({
      name: "compatibility views a lead marked unneeded",
      status: "pass",
      detail: unneeded.length ? `${unneeded.length} leave the unified schema: ${unneeded.map((v) => v.view).join(", ")}; ${options.views.length - unneeded.length} kept` : `all ${options.views.length} kept for old readers`,
    });
    const current = await archiveInPlace(ctx);
    if (current || archived(ctx)) {
      checks.push({ name: "no archive is in place", status: "fail", detail: `the archive of run #${current?.run_id ?? "?"} is ${current?.status ?? "in place"}: roll Phase 5 back first` });
    } else {
      for (const target of [archiveSchema(), archiveViewsSchema()]) {
        const { rows } = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`, [target]);
        const occupied = (await schemaExists(ctx.db, target)) && (rows[0]?.n ?? 0) > 0;
        checks.push({
          name: `the archive schema ${target} is free`,
          status: occupied ? "fail" : "pass",
          detail: occupied
            ? `${target} already holds ${rows[0]?.n} relations: choose another UNIFY_ARCHIVE_SCHEMA or empty it`
            : target === archiveSchema() ? `the legacy tables move from ${homeSchema(ctx)} to ${target}` : `unneeded compatibility views move to ${target}`,
        });
      }
    }
    return checks;
  },
  async planInputs(ctx) {
    const options = await archiveOptions(ctx.db, ctx);
    return JSON.stringify([options.retentionUntil, options.views.filter((v) => !v.keep).map((v) => v.view)]);
  },
  async requirements(ctx) {
    const refusals: string[] = [];
    for (const flag of await flagStates(ctx)) if (!flag.on) refusals.push(`${flag.key} is ${flag.why}: Phase 5 requires both flags on`);
    const current = await archiveInPlace(ctx);
    if (current) refusals.push(`the archive of run #${current.run_id} is ${current.status}: roll Phase 5 back first`);
    // The final validation must still pass: a pre-flight report run after the approval that failed stops the run.
    const { rows } = await ctx.db.query<{ id: number; verdict: string | null }>(
      `SELECT id, verdict FROM console.validation_runs WHERE phase = 5 AND kind = 'preflight' AND status IN ('finished', 'error') ORDER BY id DESC LIMIT 1`,
    );
    const latest = rows[0];
    if (!latest) refusals.push("Phase 5 has no final validation: run its pre-flight suite");
    else if (latest.verdict === "fail" || latest.verdict === null) refusals.push(`the latest final validation (#${latest.id}) failed: fix what it found, run it again and have a lead approve`);
    return refusals;
  },
  async rollbackRequirements(ctx) {
    const { rows } = await ctx.db.query<{ run_id: number; dropped_at: Date; dropped_by: string }>(
      `SELECT run_id, dropped_at, dropped_by FROM console.archives WHERE status = 'dropped' ORDER BY run_id DESC LIMIT 1`,
    );
    const dropped = rows[0];
    const { rows: later } = await ctx.db.query(`SELECT 1 FROM console.archives WHERE status IN ('archiving', 'archived') AND run_id > $1`, [dropped?.run_id ?? 0]);
    if (dropped && !later.length) return [`its archive (run #${dropped.run_id}) was dropped by ${dropped.dropped_by} on ${dropped.dropped_at.toISOString().slice(0, 10)}: the legacy tables no longer exist`];
    return [];
  },
};
