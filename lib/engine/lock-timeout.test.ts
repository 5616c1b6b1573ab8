import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { seedLegacy } from "@/lib/legacy/generator";
import { runProgress } from "./progress";
import { stopQueue } from "./queue";
import { executeRun } from "./runner";
import { requestRun } from "./runs";
import { approve } from "./testing/phases";

const db = withTestDatabase();
afterAll(() => stopQueue());

describe("a step that meets a lock held by application traffic", () => {
  it("gives up within lock_timeout, says so in the log, backs off and finishes", { timeout: 60_000 }, async () => {
    await seedLegacy(pool(), { audits: 500, scorecards: 2, seed: "locks" });
    await approve(1);
    const run = await requestRun(1, SYSTEM_ACTOR);

    const traffic = new pg.Client({ connectionString: db.url() });
    await traffic.connect();
    await traffic.query("BEGIN");
    await traffic.query("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
    const release = setTimeout(() => void traffic.query("COMMIT"), 1500);

    process.env.UNIFY_LOCK_TIMEOUT = "100ms";
    try {
      await executeRun(run.id);
    } finally {
      delete process.env.UNIFY_LOCK_TIMEOUT;
      clearTimeout(release);
      await traffic.end();
    }
    const progress = await runProgress(run.id);
    expect(progress?.status).toBe("succeeded");
    const warnings = progress!.log.filter((l) => l.level === "warn").map((l) => l.message);
    expect(warnings[0]).toBe("lock not granted within 100ms (attempt 1 of 6); retrying in 1s");
  });
});
