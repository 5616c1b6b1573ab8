import { connectDatabase } from "@/lib/db/connect";
import { overridePhaseDefinitionForTests } from "@/lib/plan/plan";
import { stopQueue } from "../queue";
import { startWorker } from "../worker";
import { syntheticPhase } from "./synthetic-phase";

// A worker process that knows the synthetic phase, for tests that kill it (SIGKILL) or stop it
// (SIGTERM, handled like `unify worker`: stop, hand over, exit).
overridePhaseDefinitionForTests(1, syntheticPhase);
void (async () => {
  await connectDatabase();
  const worker = await startWorker({ sweepMs: 200 });
  process.once("SIGTERM", () => {
    void (async () => {
      await worker.stop();
      await stopQueue();
      process.exit(0);
    })();
  });
  // Tests that start several workers wait for this line before they request a run.
  console.log("unify worker: waiting for runs");
})();
