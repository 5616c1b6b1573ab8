/** A run as the post-validation read needs it: newest first in the lists that pass it in. */
export interface ValidatedRunRecord {
  id: number;
  kind: string;
  status: string;
  verification: unknown;
  startedAt?: Date | null;
  finishedAt: Date | null;
}

export interface ValidationCheckRecord {
  name: string;
  status: string;
  detail: string;
}

/**
 * What post-validation says about the phase as it stands now. A run's checks describe the objects
 * that run left behind: once a rollback undid them they say nothing about the current state, so
 * they are reported as the rolled-back run's, never as the phase's verdict.
 */
export type CurrentValidation =
  | { state: "none" }
  | { state: "current"; run: ValidatedRunRecord; checks: ValidationCheckRecord[] }
  | { state: "rolled_back"; run: ValidatedRunRecord; checks: ValidationCheckRecord[]; rollbackId: number | null };

/** `runs` newest first, as `latestRuns` returns them. */
export function currentValidation(runs: readonly ValidatedRunRecord[]): CurrentValidation {
  const validated = runs.find((r) => r.kind === "run" && Array.isArray(r.verification));
  if (!validated) return { state: "none" };
  const checks = validated.verification as ValidationCheckRecord[];
  const rollback = runs.find((r) => r.kind === "rollback" && r.id > validated.id && r.status === "succeeded") ?? null;
  if (validated.status === "rolled_back" || rollback) {
    return { state: "rolled_back", run: validated, checks, rollbackId: rollback?.id ?? null };
  }
  return { state: "current", run: validated, checks };
}
