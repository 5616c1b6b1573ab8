import { Command } from "commander";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { printTable } from "@/lib/cli/output";
import { pool } from "@/lib/db/pool";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { getAuditReport, type Source } from "@/lib/flags/adapter";
import { createApiKey } from "@/lib/flags/api-keys";
import { FLAG_KEYS } from "@/lib/flags/keys";
import { rollbackToLegacy, setFlag } from "@/lib/flags/store";
import { startOfrepServer } from "@/lib/flags/testing/ofrep-server";
import { positive, quantile, reportHeader, withSeededCluster, writeReport } from "./cluster";

interface Load {
  what: string;
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
}

/** `clients` loops posting back to back for `seconds`: latency quantiles and requests per second. */
async function load(what: string, clients: number, seconds: number, send: () => Promise<Response>, expectStatus: number): Promise<Load> {
  const ms: number[] = [];
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        const response = await send();
        await response.arrayBuffer();
        if (response.status !== expectStatus) throw new Error(`${what}: HTTP ${response.status}, expected ${expectStatus}`);
        ms.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { what, requests: ms.length, perSecond: ms.length / elapsed, p50: quantile(ms, 0.5), p95: quantile(ms, 0.95) };
}

export const turnFlagsOn = async () => {
  for (const key of [FLAG_KEYS.employees, FLAG_KEYS.audits]) await setFlag({ key, enabled: true, comment: "bench", actor: SYSTEM_ACTOR });
};

/** A bulk or single OFREP evaluation as the stock providers send it, authenticated with the bench's key. */
export type OfrepPost = (path: string, extra?: Record<string, string>) => Promise<Response>;

/** The OFREP route handlers behind a loopback HTTP server, with an API key issued for the bench: `work` posts to it. */
export async function withOfrepReader<T>(work: (post: OfrepPost, server: Awaited<ReturnType<typeof startOfrepServer>>) => Promise<T>): Promise<T> {
  const { key } = await createApiKey({ name: "bench", actor: SYSTEM_ACTOR });
  const server = await startOfrepServer();
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${key}` };
  const body = JSON.stringify({ context: { targetingKey: "bench" } });
  const post: OfrepPost = (path, extra = {}) => fetch(`${server.baseUrl}${path}`, { method: "POST", headers: { ...headers, ...extra }, body });
  try {
    return await work(post, server);
  } finally {
    await server.close();
  }
}

/**
 * "Roll back to legacy" `rollbacks` times with both flags on (the caller turns them on for the
 * first), each timed in the store and end to end: until an OFREP reader's next bulk evaluation
 * has both flags off.
 */
export async function timeFlagRollbacks(post: OfrepPost, rollbacks: number): Promise<{ storeMs: number; endToEndMs: number }[]> {
  const times: { storeMs: number; endToEndMs: number }[] = [];
  for (let i = 0; i < rollbacks; i++) {
    if (i > 0) await turnFlagsOn();
    const t = performance.now();
    const done = await rollbackToLegacy({ actor: SYSTEM_ACTOR, confirmation: "legacy" });
    const seen = (await (await post("/ofrep/v1/evaluate/flags")).json()) as { flags: { value: boolean }[] };
    if (seen.flags.some((f) => f.value)) throw new Error("a flag was still on after the rollback");
    times.push({ storeMs: done.durationMs, endToEndMs: performance.now() - t });
  }
  return times;
}

/**
 * One adapter call for each of the first `employees` employees with audits (repeated `rounds`
 * times), from legacy and from unified: each answer's own duration in ms.
 */
export async function adapterTimes(
  call: (email: string, source: Source) => Promise<{ durationMs: number }>,
  employees = 20,
  rounds = 1,
): Promise<Record<Source, number[]>> {
  const { rows } = await pool().query<{ email: string }>(
    `SELECT email_normalized AS email FROM unified.employees e WHERE EXISTS (SELECT 1 FROM unified.audits a WHERE a.employee_id = e.id) ORDER BY id LIMIT $1`,
    [employees],
  );
  const times: Record<Source, number[]> = { legacy: [], unified: [] };
  for (let round = 0; round < rounds; round++) {
    for (const { email } of rows) {
      for (const source of ["legacy", "unified"] as const) times[source].push((await call(email, source)).durationMs);
    }
  }
  return times;
}

/** What the switch buys the application: one employee's audits over three years, legacy UNION ALL vs unified. */
export const adapterAuditReport = (email: string, source: Source) => getAuditReport(email, { from: "2023-01-01", to: "2025-12-31" }, { source });

/**
 * OFREP over loopback — the route handlers behind a node HTTP server, the stock providers' requests
 * (one POST per evaluation; the bulk POST, and its revalidation with If-None-Match → 304) — and the
 * flag rollback: from "Roll back to legacy" to the moment an OFREP reader gets both flags off.
 * Phases 1 and 2 run first, so the interlocks allow the flags on as in production.
 */
export async function flagsBench(args: string[]): Promise<void> {
  const opts = new Command("flags")
    .option("--audits <n>", "legacy audit rows", "100000")
    .option("--clients <n>", "concurrent HTTP clients", "8")
    .option("--seconds <n>", "seconds per load", "5")
    .option("--rollbacks <n>", "rollbacks to time", "10")
    .parse(args, { from: "user" })
    .opts<{ audits: string; clients: string; seconds: string; rollbacks: string }>();
  const audits = positive("--audits", opts.audits);
  const clients = positive("--clients", opts.clients);
  const seconds = positive("--seconds", opts.seconds);
  const rollbacks = positive("--rollbacks", opts.rollbacks);
  const result = await withSeededCluster(audits, async () => {
    const phases: { phase: number; seconds: number }[] = [];
    for (const phase of [1, 2]) {
      const t = performance.now();
      const run = await approveAndRun(phase);
      if (run.status !== "succeeded") throw new Error(`phase ${phase} ${run.status}: ${run.error}`);
      phases.push({ phase, seconds: (performance.now() - t) / 1000 });
    }
    await turnFlagsOn();
    return withOfrepReader(async (post, server) => {
      const first = await post("/ofrep/v1/evaluate/flags");
      const etag = first.headers.get("etag")!;
      await first.arrayBuffer();
      const loads = [
        await load("single (POST /flags/{key})", clients, seconds, () => post(`/ofrep/v1/evaluate/flags/${FLAG_KEYS.audits}`), 200),
        await load("bulk (POST /flags)", clients, seconds, () => post("/ofrep/v1/evaluate/flags"), 200),
        await load("bulk revalidation (304)", clients, seconds, () => post("/ofrep/v1/evaluate/flags", { "If-None-Match": etag }), 304),
      ];
      server.exchanges.length = 0;
      const rollback = await timeFlagRollbacks(post, rollbacks);
      server.exchanges.length = 0;
      const adapter = await adapterTimes(adapterAuditReport);
      return { phases, loads, rollback, adapter };
    });
  });
  printTable(result.loads.map((l) => ({ what: l.what, requests: l.requests, "req/s": l.perSecond.toFixed(0), "p50 ms": l.p50.toFixed(2), "p95 ms": l.p95.toFixed(2) })));
  const store = result.rollback.map((r) => r.storeMs);
  const e2e = result.rollback.map((r) => r.endToEndMs);
  printTable([
    { what: "roll back to legacy (store, both flags off)", "p50 ms": quantile(store, 0.5).toFixed(1), "max ms": Math.max(...store).toFixed(1) },
    { what: "… until an OFREP reader sees both off", "p50 ms": quantile(e2e, 0.5).toFixed(1), "max ms": Math.max(...e2e).toFixed(1) },
    { what: "adapter: an employee's audits, legacy UNION ALL", "p50 ms": quantile(result.adapter.legacy, 0.5).toFixed(1), "max ms": Math.max(...result.adapter.legacy).toFixed(1) },
    { what: "adapter: an employee's audits, unified", "p50 ms": quantile(result.adapter.unified, 0.5).toFixed(1), "max ms": Math.max(...result.adapter.unified).toFixed(1) },
  ]);
  writeReport("flags", {
    ...reportHeader("flags"),
    audits,
    clients,
    secondsPerLoad: seconds,
    phases: result.phases,
    ofrep: result.loads,
    rollbackToLegacy: { storeMs: store, endToEndMs: e2e, p50StoreMs: quantile(store, 0.5), p50EndToEndMs: quantile(e2e, 0.5), maxEndToEndMs: Math.max(...e2e) },
    adapterAuditReportMs: result.adapter,
  });
  console.log(`${audits.toLocaleString("en-US")} audits, ${clients} clients over loopback; target: rollback ≤ 1000 ms end to end; written to bench-results/flags.json`);
}
