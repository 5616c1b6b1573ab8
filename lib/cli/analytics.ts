import type { Command } from "commander";
import { refreshAnalytics } from "@/lib/analytics/refresh";
import { resumeSchedule, schedulePause } from "@/lib/analytics/schedule-pause";
import { connectDatabase } from "@/lib/db/connect";
import { signInAs } from "./auth";

/** `unify analytics refresh [--full] --as ADMIN`: the refresh the worker runs, here, with its record. */
export function registerAnalytics(program: Command): void {
  const analytics = program.command("analytics").description("Phase 4's analytics");
  analytics
    .command("refresh")
    .description("bring audit_statistics and auditor_performance up to date (only the changed groups; --full recomputes every group)")
    .requiredOption("--as <email>", "an admin's email (password from UNIFY_PASSWORD or asked)")
    .option("--full", "recompute every group in one transaction (after a Phase 1 re-run moved people between teams)")
    .action(async (opts: { as: string; full?: boolean }) => {
      await connectDatabase();
      const operator = await signInAs(opts.as);
      const outcome = await refreshAnalytics({ actor: operator, mode: opts.full ? "full" : "incremental", reason: "cli" });
      console.log(
        `refresh #${outcome.id} (${outcome.mode}): ${outcome.statisticsGroups} statistics groups and ${outcome.auditorMonths} auditor months ` +
          `in ${(outcome.durationMs / 1000).toFixed(2)} s; ${outcome.statisticsRows} statistics rows, ${outcome.performanceRows} auditor months`,
      );
    });

  analytics
    .command("resume")
    .description('resume the scheduled refresh that "Roll back to legacy" paused')
    .requiredOption("--as <email>", "an admin's email (password from UNIFY_PASSWORD or asked)")
    .action(async (opts: { as: string }) => {
      await connectDatabase();
      const operator = await signInAs(opts.as);
      const paused = await schedulePause();
      if (!(await resumeSchedule(operator))) {
        console.log("the scheduled refresh was not paused");
        return;
      }
      console.log(`the scheduled refresh runs again (paused since ${paused?.pausedAt.toISOString() ?? "?"} by ${paused?.pausedBy ?? "?"}: ${paused?.reason ?? "?"})`);
    });
}
