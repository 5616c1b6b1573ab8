import { NextResponse } from "next/server";
import { guardAction } from "@/lib/auth/current";
import { runProgress } from "@/lib/engine/progress";

export const dynamic = "force-dynamic";

/** A run's live progress for the phase page's polling: steps, rows, rate, ETA, log, checks. */
export async function GET(_: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // The same guard as server actions: 401/403, each refusal in the activity log.
  const guard = await guardAction("run.read", `run ${id.slice(0, 40)}`);
  if (!guard.ok) {
    const error = guard.status === 401 ? "Sign in to read run progress" : "Your role does not allow reading runs";
    return NextResponse.json({ error }, { status: guard.status });
  }
  const runId = /^\d{1,9}$/.test(id) ? Number(id) : null;
  const progress = runId === null ? null : await runProgress(runId);
  if (!progress) return NextResponse.json({ error: `No run ${id}` }, { status: 404 });
  return NextResponse.json(progress, { headers: { "Cache-Control": "no-store" } });
}
