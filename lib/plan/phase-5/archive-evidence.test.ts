import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { runProgress } from "@/lib/engine/progress";
import { stopQueue } from "@/lib/engine/queue";
import { executeRun } from "@/lib/engine/runner";
import { requestRun } from "@/lib/engine/runs";
import { approve, approveAndRun, rollBack } from "@/lib/engine/testing/phases";
import { leadSetsOptions, migrateThroughPhase4, setFlags } from "./testing";

withTestDatabase();
afterAll(() => stopQueue());

async function run5() {
  const requested = await requestRun(5, SYSTEM_ACTOR);
  await executeRun(requested.id);
  return (await runProgress(requested.id))!;
}

/**
 * Phase 5's post-run suite proves each archived table holds exactly the rows the final validation
 * read. A table written after it that no read-back compares (here a table discovery reported but
 * no phase migrated) cannot be vouched for: the run fails and says so, and nothing is lost.
 */
describe("Phase 5 after a write the final validation did not see", () => {
  beforeAll(async () => {
    await migrateThroughPhase4();
    await leadSetsOptions();
    await setFlags(true);
  });

  it("fails its post-run suite, naming the table and the final validation it no longer matches", async () => {
    await approve(5);
    const { rows: final } = await pool().query<{ id: number }>(`SELECT max(id) AS id FROM console.validation_runs WHERE phase = 5 AND kind = 'preflight'`);
    await pool().query(`INSERT INTO stray_audit (note) VALUES ('written after the final validation')`);
    const run = await run5();
    expect(run.status).toBe("failed");
    expect(run.error).toContain(`stray_audit: the archive holds exactly the rows final validation #${final[0]!.id} compared`);
    const failed = run.verification?.filter((c) => c.status === "fail") ?? [];
    expect(failed.map((c) => c.name)).toEqual([`stray_audit: the archive holds exactly the rows final validation #${final[0]!.id} compared`]);
    expect(failed[0]!.detail).toMatch(/written since final validation #\d+ \(1 rows, checksum .+\), and nothing else compares it: roll Phase 5 back/);
    // Nothing is lost: the row is in the archive.
    const { rows } = await pool().query(`SELECT note FROM legacy_archive.stray_audit ORDER BY id`);
    expect(rows.map((r) => r.note)).toEqual(["never registered", "written after the final validation"]);
  });

  it("after its rollback, a new final validation records the table as it is, and the run succeeds", async () => {
    const back = await rollBack(5);
    expect({ status: back.status, error: back.error }).toEqual({ status: "succeeded", error: null });
    const run = await approveAndRun(5);
    expect({ status: run.status, error: run.error }).toEqual({ status: "succeeded", error: null });
    expect(run.verification?.find((c) => c.name.startsWith("stray_audit: the archive holds exactly the rows"))?.status).toBe("pass");
  });
});
