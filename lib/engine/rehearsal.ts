import type pg from "pg";
import { recordActivity } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { qualified, quoteIdent } from "@/lib/db/sql";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { CONTRACT_TABLES, legacySchema } from "@/lib/legacy/contract";
import { estimateRows } from "@/lib/plan/catalog";
import { assertPhase, buildPlan, buildPlanFrom, phaseDefinition } from "@/lib/plan/plan";
import type { PlanContext, Queryable, Step, StepContext } from "@/lib/plan/types";
import { EngineError } from "./errors";
import { unitParallelism } from "./parallelism";
import { activeRun } from "./runs";

/**
 * A dress rehearsal: the phase's steps (after the earlier phases' steps, which it needs) run on a
 * sample of the legacy data copied into scratch schemas, all in one transaction that is rolled back
 * — so the rehearsal leaves nothing behind, touches neither the legacy tables nor `unified`, and
 * whatever a step writes to the console's tables is undone too. Each step is timed; its rate on the
 * sample, times the rows its plan states for the real data, is the prediction.
 */
export const REHEARSAL_PERCENT = 1;
/** The contract's link tables (assignments, notifications): sampled like the audit tables. */
const LINK_TABLES = CONTRACT_TABLES.filter((t) => t.role === "links").map((t) => t.name as string);
export const SCRATCH_LEGACY = "unify_rehearsal_legacy";
export const SCRATCH_UNIFIED = "unify_rehearsal_unified";

export class RehearsalRefusedError extends EngineError {
  override name = "RehearsalRefusedError";
}

export interface RehearsedStep {
  stepId: string;
  title: string;
  /** Rows the step's plan states on the sample and on the real data. */
  sampleRows: number;
  fullRows: number;
  units: number;
  seconds: number;
  rowsPerSecond: number | null;
  predictedSeconds: number;
}

/** A rehearsal step's prediction: its time on the sample scaled by the rows, its units spread over the sessions the engine uses. */
export function predictStep(input: { seconds: number; sampleRows: number; fullRows: number; units: number; parallel: number }): number {
  const scale = input.sampleRows > 0 && input.fullRows > 0 ? input.fullRows / input.sampleRows : 1;
  const spread = input.units > 1 ? Math.min(input.units, Math.max(1, input.parallel)) : 1;
  return (input.seconds * scale) / spread;
}

/**
 * The scratch legacy schema: the humans and the registry (users, people, scorecards, their fields)
 * whole — Phase 1's merge costs what all of them cost — and every audit table, assignment and
 * notification sampled row by row (seeded, so a rehearsal is repeatable).
 */
async function copySample(db: pg.PoolClient, from: string, percent: number): Promise<{ audits: number; links: number }> {
  const discovery = await discoverLegacy(db, from);
  const whole = CONTRACT_TABLES.filter((t) => t.role !== "links").map((t) => t.name as string);
  const sampled = [...LINK_TABLES, ...discovery.scorecards.map((s) => s.tableName)];
  const { rows: present } = await db.query<{ table: string }>(
    `SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname = ANY ($2::text[])`,
    [from, [...whole, ...sampled]],
  );
  for (const { table } of present) {
    const target = qualified(SCRATCH_LEGACY, table);
    await db.query(`CREATE TABLE ${target} (LIKE ${qualified(from, table)} INCLUDING ALL)`);
    const sample = sampled.includes(table) ? ` TABLESAMPLE BERNOULLI (${Number(percent)}) REPEATABLE (21)` : "";
    // Identity columns keep the legacy ids (OVERRIDING SYSTEM VALUE).
    await db.query(`INSERT INTO ${target} OVERRIDING SYSTEM VALUE SELECT * FROM ${qualified(from, table)}${sample}`);
    await db.query(`ANALYZE ${target}`);
  }
  const audits = discovery.scorecards.map((s) => s.tableName);
  return { audits: await totalRows(db, SCRATCH_LEGACY, audits), links: await totalRows(db, SCRATCH_LEGACY, LINK_TABLES) };
}

/** The rows of `tables` in `schema`, as estimateRows counts them (a table that is not there counts 0). */
async function totalRows(db: Queryable, schema: string, tables: string[]): Promise<number> {
  let rows = 0;
  for (const table of tables) rows += await estimateRows(db, schema, table);
  return rows;
}

/** A step context over the rehearsal's one transaction: batches are statements in it, nothing commits. */
function rehearsalContext<C>(ctx: PlanContext & { db: pg.PoolClient }, statements: string[], unit: { id: string; title: string } | null): StepContext<C> {
  let checkpoint: C | null = null;
  return {
    ...ctx,
    statements,
    unit,
    get checkpoint() {
      return checkpoint;
    },
    async batch(work) {
      checkpoint = (await work(ctx.db)).checkpoint;
    },
    async setTotal() {},
    async interrupted() {
      return false;
    },
    async log() {},
  };
}

async function rehearsePhases(phase: number, ctx: PlanContext & { db: pg.PoolClient }) {
  const measured: { stepId: string; title: string; sampleRows: number; units: number; seconds: number; scalesWith?: Step["scalesWith"] }[] = [];
  for (let p = 1; p <= phase; p++) {
    const definition = phaseDefinition(p)!;
    const plan = await buildPlanFrom(p, ctx);
    const planned = new Map(plan.steps.map((s) => [s.id, s]));
    for (const step of definition.steps(ctx)) {
      const stated = planned.get(step.id)!;
      const started = process.hrtime.bigint();
      if (stated.units?.length) {
        for (const unit of stated.units) await step.run(rehearsalContext(ctx, unit.statements, { id: unit.id, title: unit.title }));
      } else {
        await step.run(rehearsalContext(ctx, stated.statements, null));
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (p === phase) measured.push({ stepId: step.id, title: step.title, sampleRows: stated.estimatedRows, units: stated.units?.length ?? 0, seconds, scalesWith: step.scalesWith });
    }
  }
  return measured;
}

/** Rehearses a phase on a sample and stores the prediction; refused while a run is active (each would slow the other). */
export async function rehearse(input: { phase: number; actor: Principal; percent?: number }) {
  const percent = input.percent ?? REHEARSAL_PERCENT;
  assertPhase(input.phase);
  await authorize(input.actor, "phase.dry_run", `phase ${input.phase}`);
  if (!(percent > 0 && percent <= 100)) throw new RehearsalRefusedError("The sample is a percentage above 0 and at most 100");
  if (!phaseDefinition(input.phase)) throw new RehearsalRefusedError(`Phase ${input.phase} has no steps in this version of Unify`);
  const active = await activeRun();
  if (active) throw new RehearsalRefusedError(`Run #${active.id} (phase ${active.phase}) is ${active.status}: rehearse once it has finished, so that neither slows the other`);

  const full = await buildPlan(input.phase, pool());
  const fullRows = new Map(full.steps.map((s) => [s.id, s.estimatedRows]));
  const legacy = legacySchema();
  const discovery = await discoverLegacy(pool(), legacy);
  const auditsTotal = await totalRows(pool(), legacy, discovery.scorecards.map((s) => s.tableName));
  const record = await prisma().rehearsal.create({
    data: { phase: input.phase, planChecksum: full.checksum, samplePercent: percent, requestedBy: input.actor.email ?? "unknown", auditsTotal },
  });

  const db = await pool().connect();
  try {
    const parallel = await unitParallelism(db);
    await db.query("BEGIN");
    for (const schema of [SCRATCH_LEGACY, SCRATCH_UNIFIED]) await db.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    const { audits, links } = await copySample(db, legacy, percent);
    const scratch = await discoverLegacy(db, SCRATCH_LEGACY);
    const ctx = { db, legacySchema: SCRATCH_LEGACY, unifiedSchema: SCRATCH_UNIFIED, auditTables: scratch.scorecards.map((s) => s.tableName).sort(), discovery: scratch };
    const measured = await rehearsePhases(input.phase, ctx);
    await db.query("ROLLBACK");
    const linksTotal = await totalRows(pool(), legacy, LINK_TABLES);
    const steps: RehearsedStep[] = measured.map(({ scalesWith, ...m }) => {
      // A step that states no rows but reads a table (an index build) is scaled by that table's sample ratio.
      const full = fullRows.get(m.stepId) ?? 0;
      const scaled = m.sampleRows === 0 && full === 0 && scalesWith
        ? (scalesWith === "audits" ? { sampleRows: audits, fullRows: auditsTotal } : { sampleRows: links, fullRows: linksTotal })
        : { sampleRows: m.sampleRows, fullRows: full };
      return {
        ...m,
        ...scaled,
        rowsPerSecond: scaled.sampleRows > 0 && m.seconds > 0 ? scaled.sampleRows / m.seconds : null,
        predictedSeconds: predictStep({ seconds: m.seconds, sampleRows: scaled.sampleRows, fullRows: scaled.fullRows, units: m.units, parallel }),
      };
    });
    const predictedSeconds = steps.reduce((sum, s) => sum + s.predictedSeconds, 0);
    const done = await prisma().rehearsal.update({
      where: { id: record.id },
      data: { status: "succeeded", finishedAt: new Date(), auditsSampled: audits, steps: JSON.parse(JSON.stringify(steps)), predictedSeconds },
    });
    await recordActivity({ actor: input.actor, action: "phase.rehearse", target: `phase ${input.phase}`, outcome: "ok", detail: { rehearsal: done.id, percent, predictedSeconds } });
    return done;
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    const message = (error as Error).message;
    await prisma().rehearsal.update({ where: { id: record.id }, data: { status: "failed", finishedAt: new Date(), error: message } });
    await recordActivity({ actor: input.actor, action: "phase.rehearse", target: `phase ${input.phase}`, outcome: "failed", detail: { rehearsal: record.id, error: message } });
    throw new RehearsalRefusedError(`The rehearsal of phase ${input.phase} failed: ${message}`);
  } finally {
    db.release();
  }
}
