import { discoverLegacy } from "@/lib/legacy/discovery";
import { legacySchema } from "@/lib/legacy/contract";
import { discoveryFingerprint } from "./fingerprint";
import { buildPlanFrom, phaseDefinition, UNIFIED_SCHEMA, type PhasePlan } from "./plan";
import { PHASES } from "./phases";
import type { Queryable } from "./types";

/**
 * Plans for pages, cached per phase and discovery fingerprint: a page that refreshes every few
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
  const discovery = await discoverLegacy(db, legacySchema());
  const fingerprint = discoveryFingerprint(discovery);
  const hit = cache.get(phase);
  if (hit && hit.fingerprint === fingerprint && Date.now() - hit.builtAt < ESTIMATES_TTL_MS) return hit.plan;
  const ctx = { db, legacySchema: legacySchema(), unifiedSchema: UNIFIED_SCHEMA, auditTables: discovery.scorecards.map((s) => s.tableName).sort(), discovery };
  const plan = buildPlanFrom(phase, ctx);
  cache.set(phase, { fingerprint, builtAt: Date.now(), plan });
  plan.catch(() => cache.delete(phase));
  return plan;
}

/** Tests and the benchmark start cold. */
export function clearPlanCache(): void {
  cache.clear();
}
