import { NextResponse } from "next/server";
import { currentOperator } from "@/lib/auth/current";
import { hasAnyRole, rolesFor } from "@/lib/auth/roles";
import { runProgress } from "@/lib/engine/progress";

export const dynamic = "force-dynamic";

/** A run's live progress for the phase page's polling: steps, rows, rate, ETA, log, checks. */
export async function GET(_: Request, { params }: { params: Promise<{ id: string }> }) {
  const operator = await currentOperator();
  if (!operator) return NextResponse.json({ error: "Sign in to read run progress" }, { status: 401 });
  if (!hasAnyRole(operator.roles, rolesFor("/phases"))) {
    return NextResponse.json({ error: "Your role does not allow reading runs" }, { status: 403 });
  }
  const { id } = await params;
  const runId = /^\d{1,9}$/.test(id) ? Number(id) : null;
  const progress = runId === null ? null : await runProgress(runId);
  if (!progress) return NextResponse.json({ error: `No run ${id}` }, { status: 404 });
  return NextResponse.json(progress, { headers: { "Cache-Control": "no-store" } });
}
