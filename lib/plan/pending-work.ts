import { mergeWork, type MergeWork } from "./phase-1/pending-work";

export type { MergeWork } from "./phase-1/pending-work";

/** Work a phase leaves for people once it ran (Phase 1's merge conflicts and overrides); null for phases with none. */
export async function pendingWork(phase: number): Promise<MergeWork | null> {
  return phase === 1 ? mergeWork() : null;
}
