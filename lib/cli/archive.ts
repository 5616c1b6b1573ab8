import type { Command } from "commander";
import { connectDatabase } from "@/lib/db/connect";
import { archiveManifest, dropArchive, readArchiveOptions, setArchiveOptions } from "@/lib/plan/phase-5/archive";
import { signInAs } from "./auth";
import { CliUsageError, printTable } from "./output";

/** `unify archive …`: Phase 5's options, its manifest and the archive drop — the same functions as the Phase 5 page. */
export function registerArchive(program: Command): void {
  const archive = program.command("archive").description("Phase 5's archive of the legacy tables: options, manifest, drop");

  archive
    .command("show")
    .description("the latest archive's manifest (tables, row counts, checksums, when, by whom) and the plan options")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      await connectDatabase();
      const [manifest, options] = await Promise.all([archiveManifest(), readArchiveOptions()]);
      if (opts.json) {
        console.log(JSON.stringify({ manifest, options }, null, 2));
        return;
      }
      console.log(`retention date: ${options.retentionUntil ?? "not set"}${options.retentionSetBy ? ` (by ${options.retentionSetBy})` : ""}`);
      const unneeded = options.views.filter((v) => !v.keep).map((v) => v.view);
      console.log(`compatibility views marked unneeded: ${unneeded.length ? unneeded.join(", ") : "none"}`);
      if (!manifest) {
        console.log("no archive yet: Phase 5 has not run");
        return;
      }
      console.log(`archive of run #${manifest.runId}: ${manifest.status}, ${manifest.homeSchema} → ${manifest.archiveSchema}, by ${manifest.archivedBy} at ${manifest.archivedAt ?? manifest.startedAt}, kept until ${manifest.retentionUntil}`);
      printTable(manifest.tables.map((t) => ({ table: t.name, rows: t.rows ?? "", checksum: t.checksum ?? "", bytes: t.bytes ?? "" })));
    });

  archive
    .command("options")
    .description("a lead sets Phase 5's plan options (part of the plan a lead approves): retention date, views to keep or drop")
    .option("--retention <date>", "keep the archive at least until this date (YYYY-MM-DD)")
    .option("--drop-view <view...>", "compatibility views old readers no longer need")
    .option("--keep-view <view...>", "compatibility views to keep")
    .requiredOption("--as <email>", "the lead doing it (password from UNIFY_PASSWORD or asked)")
    .action(async (opts: { retention?: string; dropView?: string[]; keepView?: string[]; as: string }) => {
      const views = { ...Object.fromEntries((opts.dropView ?? []).map((v) => [v, false])), ...Object.fromEntries((opts.keepView ?? []).map((v) => [v, true])) };
      if ((opts.dropView ?? []).some((v) => (opts.keepView ?? []).includes(v))) throw new CliUsageError("a view cannot be both kept and dropped");
      await connectDatabase();
      const options = await setArchiveOptions({ actor: await signInAs(opts.as), retentionUntil: opts.retention, views });
      console.log(`retention date ${options.retentionUntil ?? "not set"}; unneeded views: ${options.views.filter((v) => !v.keep).map((v) => v.view).join(", ") || "none"}`);
      console.log("the plan of Phase 5 changed: a lead approves it again");
    });

  archive
    .command("drop")
    .description("an admin drops the archive for good, after its retention date (confirm with the archive schema's name)")
    .requiredOption("--confirm <schema>", "type the archive schema's name")
    .requiredOption("--as <email>", "the admin doing it (password from UNIFY_PASSWORD or asked)")
    .action(async (opts: { confirm: string; as: string }) => {
      await connectDatabase();
      const manifest = await dropArchive({ actor: await signInAs(opts.as), confirmation: opts.confirm });
      console.log(`dropped ${manifest.archiveSchema}: ${manifest.totals.tables} tables, ${manifest.totals.rows} rows; the manifest is kept`);
    });
}
