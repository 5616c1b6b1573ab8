import { explainError } from "@/lib/cli/output";
import { allBench } from "./all";
import { flagsBench } from "./flags";
import { analyticsBench } from "./analytics";
import { legacySeedBench } from "./legacy-seed";
import { pagesBench } from "./pages";
import { partitioningBench } from "./partitioning";
import { phase1Bench } from "./phase-1";
import { phase2Bench } from "./phase-2";
import { phase3Bench } from "./phase-3";
import { phase5Bench } from "./phase-5";
import { syncBench } from "./sync";
import { validateBench } from "./validate";

/** `npm run bench -- <name> [options]`: each benchmark starts its own PostgreSQL and writes bench-results/<name>.json. */
const BENCHMARKS: Record<string, (args: string[]) => Promise<void>> = {
  all: allBench,
  flags: flagsBench,
  analytics: analyticsBench,
  "legacy-seed": legacySeedBench,
  "phase-1": phase1Bench,
  "phase-2": phase2Bench,
  "phase-3": phase3Bench,
  "phase-5": phase5Bench,
  pages: pagesBench,
  validate: validateBench,
  sync: syncBench,
  partitioning: partitioningBench,
};

const [name, ...args] = process.argv.slice(2);
const bench = name ? BENCHMARKS[name] : undefined;
if (!bench) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join(" | ")}> [options]`);
  process.exit(2);
}
bench(args).catch((error: unknown) => {
  console.error(`bench ${name}: ${explainError(error)}`);
  process.exit(1);
});
