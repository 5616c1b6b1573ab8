import { conflictFields, pendingOverrides } from "./conflicts";
import { mergeIdentities } from "./merge-identities";

/**
 * What waits on a person after Phase 1's merge: conflicts for a lead to review, and leads'
 * overrides that take effect only when an admin runs the merge step again.
 */
export interface MergeWork {
  conflicts: number;
  pendingOverrides: number;
  /** The step that applies the overrides. */
  step: { id: string; title: string };
}

export async function mergeWork(): Promise<MergeWork> {
  const [fields, pending] = await Promise.all([conflictFields(), pendingOverrides()]);
  return {
    conflicts: fields.reduce((n, f) => n + f.count, 0),
    pendingOverrides: pending.length,
    step: { id: mergeIdentities.id, title: mergeIdentities.title },
  };
}
