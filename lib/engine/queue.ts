import PgBoss from "pg-boss";
import { requireDatabaseUrl } from "@/lib/db/url";

/**
 * Durable dispatch of runs through pg-boss (a maintained PostgreSQL-backed queue), so a request
 * never executes inside a web request. Resume after a crash does not wait for the queue's expiry:
 * the worker's sweep (lib/engine/worker.ts) finds orphaned runs by their free advisory lock.
 */
export const RUN_QUEUE = "unify-phase-run";

/**
 * pg-boss keeps its tables (job, archive, queue, schedule, subscription, version and one partition
 * per queue) in the console's own schema, none of whose names they share: the console's role owns
 * them, and nothing of the queue stays behind outside `console`.
 */
export const QUEUE_SCHEMA = "console";

const globalForBoss = globalThis as unknown as { unifyBoss?: Promise<PgBoss> };

async function startBoss(): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: requireDatabaseUrl(), schema: QUEUE_SCHEMA, max: 4 });
  boss.on("error", (error) => console.error(`unify: job queue: ${error.message}`));
  await boss.start();
  await ensureQueue(boss, RUN_QUEUE);
  return boss;
}

/**
 * createQueue, run again when PostgreSQL chose it as a deadlock's victim: two workers starting
 * together create their queues at the same moment, and pg-boss's DDL for one queue (a partition
 * and its foreign key) and another's insert into the queue table can deadlock. The victim rolled
 * back entirely; run again, it finds the queue there or creates it.
 */
export async function ensureQueue(boss: PgBoss, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await boss.createQueue(name);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== "40P01" || attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 100));
    }
  }
}

export function queue(): Promise<PgBoss> {
  globalForBoss.unifyBoss ??= startBoss().catch((error) => {
    globalForBoss.unifyBoss = undefined;
    throw error;
  });
  return globalForBoss.unifyBoss;
}

export async function enqueueRun(runId: number): Promise<void> {
  const boss = await queue();
  await boss.send(RUN_QUEUE, { runId }, { retryLimit: 3, retryDelay: 5, expireInHours: 12 });
}

export async function stopQueue(): Promise<void> {
  const boss = globalForBoss.unifyBoss;
  globalForBoss.unifyBoss = undefined;
  if (boss) await (await boss).stop({ graceful: true, wait: true });
}
