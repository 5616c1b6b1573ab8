import { connectDatabase } from "@/lib/db/connect";
import { overridePhaseDefinitionForTests } from "@/lib/plan/plan";
import { startWorker } from "../worker";
import { syntheticPhase } from "./synthetic-phase";

// A worker process that knows the synthetic phase, for tests that kill it with SIGKILL.
overridePhaseDefinitionForTests(1, syntheticPhase);
void (async () => {
  await connectDatabase();
  await startWorker({ sweepMs: 200 });
})();
