import { connectDatabase } from "@/lib/db/connect";
import { overridePhaseDefinitionForTests } from "@/lib/plan/plan";
import { startWorker } from "../worker";
import { syntheticPhase } from "./synthetic-phase";

// A worker process that knows the synthetic phase, for tests that kill it with SIGKILL.
overridePhaseDefinitionForTests(1, syntheticPhase);
void (async () => {
  await connectDatabase();
  await startWorker({ sweepMs: 200 });
  // Tests that start several workers wait for this line before they request a run.
  console.log("unify worker: waiting for runs");
})();
