import { ensureQueue, queue } from "@/lib/engine/queue";

/** Validation suites are dispatched like phase runs, on their own pg-boss queue. */
export const VALIDATION_QUEUE = "unify-validation";

export async function enqueueValidation(id: number): Promise<void> {
  const boss = await queue();
  await ensureQueue(boss, VALIDATION_QUEUE);
  await boss.send(VALIDATION_QUEUE, { validationId: id }, { retryLimit: 3, retryDelay: 5, expireInHours: 12 });
}
