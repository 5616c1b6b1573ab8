import { guardAction } from "@/lib/auth/current";
import { isView, loadView } from "@/lib/analytics/views";

export const dynamic = "force-dynamic";

/** A view's data as JSON for the pages' client-side queries (the first render comes prefetched). */
export async function GET(request: Request, { params }: { params: Promise<{ view: string }> }) {
  const { view } = await params;
  const guard = await guardAction("analytics.read", view);
  if (!guard.ok) return Response.json({ error: guard.error }, { status: guard.status });
  if (!isView(view)) return Response.json({ error: `There is no analytics view ${JSON.stringify(view.slice(0, 40))}` }, { status: 404 });
  const url = new URL(request.url);
  if ([...url.searchParams.values()].some((v) => v.includes("\u0000"))) return Response.json({ error: "Filters cannot contain a NUL character" }, { status: 400 });
  return Response.json(await loadView(view, url.searchParams), { headers: { "Cache-Control": "no-store" } });
}
