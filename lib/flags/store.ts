import { recordActivity } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { hasNul, NUL_MESSAGE } from "@/lib/db/sql";
import { envOverride, type EnvOverride } from "./env-override";
import { FlagError, FlagInterlockError, FlagNotFoundError } from "./errors";
import { interlockFor, type Interlock } from "./interlocks";
import { withPhaseFlagLock } from "./phase-guard";
import { pauseScheduleIn } from "@/lib/analytics/schedule-pause";
import { phaseStatus } from "@/lib/engine/runs";

export interface FlagView {
  key: string;
  description: string;
  phase: number | null;
  /** What the database says. */
  stored: boolean;
  /** What readers get: the environment override when it is valid, else the stored state. */
  effective: boolean;
  source: "database" | "environment";
  env: EnvOverride;
  changedBy: string | null;
  changedAt: Date | null;
  interlock: Interlock;
}

function effectiveOf(stored: boolean, env: EnvOverride) {
  return env.set && env.value !== null ? { effective: env.value, source: "environment" as const } : { effective: stored, source: "database" as const };
}

/** Every live flag with its state, its override and its interlock, in phase order. */
export async function listFlags(): Promise<FlagView[]> {
  const flags = await prisma().featureFlag.findMany({ where: { retiredAt: null }, orderBy: [{ phase: { sort: "asc", nulls: "last" } }, { key: "asc" }] });
  return Promise.all(
    flags.map(async (f) => {
      const env = envOverride(f.key);
      return {
        key: f.key,
        description: f.description,
        phase: f.phase,
        stored: f.enabled,
        ...effectiveOf(f.enabled, env),
        env,
        changedBy: f.changedBy,
        changedAt: f.changedAt,
        interlock: await interlockFor(f),
      };
    }),
  );
}

export type FlagSource = "database" | "environment" | "retired";

/**
 * What each flag evaluates to right now — one indexed read, for OFREP and the adapter. A retired
 * flag is no switch any more: it evaluates to the value it was retired with, whatever the
 * database row or an environment variable named like it says later (source "retired").
 */
export async function effectiveFlags(): Promise<Map<string, { value: boolean; source: FlagSource; phase: number | null }>> {
  const { rows } = await pool().query<{ key: string; enabled: boolean; phase: number | null; retired: boolean }>(
    `SELECT key, enabled, phase, retired_at IS NOT NULL AS retired FROM console.feature_flags ORDER BY key`,
  );
  return new Map(rows.map((r): [string, { value: boolean; source: FlagSource; phase: number | null }] => {
    if (r.retired) return [r.key, { value: r.enabled, source: "retired", phase: r.phase }];
    const { effective, source } = effectiveOf(r.enabled, envOverride(r.key));
    return [r.key, { value: effective, source, phase: r.phase }];
  }));
}

export interface RetiredFlagView {
  key: string;
  description: string;
  phase: number | null;
  /** The value it was retired with, and serves for good. */
  value: boolean;
  retiredAt: Date;
  retiredBy: string | null;
  /** An environment variable still named like it: ignored now, shown so someone removes it. */
  env: EnvOverride;
}

export async function retiredFlags(): Promise<RetiredFlagView[]> {
  const flags = await prisma().featureFlag.findMany({ where: { retiredAt: { not: null } }, orderBy: { key: "asc" } });
  return flags.map((f) => ({ key: f.key, description: f.description, phase: f.phase, value: f.enabled, retiredAt: f.retiredAt!, retiredBy: f.changedBy, env: envOverride(f.key) }));
}

export async function flagHistory(key?: string, take = 100) {
  return prisma().flagHistory.findMany({ where: key ? { flagKey: key } : {}, orderBy: { id: "desc" }, take });
}

export interface SetFlagInput {
  key: string;
  enabled: boolean;
  comment: string;
  actor: Principal;
}

/** A flag change's comment (trimmed, required, bounded, no NUL) and the flag it names, or the refusal. */
async function commentedFlag(input: { key: string; comment: string }) {
  const comment = input.comment.trim();
  if (!comment) throw new FlagError("Say why in a comment: it is kept in the flag's history");
  if (comment.length > 2000) throw new FlagError("A comment is at most 2000 characters");
  if (hasNul(comment) || hasNul(input.key)) throw new FlagError(NUL_MESSAGE);
  const flag = await prisma().featureFlag.findUnique({ where: { key: input.key } });
  if (!flag) throw new FlagNotFoundError(`There is no flag ${input.key}`);
  return { comment, flag };
}

/**
 * Turns a flag on or off with a comment. Off is always allowed — it is the rollback switch; on
 * only while the interlock allows it, checked under the phase's flag lock so a rollback requested
 * at the same moment cannot slip in between. An unchanged state is refused, so history holds changes only.
 */
export async function setFlag(input: SetFlagInput): Promise<FlagView> {
  await authorize(input.actor, "flag.toggle", input.key);
  const { comment, flag } = await commentedFlag(input);
  if (flag.retiredAt) throw new FlagError(`${input.key} is retired: it is no longer a switch and always evaluates to ${flag.enabled ? "on" : "off"}`);
  const change = async () => {
    const db = await pool().connect();
    try {
      await db.query("BEGIN");
      const { rows } = await db.query<{ enabled: boolean }>(`SELECT enabled FROM console.feature_flags WHERE key = $1 FOR UPDATE`, [input.key]);
      const from = rows[0]!.enabled;
      if (from === input.enabled) {
        await db.query("ROLLBACK");
        throw new FlagError(`${input.key} is already ${input.enabled ? "on" : "off"}`);
      }
      if (input.enabled) {
        const interlock = await interlockFor(flag);
        if (!interlock.canTurnOn) {
          await db.query("ROLLBACK");
          await recordActivity({ actor: input.actor, action: "flag.toggle", target: input.key, outcome: "failed", detail: { to: "on", refused: interlock.reason } });
          throw new FlagInterlockError(`${input.key} cannot be turned on: ${interlock.reason}`);
        }
      }
      await db.query(`UPDATE console.feature_flags SET enabled = $2, changed_by = $3, changed_at = now() WHERE key = $1`, [input.key, input.enabled, input.actor.email ?? "unknown"]);
      await db.query(
        `INSERT INTO console.flag_history (flag_key, actor_id, actor_email, from_enabled, to_enabled, comment) VALUES ($1, $2, $3, $4, $5, $6)`,
        [input.key, input.actor.id, input.actor.email ?? "unknown", from, input.enabled, comment],
      );
      await db.query("COMMIT");
      return from;
    } catch (error) {
      await db.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      db.release();
    }
  };
  const from = flag.phase !== null && input.enabled ? await withPhaseFlagLock(flag.phase, change) : await change();
  await recordActivity({ actor: input.actor, action: "flag.toggle", target: input.key, outcome: "ok", detail: { from: from ? "on" : "off", to: input.enabled ? "on" : "off", comment } });
  const view = (await listFlags()).find((f) => f.key === input.key);
  return view!;
}

/** The scheduled job "Roll back to legacy" pauses, as a person reads it. */
export const SCHEDULED_REFRESH = "the scheduled analytics refresh";

/** The word an admin types to confirm "Roll back to legacy". */
export const ROLLBACK_WORD = "legacy";

export interface LegacyRollback {
  turnedOff: string[];
  /** From the request to every flag off, committed. */
  durationMs: number;
  /** Flags an environment variable still forces on: the database is off, those readers are not. */
  forcedOnByEnvironment: string[];
  /** Scheduled jobs that write to unified tables, paused by this rollback (already paused ones are not listed). */
  pausedJobs: string[];
}

/**
 * Roll back to legacy: every flag off in one transaction (history and activity written), so every
 * reader goes back to the legacy tables at its next evaluation, and in the same transaction the
 * scheduled jobs that write to unified tables (the analytics refresh) are paused until an admin
 * resumes them. Live sync keeps running: it keeps the unified side current for the way forward.
 * The time is measured and logged.
 */
export async function rollbackToLegacy(input: { actor: Principal; confirmation: string; comment?: string }): Promise<LegacyRollback> {
  await authorize(input.actor, "flag.rollback_legacy", "all flags");
  if (input.confirmation.trim().toLowerCase() !== ROLLBACK_WORD) {
    throw new FlagError(`Type "${ROLLBACK_WORD}" to confirm the rollback`);
  }
  const started = performance.now();
  const comment = input.comment?.trim() || "Roll back to legacy";
  if (hasNul(comment)) throw new FlagError(NUL_MESSAGE);
  const db = await pool().connect();
  let turnedOff: string[];
  let pausedJobs: string[];
  try {
    await db.query("BEGIN");
    const { rows } = await db.query<{ key: string }>(
      `WITH off AS (
         UPDATE console.feature_flags SET enabled = false, changed_by = $1, changed_at = now()
          WHERE enabled AND retired_at IS NULL RETURNING key
       ), logged AS (
         INSERT INTO console.flag_history (flag_key, actor_id, actor_email, from_enabled, to_enabled, comment)
         SELECT key, $2, $1, true, false, $3 FROM off RETURNING flag_key
       )
       SELECT flag_key AS key FROM logged ORDER BY 1`,
      [input.actor.email ?? "unknown", input.actor.id, comment],
    );
    pausedJobs = (await pauseScheduleIn(db, input.actor, comment)) ? [SCHEDULED_REFRESH] : [];
    await db.query("COMMIT");
    turnedOff = rows.map((r) => r.key);
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    db.release();
  }
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  const forcedOnByEnvironment = [...(await effectiveFlags())].filter(([, f]) => f.value && f.source === "environment").map(([k]) => k);
  await recordActivity({ actor: input.actor, action: "flag.rollback_legacy", target: "all flags", outcome: "ok", detail: { turnedOff, durationMs, forcedOnByEnvironment, pausedJobs } });
  return { turnedOff, durationMs, forcedOnByEnvironment, pausedJobs };
}

/**
 * Retires a flag once Phase 5 has succeeded: the legacy tables are archived, so the switch back
 * to them is gone for good. The flag stays, with its history (a `retire` row), and evaluates to
 * its final value from then on — it must be on when it guards a phase, because readers stay on
 * the unified tables. Serialised with rollback requests of its phase (the flag lock): a rollback
 * of that phase is refused while the retired flag is on.
 */
export async function retireFlag(input: { key: string; comment: string; actor: Principal }): Promise<RetiredFlagView> {
  await authorize(input.actor, "flag.retire", input.key);
  const { comment, flag } = await commentedFlag(input);
  if (flag.retiredAt) throw new FlagError(`${input.key} is already retired (since ${flag.retiredAt.toISOString()})`);
  const refuse = async (message: string): Promise<never> => {
    await recordActivity({ actor: input.actor, action: "flag.retire", target: input.key, outcome: "failed", detail: { refused: message } });
    throw new FlagError(message);
  };
  const cleanup = await phaseStatus(5);
  if (cleanup.status !== "succeeded") return refuse(`${input.key} can be retired only after Phase 5 (Cleanup) succeeded; it is ${cleanup.status.replace(/_/g, " ")}`);
  const retire = async () => {
    const db = await pool().connect();
    try {
      await db.query("BEGIN");
      const { rows } = await db.query<{ enabled: boolean; retired: boolean }>(`SELECT enabled, retired_at IS NOT NULL AS retired FROM console.feature_flags WHERE key = $1 FOR UPDATE`, [input.key]);
      const row = rows[0]!;
      if (row.retired) throw new FlagError(`${input.key} is already retired`);
      if (flag.phase !== null && !row.enabled) throw new FlagError(`${input.key} is off: turn it on first, so readers stay on the unified tables once it is retired`);
      await db.query(`UPDATE console.feature_flags SET retired_at = now(), changed_by = $2, changed_at = now() WHERE key = $1`, [input.key, input.actor.email ?? "unknown"]);
      await db.query(
        `INSERT INTO console.flag_history (flag_key, actor_id, actor_email, from_enabled, to_enabled, comment, event) VALUES ($1, $2, $3, $4, $4, $5, 'retire')`,
        [input.key, input.actor.id, input.actor.email ?? "unknown", row.enabled, comment],
      );
      await db.query("COMMIT");
      return row.enabled;
    } catch (error) {
      await db.query("ROLLBACK").catch(() => undefined);
      if (error instanceof FlagError) await recordActivity({ actor: input.actor, action: "flag.retire", target: input.key, outcome: "failed", detail: { refused: error.message } });
      throw error;
    } finally {
      db.release();
    }
  };
  const value = flag.phase !== null ? await withPhaseFlagLock(flag.phase, retire) : await retire();
  await recordActivity({ actor: input.actor, action: "flag.retire", target: input.key, outcome: "ok", detail: { value: value ? "on" : "off", comment } });
  return (await retiredFlags()).find((f) => f.key === input.key)!;
}
