import { ANALYTICS_QUEUE, applySchedule, type RefreshJob } from "@/lib/analytics/jobs";
import { scheduledRefresh } from "@/lib/analytics/refresh";
import { executeValidation, resumeOrphanedValidations } from "@/lib/validation/runs";
import { VALIDATION_QUEUE } from "@/lib/validation/queue";
import { ensureQueue, queue, RUN_QUEUE } from "./queue";
import { executeRun, resumeOrphanedRuns } from "./runner";
import { handOverUnits, resumeClaiming } from "./unit-claims";
import { helpWithUnits } from "./units";

/**
 * The worker: takes runs from the queue and, every few seconds, claims unclaimed units of the
 * running step of any run (several workers share one run's units), and sweeps for runs whose
 * executor died (their advisory lock is free) and resumes them at once from their checkpoints.
 */
export interface Worker {
  stop(): Promise<void>;
}

export async function startWorker(options: { sweepMs?: number; log?: (line: string) => void } = {}): Promise<Worker> {
  const log = options.log ?? ((line: string) => console.log(`unify worker: ${line}`));
  resumeClaiming();
  const boss = await queue();
  await boss.work<{ runId: number }>(RUN_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    if (!job) return;
    const outcome = await executeRun(job.data.runId);
    log(`run #${job.data.runId}: ${outcome}`);
  });
  await ensureQueue(boss, VALIDATION_QUEUE);
  await boss.work<{ validationId: number }>(VALIDATION_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    if (!job) return;
    const outcome = await executeValidation(job.data.validationId);
    log(`validation #${job.data.validationId}: ${outcome}`);
  });
  // Analytics refreshes: on the schedule of Settings and when an admin asks; the refresh's own lock keeps them one at a time.
  await applySchedule();
  await boss.work<RefreshJob>(ANALYTICS_QUEUE, { batchSize: 1, pollingIntervalSeconds: 2 }, async ([job]) => {
    if (!job) return;
    const outcome = await scheduledRefresh(job.data.reason, job.data.requestedBy);
    if (outcome) log(`analytics refresh #${outcome.id}: ${outcome.statisticsGroups} statistics groups, ${outcome.auditorMonths} auditor months in ${outcome.durationMs} ms`);
  });
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      // First the share of units this worker can take (it returns at once), then orphaned runs.
      await helpWithUnits(log);
      for (const id of await resumeOrphanedRuns()) log(`run #${id}: picked up and finished`);
      for (const id of await resumeOrphanedValidations()) log(`validation #${id}: picked up and finished`);
    } catch (error) {
      log(`sweep failed: ${(error as Error).message}`);
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), options.sweepMs ?? 3000);
  void sweep();
  return {
    async stop() {
      clearInterval(timer);
      await handOverUnits();
      await boss.offWork(RUN_QUEUE);
      await boss.offWork(VALIDATION_QUEUE);
      await boss.offWork(ANALYTICS_QUEUE);
    },
  };
}
