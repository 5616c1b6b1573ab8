import { evaluateFlagsBulkRequest, ofrepPreflight } from "@/lib/flags/ofrep";

// Served at /ofrep/v1/evaluate/flags (next.config.js rewrites the OFREP paths here).
export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  return evaluateFlagsBulkRequest(request);
}

export function OPTIONS() {
  return ofrepPreflight();
}
