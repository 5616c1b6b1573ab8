import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { requestRollback } from "@/lib/engine/runs";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { createApiKey } from "@/lib/flags/api-keys";
import { evaluateFlagRequest } from "@/lib/flags/ofrep";
import { whileFlagsOff } from "@/lib/flags/phase-guard";
import { effectiveFlags, flagHistory, listFlags, retiredFlags, retireFlag, setFlag } from "@/lib/flags/store";
import { ofrepValidators } from "@/lib/flags/testing/spec";
import { archiveManifest, dropArchive } from "./archive";
import { leadSetsOptions, migrateThroughPhase4, setFlags, TEST_ADMIN, TEST_LEAD } from "./testing";

withTestDatabase();
afterAll(() => stopQueue());

async function activity(action: string): Promise<{ outcome: string; actor_email: string }[]> {
  const { rows } = await pool().query(`SELECT outcome, actor_email FROM console.activity_log WHERE action = $1 ORDER BY id`, [action]);
  return rows;
}

async function schemaExists(name: string): Promise<boolean> {
  const { rows } = await pool().query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [name]);
  return rows.length > 0;
}

describe("after Phase 5: dropping the archive and retiring the flags", () => {
  beforeAll(async () => {
    await migrateThroughPhase4();
    await leadSetsOptions({ users_compat: false });
    await setFlags(true);
    const run = await approveAndRun(5);
    expect({ status: run.status, error: run.error }).toEqual({ status: "succeeded", error: null });
  });

  it("dropping the archive is refused for a lead and an analyst, and the refusal is logged", async () => {
    await expect(dropArchive({ actor: TEST_LEAD, confirmation: "legacy_archive" })).rejects.toThrow(/Only an admin/);
    await expect(dropArchive({ actor: { id: null, email: "analyst@test", roles: ["analyst"] }, confirmation: "legacy_archive" })).rejects.toThrow(/Only an admin/);
    expect(await activity("archive.drop")).toEqual([
      { outcome: "denied", actor_email: "lead@test" },
      { outcome: "denied", actor_email: "analyst@test" },
    ]);
  });

  it("is refused before the retention date the lead set, even confirmed, and without the typed confirmation", async () => {
    await expect(dropArchive({ actor: TEST_ADMIN, confirmation: "legacy_archive" })).rejects.toThrow(/kept until \d{4}-\d{2}-\d{2} \(set by a lead\)/);
    await expect(dropArchive({ actor: TEST_ADMIN, confirmation: "yes" })).rejects.toThrow(/Type the archive schema's name, "legacy_archive"/);
    expect((await activity("archive.drop")).slice(2)).toEqual([
      { outcome: "failed", actor_email: "admin@test" },
      { outcome: "failed", actor_email: "admin@test" },
    ]);
    expect(await schemaExists("legacy_archive")).toBe(true);
    expect((await archiveManifest())!.status).toBe("archived");
  });

  it("a flag can be retired after Phase 5: kept in history, refused as a switch, fixed at its final value", async () => {
    await expect(retireFlag({ key: "USE_UNIFIED_AUDITS_TABLE", comment: "", actor: TEST_ADMIN })).rejects.toThrow(/comment/);
    await expect(retireFlag({ key: "USE_UNIFIED_AUDITS_TABLE", comment: "done", actor: TEST_LEAD })).rejects.toThrow(/Only an admin/);
    await setFlag({ key: "USE_UNIFIED_AUDITS_TABLE", enabled: false, comment: "a moment", actor: TEST_ADMIN });
    await expect(retireFlag({ key: "USE_UNIFIED_AUDITS_TABLE", comment: "done", actor: TEST_ADMIN })).rejects.toThrow(/is off: turn it on first/);
    await setFlag({ key: "USE_UNIFIED_AUDITS_TABLE", enabled: true, comment: "back", actor: TEST_ADMIN });

    const retired = await retireFlag({ key: "USE_UNIFIED_AUDITS_TABLE", comment: "legacy audits archived", actor: TEST_ADMIN });
    expect(retired).toMatchObject({ key: "USE_UNIFIED_AUDITS_TABLE", value: true, retiredBy: "admin@test" });
    expect((await retiredFlags()).map((f) => f.key)).toEqual(["USE_UNIFIED_AUDITS_TABLE"]);
    expect((await listFlags()).map((f) => f.key)).toEqual(["USE_UNIFIED_EMPLOYEES_TABLE"]);
    const history = await flagHistory("USE_UNIFIED_AUDITS_TABLE");
    expect(history[0]).toMatchObject({ event: "retire", fromEnabled: true, toEnabled: true, comment: "legacy audits archived", actorEmail: "admin@test" });
    expect(history.length).toBeGreaterThan(2);
    await expect(setFlag({ key: "USE_UNIFIED_AUDITS_TABLE", enabled: false, comment: "no", actor: TEST_ADMIN })).rejects.toThrow(/is retired: it is no longer a switch/);
    await expect(retireFlag({ key: "USE_UNIFIED_AUDITS_TABLE", comment: "again", actor: TEST_ADMIN })).rejects.toThrow(/already retired/);
  });

  it("a retired flag evaluates to its final value, whatever its environment variable says; OFREP serves it STATIC with retired metadata", async () => {
    process.env.USE_UNIFIED_AUDITS_TABLE = "off";
    try {
      expect((await effectiveFlags()).get("USE_UNIFIED_AUDITS_TABLE")).toEqual({ value: true, source: "retired", phase: 2 });
      const { key } = await createApiKey({ name: "reader", actor: TEST_ADMIN });
      const response = await evaluateFlagRequest(new Request("http://unify/ofrep/v1/evaluate/flags/USE_UNIFIED_AUDITS_TABLE", { method: "POST", headers: { Authorization: `Bearer ${key}` } }), "USE_UNIFIED_AUDITS_TABLE");
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toEqual({ key: "USE_UNIFIED_AUDITS_TABLE", value: true, reason: "STATIC", variant: "on", metadata: { source: "retired", retired: true, phase: 2 } });
      expect(ofrepValidators()("serverEvaluationSuccess", body)).toEqual([]);
    } finally {
      delete process.env.USE_UNIFIED_AUDITS_TABLE;
    }
  });

  it("a retired flag's phase can no longer be rolled back: the switch back is gone", async () => {
    await expect(whileFlagsOff(2, async () => "queued")).rejects.toThrow(/USE_UNIFIED_AUDITS_TABLE is retired and always on: phase 2 can no longer be rolled back/);
    expect(await whileFlagsOff(3, async () => "queued")).toBe("queued");
  });

  it("after the retention date an admin drops the archive, confirmed; it is logged and Phase 5 can no longer be rolled back", async () => {
    // The retention date passes (a lead can only set today or later, so time is moved here).
    await pool().query(`UPDATE console.archives SET retention_until = current_date - 1 WHERE status = 'archived'`);
    expect((await archiveManifest())!.droppable).toBe(true);
    const dropped = await dropArchive({ actor: TEST_ADMIN, confirmation: " legacy_archive " });
    expect(dropped).toMatchObject({ status: "dropped", droppedBy: "admin@test" });
    expect(await schemaExists("legacy_archive")).toBe(false);
    expect(await schemaExists("legacy_archive_views")).toBe(false);
    expect((await activity("archive.drop")).at(-1)).toEqual({ outcome: "ok", actor_email: "admin@test" });
    // The manifest stays as the record of what was kept and then dropped.
    expect(dropped.tables.length).toBe(9);
    await expect(requestRollback(5, SYSTEM_ACTOR)).rejects.toThrow(/was dropped by admin@test/);
    await expect(dropArchive({ actor: TEST_ADMIN, confirmation: "legacy_archive" })).rejects.toThrow(/no archive in place/);
  });
});
