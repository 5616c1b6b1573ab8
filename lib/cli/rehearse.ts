import type { Command } from "commander";
import { connectDatabase } from "@/lib/db/connect";
import { rehearse, REHEARSAL_PERCENT } from "@/lib/engine/rehearsal";
import { describePrediction, formatApproxDuration, rehearsalView } from "@/lib/engine/rehearsal-view";
import { stopQueue } from "@/lib/engine/queue";
import { CliUsageError } from "./output";
import { signInAs } from "./auth";

export function registerRehearse(program: Command): void {
  program
    .command("rehearse <phase>")
    .description("run a phase's steps on a sample of the legacy data (rolled back), and predict the real run's time")
    .option("--percent <p>", `the sample, in percent of each large table (default ${REHEARSAL_PERCENT})`)
    .requiredOption("--as <email>", "the admin rehearsing (password from UNIFY_PASSWORD or asked)")
    .action(async (phaseText: string, opts: { percent?: string; as: string }) => {
      const phase = Number(phaseText);
      if (!Number.isInteger(phase) || phase < 1 || phase > 5) throw new CliUsageError(`not a phase: "${phaseText}" (phases are 1 to 5)`);
      const percent = opts.percent === undefined ? undefined : Number(opts.percent);
      if (percent !== undefined && !(percent > 0 && percent <= 100)) throw new CliUsageError(`--percent is a number above 0 and at most 100, not "${opts.percent}"`);
      await connectDatabase();
      const done = rehearsalView(await rehearse({ phase, actor: await signInAs(opts.as), percent }));
      for (const s of done.steps) {
        const rate = s.rowsPerSecond === null ? "" : `, ${Math.round(s.rowsPerSecond)} rows/s`;
        console.log(`${s.stepId.padEnd(24)} sample ${s.sampleRows} rows in ${s.seconds.toFixed(2)} s${rate} → about ${formatApproxDuration(s.predictedSeconds)} for ${s.fullRows} rows`);
      }
      console.log(`rehearsal #${done.id} of phase ${phase}: ${describePrediction(done)}`);
      await stopQueue();
    });
}
