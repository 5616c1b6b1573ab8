import { guardAction } from "@/lib/auth/current";
import { isView, viewCsv } from "@/lib/analytics/views";

export const dynamic = "force-dynamic";

/** Exactly the tables a view shows, with the same filters and order, as a CSV download. */
export async function GET(request: Request) {
  const url = new URL(request.url);
  const view = url.searchParams.get("view") ?? "";
  const guard = await guardAction("analytics.export", view || undefined);
  if (!guard.ok) return Response.json({ error: guard.error }, { status: guard.status });
  if (!isView(view)) return Response.json({ error: "Choose a view: overview, auditors, auditor or employee" }, { status: 400 });
  if ([...url.searchParams.values()].some((v) => v.includes("\u0000"))) return Response.json({ error: "Filters cannot contain a NUL character" }, { status: 400 });
  const csv = await viewCsv(view, url.searchParams);
  if (csv === null) return Response.json({ error: "Nothing to export before Phase 4 has run" }, { status: 409 });
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="analytics-${view}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
