import { prisma } from "@/lib/db/prisma";
import { phaseStatus } from "@/lib/engine/runs";

/** Why a flag may or may not be turned on now, with the evidence a person can open. */
export interface Interlock {
  canTurnOn: boolean;
  reason: string;
  phase: number | null;
  phaseStatus: string | null;
  validation: { id: number; verdict: string | null; status: string } | null;
  evidence: { label: string; href: string }[];
}

/**
 * A flag that sends readers to unified data may be turned on only while its phase has succeeded and
 * the latest post-run validation of that phase — the engine's, or one run on demand since — finished
 * without a failing check (warnings are shown but do not block: they did not stop the phase).
 */
export async function interlockFor(flag: { key: string; phase: number | null }): Promise<Interlock> {
  if (flag.phase === null) {
    return { canTurnOn: true, reason: "No phase guards this flag", phase: null, phaseStatus: null, validation: null, evidence: [] };
  }
  const phase = flag.phase;
  const [status, latest] = await Promise.all([
    phaseStatus(phase),
    prisma().validationRun.findFirst({ where: { phase, kind: "post_run" }, orderBy: { id: "desc" } }),
  ]);
  const evidence = [{ label: `Phase ${phase}`, href: `/phases/${phase}` }];
  if (latest) evidence.push({ label: `Post-run validation #${latest.id}`, href: `/validation/${latest.id}` });
  const validation = latest ? { id: latest.id, verdict: latest.verdict, status: latest.status } : null;
  const base = { phase, phaseStatus: status.status, validation, evidence };
  if (status.status !== "succeeded") {
    return { ...base, canTurnOn: false, reason: `Phase ${phase} has not succeeded (it is ${status.status.replace(/_/g, " ")})` };
  }
  if (!latest) return { ...base, canTurnOn: false, reason: `Phase ${phase} has no post-run validation` };
  if (latest.status !== "finished") {
    return { ...base, canTurnOn: false, reason: `The latest post-run validation of phase ${phase} (#${latest.id}) has not finished (${latest.status})` };
  }
  if (latest.verdict === "fail" || latest.verdict === null) {
    return { ...base, canTurnOn: false, reason: `The latest post-run validation of phase ${phase} (#${latest.id}) failed` };
  }
  const warned = latest.verdict === "warn" ? " with warnings" : "";
  return { ...base, canTurnOn: true, reason: `Phase ${phase} succeeded and its latest post-run validation (#${latest.id}) passed${warned}` };
}
