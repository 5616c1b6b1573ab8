import { Gauge, Registry } from "prom-client";
import { authenticateApiKey } from "@/lib/flags/api-keys";
import { collectAnalyticsMetrics } from "./analytics";
import { collectLiveSyncMetrics } from "./live-sync";
import { collectRunMetrics } from "./runs";
import { collectValidationMetrics } from "./validation";

/**
 * One scrape: a Registry of its own, filled from the database by the collectors, rendered and
 * dropped. Nothing is kept between requests, so two scrapes (or two processes) never mix.
 */
export async function scrape(): Promise<{ body: string; contentType: string }> {
  const started = process.hrtime.bigint();
  const registry = new Registry();
  await Promise.all([collectRunMetrics(registry), collectLiveSyncMetrics(registry), collectValidationMetrics(registry), collectAnalyticsMetrics(registry)]);
  const took = new Gauge({ name: "unify_metrics_scrape_duration_seconds", help: "How long this scrape took to read the database.", registers: [registry] });
  took.set(Number(process.hrtime.bigint() - started) / 1e9);
  return { body: await registry.metrics(), contentType: registry.contentType };
}

const HEADERS = { "Cache-Control": "no-store" };

/** GET /api/metrics: the Prometheus text format for a live API key (Settings → API keys), 401 otherwise. */
export async function metricsRequest(request: Request): Promise<Response> {
  if (!(await authenticateApiKey(request.headers))) {
    return new Response("Send a Unify API key as Authorization: Bearer <key> or X-API-Key: <key> (Settings → API keys)\n", {
      status: 401,
      headers: { ...HEADERS, "Content-Type": "text/plain; charset=utf-8", "WWW-Authenticate": 'Bearer realm="unify-metrics"' },
    });
  }
  const { body, contentType } = await scrape();
  return new Response(body, { status: 200, headers: { ...HEADERS, "Content-Type": contentType } });
}
