import type { Command } from "commander";
import { connectDatabase } from "@/lib/db/connect";
import { listOrphans, ORPHAN_REFERENCES, type OrphanFilter } from "@/lib/plan/phase-3/orphans";
import { CliUsageError, printTable } from "./output";

/** `unify orphans`: Phase 3's orphan report — what was kept with a NULL key, and why. */
export function registerOrphans(program: Command): void {
  program
    .command("orphans")
    .description("Phase 3's orphan report: assignments and notifications whose references resolve to nothing (kept, not dropped)")
    .option("--table <table>", "audit_assignments or notifications")
    .option("--reference <reference>", `one of ${Object.keys(ORPHAN_REFERENCES).join(", ")}`)
    .option("--json", "every orphan as JSON")
    .action(async (opts: { table?: string; reference?: string; json?: boolean }) => {
      if (opts.table && !["audit_assignments", "notifications"].includes(opts.table)) {
        throw new CliUsageError(`--table: expected audit_assignments or notifications, got "${opts.table}"`);
      }
      if (opts.reference && !(opts.reference in ORPHAN_REFERENCES)) {
        throw new CliUsageError(`--reference: expected one of ${Object.keys(ORPHAN_REFERENCES).join(", ")}, got "${opts.reference}"`);
      }
      await connectDatabase();
      const filter: OrphanFilter = { table: opts.table, reference: opts.reference };
      const first = await listOrphans(filter);
      if (!first.available) {
        console.log("Phase 3 has not run: the orphan report appears once assignments and notifications are loaded");
        return;
      }
      const rows = [...first.rows];
      for (let next = first.next; next; ) {
        const page = await listOrphans({ ...filter, after: next });
        rows.push(...page.rows);
        next = page.next;
      }
      if (opts.json) {
        console.log(JSON.stringify({ summary: first.summary, orphans: rows }, null, 2));
        return;
      }
      if (!first.summary.length) {
        console.log("no orphans: every reference of every assignment and notification resolves");
        return;
      }
      printTable(first.summary.map((s) => ({ table: s.table, reference: s.reference, why: ORPHAN_REFERENCES[s.reference] ?? "", rows: s.count.toLocaleString("en-US") })));
      console.log("");
      printTable(rows.map((r) => ({ table: r.table, "legacy id": String(r.legacyId), reference: r.reference, value: r.value ?? "" })));
    });
}
