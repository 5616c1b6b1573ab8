import { discoveryFingerprint } from "./fingerprint";
import { buildPlanFrom, phaseDefinition, planContext, type PhasePlan } from "./plan";
import { PHASES } from "./phases";
import type { Queryable } from "./types";

/**
 * Plans for pages, cached per phase, discovery fingerprint and the phase's other plan inputs: a page that refreshes every few
 * seconds during a run reads the catalog (discovery, a few milliseconds) and reuses the plan as
 * long as the legacy schema is the same. Row estimates and pre-flight figures are refreshed at
 * most every ESTIMATES_TTL_MS. Approvals and runs never use this cache: they build the plan anew.
 */
const ESTIMATES_TTL_MS = 30_000;

interface Entry {
  fingerprint: string;
  builtAt: number;
  plan: Promise<PhasePlan>;
}

const globalForCache = globalThis as unknown as { unifyPlanCache?: Map<number, Entry> };
const cache = (globalForCache.unifyPlanCache ??= new Map());

export async function cachedPlan(phase: number, db: Queryable): Promise<PhasePlan> {
  if (!phaseDefinition(phase)) {
    const meta = PHASES.find((p) => p.number === phase)!;
    return { phase, title: meta.title, available: false, steps: [], checksum: "", preflight: [] };
  }
  const ctx = await planContext(db);
  const inputs = (await phaseDefinition(phase)!.planInputs?.(ctx)) ?? "";
  const fingerprint = `${discoveryFingerprint(ctx.discovery)}:${inputs}`;
  const hit = cache.get(phase);
  if (hit && hit.fingerprint === fingerprint && Date.now() - hit.builtAt < ESTIMATES_TTL_MS) return hit.plan;
  const plan = buildPlanFrom(phase, ctx);
  cache.set(phase, { fingerprint, builtAt: Date.now(), plan });
  plan.catch(() => cache.delete(phase));
  return plan;
}

/** Tests and the benchmark start cold. */
export function clearPlanCache(): void {
  cache.clear();
}
