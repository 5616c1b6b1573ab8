import { metricsRequest } from "@/lib/metrics/endpoint";

export const dynamic = "force-dynamic";

/** Prometheus scrapes this with an API key: docs/metrics.md. */
export async function GET(request: Request) {
  return metricsRequest(request);
}
