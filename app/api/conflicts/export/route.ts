import { guardAction } from "@/lib/auth/current";
import { hasNul } from "@/lib/db/sql";
import { conflictsCsv } from "@/lib/plan/phase-1/conflicts";

export const dynamic = "force-dynamic";

/** The filtered conflicts as a CSV download, streamed page by page so size never matters. */
export async function GET(request: Request) {
  const url = new URL(request.url);
  const field = url.searchParams.get("field")?.trim() || undefined;
  const search = url.searchParams.get("q")?.trim() || undefined;
  const guard = await guardAction("conflict.export", [field, search].filter(Boolean).join(" ") || undefined);
  if (!guard.ok) return Response.json({ error: guard.error }, { status: guard.status });
  if ([field, search].some((v) => v !== undefined && hasNul(v))) return Response.json({ error: "Filters cannot contain a NUL character" }, { status: 400 });
  const lines = conflictsCsv({ field, search });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="merge-conflicts${field ? `-${field.replace(/[^a-z_]/gi, "")}` : ""}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
