import pg from "pg";
import { recordActivity } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { extendedSession } from "@/lib/db/extended";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { requireDatabaseUrl } from "@/lib/db/url";
import { EngineError } from "@/lib/engine/errors";
import { unitParallelism } from "@/lib/engine/parallelism";
import { assertPhase, buildPlanFrom, planContext } from "@/lib/plan/plan";
import type { PlanContext } from "@/lib/plan/types";
import { suiteChecks } from "./suites";
import { worst, type CheckResult, type ResultStatus, type ValidationCheck, type ValidationKind } from "./types";

/**
 * A validation suite runs as a job: requested here, executed by a worker (or inline by the engine
 * after a phase), its checks on parallel sessions, each stored the moment it finishes. A killed
 * worker leaves the finished checks stored; the sweep resumes the rest.
 */
export const VALIDATION_LOCK_NAMESPACE = 0x756e6976; // "univ"

export class ValidationRefusedError extends EngineError {
  override name = "ValidationRefusedError";
}

const KIND_WORDS: Record<ValidationKind, string> = { preflight: "pre-flight", post_run: "post-run" };

async function insertRun(input: { phase: number; kind: ValidationKind; requestedBy: string; phaseRunId: number | null; checksum: string | null; checks: ValidationCheck[] }) {
  return prisma().validationRun.create({
    data: {
      phase: input.phase,
      kind: input.kind,
      requestedBy: input.requestedBy,
      phaseRunId: input.phaseRunId,
      planChecksum: input.checksum,
      checks: { create: input.checks.map((c, position) => ({ checkId: c.id, position, category: c.category, title: c.title })) },
    },
  });
}

/** An admin or a lead asks for a suite; it runs in the worker (`enqueue`) or by the caller. */
export async function requestValidation(input: {
  phase: number;
  kind: ValidationKind;
  actor: Principal;
  enqueue?: boolean;
}): Promise<{ id: number }> {
  assertPhase(input.phase);
  await authorize(input.actor, "validation.run", `phase ${input.phase}`);
  const ctx = await planContext(pool());
  const checks = suiteChecks(input.phase, input.kind, ctx);
  if (!checks.length) throw new ValidationRefusedError(`Phase ${input.phase} has no ${KIND_WORDS[input.kind]} checks in this version of Unify`);
  const plan = await buildPlanFrom(input.phase, ctx);
  const run = await insertRun({ ...input, requestedBy: input.actor.email ?? "unknown", phaseRunId: null, checksum: plan.available ? plan.checksum : null, checks });
  await recordActivity({ actor: input.actor, action: "validation.run", target: `phase ${input.phase}`, outcome: "ok", detail: { validationId: run.id, kind: input.kind } });
  if (input.enqueue !== false) {
    const { enqueueValidation } = await import("./queue");
    await enqueueValidation(run.id);
  }
  return { id: run.id };
}

/** The post-run suite of a phase run, created once (a resumed run continues the same report). */
export async function postRunValidation(phaseRunId: number, phase: number, onlyStep: string | null, checksum: string, ctx: PlanContext): Promise<number> {
  const existing = await prisma().validationRun.findFirst({ where: { phaseRunId, kind: "post_run" }, orderBy: { id: "desc" } });
  if (existing) return existing.id;
  const checks = suiteChecks(phase, "post_run", ctx, { onlyStep });
  const run = await insertRun({ phase, kind: "post_run", requestedBy: "engine", phaseRunId, checksum, checks });
  return run.id;
}

interface RunRow {
  id: number;
  phase: number;
  kind: ValidationKind;
  status: string;
  phase_run_id: number | null;
}

async function session(): Promise<pg.Client> {
  const client = extendedSession(new pg.Client({ connectionString: requireDatabaseUrl(), application_name: "unify-validation" }));
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

async function runCheck(db: pg.Client, runId: number, check: ValidationCheck, ctx: PlanContext): Promise<void> {
  await db.query(`UPDATE console.validation_checks SET status = 'running', started_at = now() WHERE run_id = $1 AND check_id = $2`, [runId, check.id]);
  const started = Date.now();
  let results: CheckResult[];
  let status: ResultStatus | "error";
  try {
    // One snapshot for the whole check: the legacy side and the unified side are read as of the
    // same moment, so writes that live sync applies meanwhile (in the writer's own transaction)
    // can never make the two sides look different.
    await db.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    // A check reads one audit table's slice of audits at a time: through the origin index
    // (source_table, source_id) that is one table's pages in load order, where the default
    // random_page_cost (4, a spinning disk's) has the planner scan every audit of every table.
    await db.query("SET LOCAL random_page_cost = 1.1");
    try {
      results = await check.run(db, { ...ctx, db: db as unknown as pg.PoolClient });
      await db.query("COMMIT");
    } catch (error) {
      await db.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
    status = worst(results.map((r) => r.status));
  } catch (error) {
    results = [{ name: check.title, status: "fail", expected: "the check runs", actual: "it failed", detail: (error as Error).message }];
    status = "error";
  }
  await db.query(
    `UPDATE console.validation_checks SET status = $3, results = $4, finished_at = now(), duration_ms = $5 WHERE run_id = $1 AND check_id = $2`,
    [runId, check.id, status, JSON.stringify(results), Date.now() - started],
  );
  await db.query(`UPDATE console.validation_runs SET heartbeat_at = now() WHERE id = $1`, [runId]);
}

export type ValidationOutcome = "busy" | "finished" | "not runnable";

/** Runs (or resumes) a suite's unfinished checks on parallel sessions and records the verdict. */
export async function executeValidation(id: number): Promise<ValidationOutcome> {
  const main = await pool().connect();
  try {
    const { rows: locked } = await main.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1, $2) AS ok`, [VALIDATION_LOCK_NAMESPACE, id]);
    if (!locked[0]?.ok) return "busy";
    try {
      const { rows } = await main.query<RunRow>(
        `UPDATE console.validation_runs SET status = 'running', started_at = coalesce(started_at, now()), heartbeat_at = now()
          WHERE id = $1 AND status IN ('queued', 'running') RETURNING id, phase, kind, status, phase_run_id`,
        [id],
      );
      const run = rows[0];
      if (!run) return "not runnable";
      try {
        await runPending(main, run);
      } catch (error) {
        await main.query(`UPDATE console.validation_runs SET status = 'error', error = $2, verdict = 'fail', finished_at = now() WHERE id = $1`, [id, (error as Error).message]);
      }
      return "finished";
    } finally {
      await main.query(`SELECT pg_advisory_unlock($1, $2)`, [VALIDATION_LOCK_NAMESPACE, id]).catch(() => undefined);
    }
  } finally {
    main.release();
  }
}

async function runPending(main: pg.PoolClient, run: RunRow): Promise<void> {
  const ctx = await planContext(main);
  let onlyStep: string | null = null;
  if (run.phase_run_id !== null) {
    const { rows } = await main.query<{ only_step: string | null }>(`SELECT only_step FROM console.phase_runs WHERE id = $1`, [run.phase_run_id]);
    onlyStep = rows[0]?.only_step ?? null;
  }
  const suite = new Map(suiteChecks(run.phase, run.kind, ctx, { onlyStep }).map((c) => [c.id, c]));
  // Longest first (the LPT rule), so no session is left with a long check while the others idle:
  // each check's length is its duration in this phase's latest earlier suite of the same kind that
  // ran it. A check never timed runs first (it may be long), in suite order; then the others, longest first.
  const { rows: pending } = await main.query<{ check_id: string }>(
    `SELECT c.check_id FROM console.validation_checks c
      WHERE c.run_id = $1 AND c.status IN ('pending', 'running')
      ORDER BY (SELECT p.duration_ms FROM console.validation_checks p JOIN console.validation_runs r ON r.id = p.run_id
                 WHERE r.phase = $2 AND r.kind = $3 AND r.id <> $1 AND p.check_id = c.check_id AND p.duration_ms IS NOT NULL
                 ORDER BY r.id DESC LIMIT 1) DESC NULLS FIRST, c.position`,
    [run.id, run.phase, run.kind],
  );
  const queue = [...pending];
  const parallel = Math.max(1, Math.min(await unitParallelism(main), queue.length));
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      const db = await session();
      try {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const check = suite.get(next.check_id);
          if (!check) {
            await db.query(
              `UPDATE console.validation_checks SET status = 'error', finished_at = now(), results = $3 WHERE run_id = $1 AND check_id = $2`,
              [run.id, next.check_id, JSON.stringify([{ name: next.check_id, status: "fail", expected: "", actual: "", detail: "this check is no longer part of the suite (the legacy database changed)" }])],
            );
            continue;
          }
          await runCheck(db, run.id, check, ctx);
        }
      } finally {
        await db.end().catch(() => undefined);
      }
    }),
  );
  await main.query(
    `UPDATE console.validation_runs r SET status = 'finished', finished_at = now(),
            verdict = CASE WHEN bool_or_fail THEN 'fail' WHEN bool_or_warn THEN 'warn' ELSE 'pass' END
       FROM (SELECT bool_or(status IN ('fail', 'error')) AS bool_or_fail, bool_or(status = 'warn') AS bool_or_warn
               FROM console.validation_checks WHERE run_id = $1) c
      WHERE r.id = $1`,
    [run.id],
  );
}

/** Suites whose executor is gone: queued or running with their lock free. */
export async function resumeOrphanedValidations(): Promise<number[]> {
  const { rows } = await pool().query<{ id: number }>(
    `SELECT id FROM console.validation_runs WHERE status IN ('queued', 'running') AND phase_run_id IS NULL ORDER BY id`,
  );
  const resumed: number[] = [];
  for (const { id } of rows) if ((await executeValidation(id)) === "finished") resumed.push(id);
  return resumed;
}

export interface ValidationReport {
  id: number;
  phase: number;
  kind: ValidationKind;
  status: string;
  verdict: string | null;
  planChecksum: string | null;
  phaseRunId: number | null;
  requestedBy: string;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  counts: { pass: number; warn: number; fail: number; pending: number };
  checks: { checkId: string; title: string; category: string; status: string; durationMs: number | null; results: CheckResult[] }[];
}

/** A report as the Validation page, the CLI and the API show it. */
export async function validationReport(id: number): Promise<ValidationReport | null> {
  const run = await prisma().validationRun.findUnique({ where: { id }, include: { checks: { orderBy: { position: "asc" } } } });
  if (!run) return null;
  const checks = run.checks.map((c) => ({
    checkId: c.checkId,
    title: c.title,
    category: c.category,
    status: c.status,
    durationMs: c.durationMs,
    results: (c.results ?? []) as unknown as CheckResult[],
  }));
  const results = checks.flatMap((c) => c.results);
  return {
    id: run.id,
    phase: run.phase,
    kind: run.kind as ValidationKind,
    status: run.status,
    verdict: run.verdict,
    planChecksum: run.planChecksum,
    phaseRunId: run.phaseRunId,
    requestedBy: run.requestedBy,
    requestedAt: run.requestedAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    error: run.error,
    counts: {
      pass: results.filter((r) => r.status === "pass").length,
      warn: results.filter((r) => r.status === "warn").length,
      fail: results.filter((r) => r.status === "fail").length,
      pending: checks.filter((c) => c.status === "pending" || c.status === "running").length,
    },
    checks,
  };
}

/** Reports, newest first, keyset-paged by id. */
export async function listValidations(filter: { phase?: number; before?: number; take?: number } = {}) {
  const take = Math.min(Math.max(filter.take ?? 50, 1), 200);
  const runs = await prisma().validationRun.findMany({
    where: { ...(filter.phase ? { phase: filter.phase } : {}), ...(filter.before ? { id: { lt: filter.before } } : {}) },
    orderBy: { id: "desc" },
    take: take + 1,
    include: { checks: { select: { status: true, results: true } } },
  });
  return {
    reports: runs.slice(0, take).map((r) => {
      const results = r.checks.flatMap((c) => (c.results ?? []) as unknown as CheckResult[]);
      return {
        id: r.id, phase: r.phase, kind: r.kind as ValidationKind, status: r.status, verdict: r.verdict, requestedBy: r.requestedBy,
        requestedAt: r.requestedAt, finishedAt: r.finishedAt, phaseRunId: r.phaseRunId,
        pass: results.filter((x) => x.status === "pass").length,
        warn: results.filter((x) => x.status === "warn").length,
        fail: results.filter((x) => x.status === "fail").length,
      };
    }),
    nextBefore: runs.length > take ? runs[take - 1]!.id : null,
  };
}

/** The newest finished report of a phase's suite, if any. */
export async function latestValidation(phase: number, kind: ValidationKind) {
  const run = await prisma().validationRun.findFirst({ where: { phase, kind, status: { in: ["finished", "error"] } }, orderBy: { id: "desc" } });
  return run ? validationReport(run.id) : null;
}
