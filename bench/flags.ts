import { cpus } from "node:os";
import { Command } from "commander";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { printTable } from "@/lib/cli/output";
import { pool } from "@/lib/db/pool";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { getAuditReport } from "@/lib/flags/adapter";
import { createApiKey } from "@/lib/flags/api-keys";
import { FLAG_KEYS } from "@/lib/flags/keys";
import { rollbackToLegacy, setFlag } from "@/lib/flags/store";
import { startOfrepServer } from "@/lib/flags/testing/ofrep-server";
import { positive, SETTINGS, withSeededCluster, writeReport } from "./cluster";

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;
};

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
    const phases = [];
    for (const phase of [1, 2]) {
      const t = performance.now();
      const run = await approveAndRun(phase);
      if (run.status !== "succeeded") throw new Error(`phase ${phase} ${run.status}: ${run.error}`);
      phases.push({ phase, seconds: (performance.now() - t) / 1000 });
    }
    const turnOn = async () => {
      for (const key of [FLAG_KEYS.employees, FLAG_KEYS.audits]) await setFlag({ key, enabled: true, comment: "bench", actor: SYSTEM_ACTOR });
    };
    await turnOn();
    const { key } = await createApiKey({ name: "bench", actor: SYSTEM_ACTOR });
    const server = await startOfrepServer();
    const headers = { "Content-Type": "application/json", Authorization: `Bearer ${key}` };
    const body = JSON.stringify({ context: { targetingKey: "bench" } });
    const post = (path: string, extra: Record<string, string> = {}) => fetch(`${server.baseUrl}${path}`, { method: "POST", headers: { ...headers, ...extra }, body });
    try {
      const first = await post("/ofrep/v1/evaluate/flags");
      const etag = first.headers.get("etag")!;
      await first.arrayBuffer();
      const loads = [
        await load("single (POST /flags/{key})", clients, seconds, () => post(`/ofrep/v1/evaluate/flags/${FLAG_KEYS.audits}`), 200),
        await load("bulk (POST /flags)", clients, seconds, () => post("/ofrep/v1/evaluate/flags"), 200),
        await load("bulk revalidation (304)", clients, seconds, () => post("/ofrep/v1/evaluate/flags", { "If-None-Match": etag }), 304),
      ];
      server.exchanges.length = 0;
      // The rollback, end to end: the request until an OFREP reader's next bulk evaluation has both flags off.
      const rollback: { storeMs: number; endToEndMs: number }[] = [];
      for (let i = 0; i < rollbacks; i++) {
        if (i > 0) await turnOn();
        const t = performance.now();
        const done = await rollbackToLegacy({ actor: SYSTEM_ACTOR, confirmation: "legacy" });
        const seen = (await (await post("/ofrep/v1/evaluate/flags")).json()) as { flags: { value: boolean }[] };
        if (seen.flags.some((f) => f.value)) throw new Error("a flag was still on after the rollback");
        rollback.push({ storeMs: done.durationMs, endToEndMs: performance.now() - t });
      }
      server.exchanges.length = 0;
      // What the switch buys the application: one employee's audits, legacy UNION ALL vs unified.
      const { rows } = await pool().query<{ email: string }>(`SELECT email_normalized AS email FROM unified.employees e WHERE EXISTS (SELECT 1 FROM unified.audits a WHERE a.employee_id = e.id) ORDER BY id LIMIT 20`);
      const adapter: Record<string, number[]> = { legacy: [], unified: [] };
      for (const { email } of rows) {
        for (const source of ["legacy", "unified"] as const) adapter[source]!.push((await getAuditReport(email, { from: "2023-01-01", to: "2025-12-31" }, { source })).durationMs);
      }
      return { phases, loads, rollback, adapter };
    } finally {
      await server.close();
    }
  });
  printTable(result.loads.map((l) => ({ what: l.what, requests: l.requests, "req/s": l.perSecond.toFixed(0), "p50 ms": l.p50.toFixed(2), "p95 ms": l.p95.toFixed(2) })));
  const store = result.rollback.map((r) => r.storeMs);
  const e2e = result.rollback.map((r) => r.endToEndMs);
  printTable([
    { what: "roll back to legacy (store, both flags off)", "p50 ms": quantile(store, 0.5).toFixed(1), "max ms": Math.max(...store).toFixed(1) },
    { what: "… until an OFREP reader sees both off", "p50 ms": quantile(e2e, 0.5).toFixed(1), "max ms": Math.max(...e2e).toFixed(1) },
    { what: "adapter: an employee's audits, legacy UNION ALL", "p50 ms": quantile(result.adapter.legacy!, 0.5).toFixed(1), "max ms": Math.max(...result.adapter.legacy!).toFixed(1) },
    { what: "adapter: an employee's audits, unified", "p50 ms": quantile(result.adapter.unified!, 0.5).toFixed(1), "max ms": Math.max(...result.adapter.unified!).toFixed(1) },
  ]);
  writeReport("flags", {
    benchmark: "flags",
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    postgresSettings: SETTINGS,
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
