import { evaluateFlagRequest, ofrepPreflight } from "@/lib/flags/ofrep";

// Served at /ofrep/v1/evaluate/flags/{key} (next.config.js rewrites the OFREP paths here).
export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ key: string }> }) {
  return evaluateFlagRequest(request, (await params).key);
}

export function OPTIONS() {
  return ofrepPreflight();
}
