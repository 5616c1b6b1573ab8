import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { qualified } from "@/lib/db/sql";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { runProgress } from "@/lib/engine/progress";
import { requestRun } from "@/lib/engine/runs";
import { executeRun } from "@/lib/engine/runner";
import { approve, catalogSnapshot, rollBack, runPreflight } from "@/lib/engine/testing/phases";
import { getAuditReport, getEmployee } from "@/lib/flags/adapter";
import { retireFlag } from "@/lib/flags/store";
import { computeInventory } from "@/lib/legacy/inventory";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { canonicalDiscovery } from "@/lib/plan/fingerprint";
import { executeValidation, requestValidation, validationReport } from "@/lib/validation/runs";
import { planContext } from "../plan";
import { schemaMapping } from "../schema-map";
import { archiveManifest, setArchiveOptions } from "./archive";
import { tableChecksumSql } from "./archive-manifest";
import { catalogDefinitions, daysFromToday, leadSetsOptions, migrateThroughPhase4, PHASE_5_TABLES, setFlags, tableChecksums, TEST_ADMIN, TEST_LEAD } from "./testing";

withTestDatabase();
afterAll(() => stopQueue());

const UNNEEDED = "Email Audit_compat";

async function relationsIn(schema: string): Promise<string[]> {
  const { rows } = await pool().query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'v') ORDER BY c.relname COLLATE "C"`,
    [schema],
  );
  return rows.map((r) => r.name);
}

async function postRunVerdict(phase: number): Promise<{ verdict: string | null; failed: string[] }> {
  const { id } = await requestValidation({ phase, kind: "post_run", actor: TEST_LEAD, enqueue: false });
  await executeValidation(id);
  const report = (await validationReport(id))!;
  return { verdict: report.verdict, failed: report.checks.flatMap((c) => c.results).filter((r) => r.status === "fail").map((r) => `${r.name}: ${r.detail}`) };
}

describe("Phase 5: archive the legacy tables, reversibly", () => {
  let catalogBefore: string[] = [];
  let definitionsBefore: string[] = [];
  let checksumsBefore: Record<string, string> = {};
  let discoveryBefore: ReturnType<typeof canonicalDiscovery>;
  let employeeBefore: unknown;
  let reportBefore: unknown;

  beforeAll(async () => {
    await migrateThroughPhase4();
  });

  it("a lead's options are validated: no unknown view, no date in the past, nothing for an analyst", async () => {
    await expect(setArchiveOptions({ actor: TEST_LEAD, views: { ghost_compat: false } })).rejects.toThrow(/no compatibility view "ghost_compat"/);
    await expect(setArchiveOptions({ actor: TEST_LEAD, retentionUntil: "2020-01-01" })).rejects.toThrow(/in the past/);
    await expect(setArchiveOptions({ actor: TEST_LEAD, retentionUntil: "2026-02-30" })).rejects.toThrow(/not a date/);
    await expect(setArchiveOptions({ actor: TEST_ADMIN, retentionUntil: daysFromToday(3) })).rejects.toThrow(/Only a team lead/);
  });

  it("no flag can be retired before Phase 5 succeeded", async () => {
    await expect(retireFlag({ key: "USE_UNIFIED_EMPLOYEES_TABLE", comment: "too early", actor: TEST_ADMIN })).rejects.toThrow(/only after Phase 5 \(Cleanup\) succeeded; it is not started/);
  });

  it("is refused without a retention date and without both flags on: the pre-flight fails, so no lead can approve", async () => {
    await runPreflight(5);
    const { rows: latest } = await pool().query(`SELECT max(id) AS id FROM console.validation_runs WHERE phase = 5 AND kind = 'preflight'`);
    const report = (await validationReport(latest[0].id))!;
    expect(report.verdict).toBe("fail");
    expect(report.checks.flatMap((c) => c.results).filter((r) => r.status === "fail").map((r) => r.name)).toEqual([
      "USE_UNIFIED_EMPLOYEES_TABLE is on",
      "USE_UNIFIED_AUDITS_TABLE is on",
      "a lead set the archive's retention date",
    ]);
    await expect(approve(5)).rejects.toThrow(/pre-flight/i);
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM console.approvals WHERE phase = 5`);
    expect(rows[0].n).toBe(0);
  });

  it("is refused while the final validation fails (a legacy row no phase accounts for)", async () => {
    await leadSetsOptions({ [UNNEEDED]: false });
    await setFlags(true);
    // Written with Phase 1's live sync off for this one write (its trigger on users would carry the row over),
    // and on again before the pre-flight, so the row is the only thing the final validation can fail on.
    const withoutIdentitySync = async (sql: string) => {
      await pool().query(`ALTER TABLE users DISABLE TRIGGER unify_sync`);
      try {
        await pool().query(sql);
      } finally {
        await pool().query(`ALTER TABLE users ENABLE TRIGGER unify_sync`);
      }
    };
    await withoutIdentitySync(`INSERT INTO users (id, email, full_name) VALUES (99, 'late@example.com', 'Late')`);
    try {
      await expect(approve(5)).rejects.toThrow(/pre-flight/i);
    } finally {
      await withoutIdentitySync(`DELETE FROM users WHERE id = 99`);
    }
  });

  it("is refused without a lead's approval, and when a flag went off after the approval", async () => {
    await expect(requestRun(5, SYSTEM_ACTOR)).rejects.toThrow(/A lead must approve/);
    await approve(5);
    await setFlags(false);
    await expect(requestRun(5, SYSTEM_ACTOR)).rejects.toThrow(/USE_UNIFIED_EMPLOYEES_TABLE is off: Phase 5 requires both flags on/);
    await setFlags(true);
  });

  it("moves every legacy table into the archive, removes live sync and the unneeded view, proves each archived table is what the final validation compared", async () => {
    await approve(5);
    const { rows: final } = await pool().query<{ id: number }>(`SELECT max(id) AS id FROM console.validation_runs WHERE phase = 5 AND kind = 'preflight' AND verdict IN ('pass', 'warn')`);
    const finalReport = (await validationReport(final[0]!.id))!;
    // The final validation ran every earlier phase's suite, and recorded what it read of each legacy table.
    expect(finalReport.checks.some((c) => c.checkId === "phase-1:content:users")).toBe(true);
    expect(finalReport.checks.some((c) => c.checkId === "phase-4:content:auditor_performance")).toBe(true);
    expect(finalReport.checks.flatMap((c) => c.results).flatMap((r) => (r.figures ? [r.figures.table] : [])).sort()).toEqual([...PHASE_5_TABLES].sort());
    // A legacy write after the final validation (live sync carries it over): the run compares that table again.
    await pool().query(`INSERT INTO email_audit (id, employee_email, auditor_email, audit_date, status, total_score, greeting) VALUES (4, 'ana@example.com', 'bob@example.com', '2024-07-01', 'done', 70, 3)`);

    catalogBefore = await catalogSnapshot(pool());
    definitionsBefore = await catalogDefinitions(pool());
    checksumsBefore = await tableChecksums(pool(), "public", PHASE_5_TABLES);
    discoveryBefore = canonicalDiscovery(await discoverLegacy(pool(), "public"));
    employeeBefore = (await getEmployee("ana@example.com", { source: "legacy" })).data;
    reportBefore = (await getAuditReport("ana@example.com", { from: "2024-01-01", to: "2024-12-31" }, { source: "legacy" })).data;

    const requested = await requestRun(5, SYSTEM_ACTOR);
    await executeRun(requested.id);
    const run = (await runProgress(requested.id))!;
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.verification?.filter((c) => c.status === "fail")).toEqual([]);
    // Every archived table but the one written since holds exactly what the final validation compared...
    const held = (table: string) => `${table}: the archive holds exactly the rows final validation #${final[0]!.id} compared`;
    for (const table of PHASE_5_TABLES) {
      expect({ table, status: run.verification?.find((c) => c.name === held(table))?.status }).toEqual({ table, status: table === "email_audit" ? "warn" : "pass" });
    }
    // ...and that one was compared with its read-back on the unified side again, the write included.
    expect(run.verification?.find((c) => c.name === "email_audit_compat returns exactly the rows of email_audit")?.status).toBe("pass");
    // The unified side is not read again for the tables nothing wrote to.
    expect(run.verification?.some((c) => c.name.startsWith("users_compat returns exactly the rows of users"))).toBe(false);

    expect(await relationsIn("public")).toEqual([]);
    expect(await relationsIn("legacy_archive")).toEqual(PHASE_5_TABLES);
    expect(await relationsIn("legacy_archive_views")).toEqual([UNNEEDED]);
    expect(await relationsIn("unified")).not.toContain(UNNEEDED);
    expect(await relationsIn("unified")).toContain("email_audit_compat");
    const { rows: triggers } = await pool().query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = 'unify_sync'`);
    expect(triggers[0].n).toBe(0);
    const { rows: functions } = await pool().query(`SELECT count(*)::int AS n FROM pg_proc WHERE proname LIKE 'sync\\_identities\\_%' OR proname LIKE 'sync\\_audits\\_%' OR proname LIKE 'sync\\_links\\_%'`);
    expect(functions[0].n).toBe(0);
  });

  it("leaves every row as it was: the archived tables' checksums are the legacy ones", async () => {
    expect(await tableChecksums(pool(), "legacy_archive", PHASE_5_TABLES)).toEqual(checksumsBefore);
  });

  it("writes a manifest whose figures are the archived tables': rows, checksum, size, when and by whom", async () => {
    const manifest = (await archiveManifest())!;
    expect(manifest).toMatchObject({ status: "archived", homeSchema: "public", archiveSchema: "legacy_archive", archivedBy: "system", droppable: false });
    expect(manifest.archivedAt).not.toBeNull();
    expect(manifest.tables.map((t) => t.name).sort()).toEqual([...PHASE_5_TABLES].sort());
    for (const table of manifest.tables) {
      const { rows } = await pool().query(tableChecksumSql(qualified("legacy_archive", table.name)));
      expect({ table: table.name, rows: table.rows, checksum: table.checksum }).toEqual({ table: table.name, rows: Number(rows[0].row_count), checksum: rows[0].checksum });
      expect(table.bytes).toBeGreaterThan(0);
    }
    expect(manifest.totals.rows).toBe(manifest.tables.reduce((n, t) => n + t.rows!, 0));
    expect(manifest.views.map((v) => v.name)).toEqual([UNNEEDED]);
    expect(manifest.removed.filter((o) => o.kind === "trigger").map((o) => o.name).sort()).toEqual(["Email Audit", "audit_assignments", "email_audit", "notifications", "people", "users"]);
    expect(manifest.removed.filter((o) => o.kind === "function")).toHaveLength(6);
  });

  it("discovery follows the tables into the archive: the same discovery, so the run voided nothing", async () => {
    const ctx = await planContext(pool());
    expect(ctx.legacySchema).toBe("legacy_archive");
    expect(ctx.legacyHome).toBe("public");
    expect({ ...canonicalDiscovery(ctx.discovery), schema: "public" }).toEqual(discoveryBefore);
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM console.approvals WHERE phase = 5 AND voided_at IS NOT NULL`);
    expect(rows[0].n).toBe(0);
  });

  it("the post-run suites of phases 1 to 3 still pass later, against the archived tables", async () => {
    for (const phase of [1, 2, 3]) expect({ phase, ...(await postRunVerdict(phase)) }).toMatchObject({ phase, failed: [] });
  });

  it("the adapter's legacy path, the Schema page and the Inventory read the archive", async () => {
    expect((await getEmployee("ana@example.com", { source: "legacy" })).data).toEqual(employeeBefore);
    expect((await getAuditReport("ana@example.com", { from: "2024-01-01", to: "2024-12-31" }, { source: "legacy" })).data).toEqual(reportBefore);
    const map = await schemaMapping(pool());
    expect(map.legacySchema).toBe("legacy_archive");
    expect(map.legacy.map((t) => t.table)).toEqual(expect.arrayContaining(["users", "people", "email_audit", "Email Audit", "notifications"]));
    const inventory = await computeInventory(pool());
    expect(inventory.schema).toBe("legacy_archive");
    expect(inventory.audits).toBe(4); // the three of the fixture and the one written after the final validation
  });

  it("a lead may keep the archive longer: the new retention date applies to the archive in place", async () => {
    await setArchiveOptions({ actor: TEST_LEAD, retentionUntil: daysFromToday(60) });
    expect((await archiveManifest())!.retentionUntil).toBe(daysFromToday(60));
  });

  it("its rollback moves everything back and restores triggers and views exactly: catalog and checksums as before", async () => {
    const run = await rollBack(5);
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(await catalogSnapshot(pool())).toEqual(catalogBefore);
    expect(await catalogDefinitions(pool())).toEqual(definitionsBefore);
    expect(await tableChecksums(pool(), "public", PHASE_5_TABLES)).toEqual(checksumsBefore);
    expect((await archiveManifest())!.status).toBe("restored");
    expect((await planContext(pool())).legacySchema).toBe("public");
  });

  it("live sync works again after the rollback", async () => {
    await pool().query(`INSERT INTO email_audit (id, employee_email, auditor_email, audit_date, status, total_score, greeting) VALUES (3, 'bob@example.com', 'ana@example.com', '2024-06-01', 'done', 80, 4)`);
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM unified.audits WHERE source_table = 'email_audit' AND source_id = 3`);
    expect(rows[0].n).toBe(1);
    await pool().query(`INSERT INTO users (id, email, full_name) VALUES (3, 'cy@example.com', 'Cy Late')`);
    const { rows: employees } = await pool().query(`SELECT count(*)::int AS n FROM unified.employees WHERE email_normalized = 'cy@example.com'`);
    expect(employees[0].n).toBe(1);
  });
});
