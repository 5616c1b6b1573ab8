import { describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { catalogSnapshot } from "@/lib/engine/testing/phases";
import { seedLegacy } from "@/lib/legacy/generator";
import { cliAgainst } from "./testing";

const db = withTestDatabase();
const unify = cliAgainst(db);

describe("driving Phase 1 from the CLI", () => {
  it("plans, refuses an unapproved run, approves as a lead, dry-runs, runs and rolls back", { timeout: 120_000 }, async () => {
    await seedLegacy(pool(), { audits: 2000, scorecards: 3, seed: "cli" });
    await unify(["users", "add", "--email", "admin@cli.test", "--role", "admin"], { UNIFY_PASSWORD: "admin password 1" });
    await unify(["users", "add", "--email", "lead@cli.test", "--role", "lead", "--as", "admin@cli.test"], {
      UNIFY_PASSWORD: "admin password 1",
      UNIFY_NEW_PASSWORD: "lead password 1",
    });
    const admin = { UNIFY_PASSWORD: "admin password 1" };

    const plan = JSON.parse((await unify(["plan", "1", "--json"])).stdout);
    expect(plan.steps.map((s: { id: string }) => s.id)).toEqual([
      "reference-tables", "employees-table", "identity-sync", "source-rows", "merge-identities", "referenced-humans", "resolve-managers", "compat-views",
    ]);
    expect(plan.checksum).toMatch(/^[0-9a-f]{64}$/);

    const nobody = await unify(["run", "1"]);
    expect(nobody.stderr.trim()).toBe("unify: say who you are: --as <email> (password from UNIFY_PASSWORD or asked)");
    const leadRuns = await unify(["run", "1", "--as", "lead@cli.test"], { UNIFY_PASSWORD: "lead password 1" });
    expect(leadRuns.stderr.trim()).toBe("unify: Only an admin can do this (phase.run)");
    const refused = await unify(["run", "1", "--as", "admin@cli.test"], admin);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim()).toBe("unify: A lead must approve the plan of phase 1 before it runs");

    const lead = { UNIFY_PASSWORD: "lead password 1" };
    const wrong = await unify(["approve", "1", "--as", "lead@cli.test", "--checksum", plan.checksum], { UNIFY_PASSWORD: "wrong" });
    expect(wrong.stderr.trim()).toBe("unify: Email or password is incorrect");
    const unvalidated = await unify(["approve", "1", "--as", "lead@cli.test", "--checksum", plan.checksum], lead);
    expect(unvalidated.stderr.trim()).toBe("unify: Run the pre-flight suite of phase 1 on this plan first: an approval stands on its report");
    const preflight = await unify(["validate", "1", "--kind", "preflight", "--as", "lead@cli.test"], lead);
    expect(preflight.code).toBe(0);
    expect(preflight.stdout).toMatch(/validation #\d+ of phase 1 \(preflight\): warn — \d+ passed, \d+ warnings, 0 failed/);
    const stale = await unify(["approve", "1", "--as", "lead@cli.test", "--checksum", "0".repeat(64), "--acknowledge-all"], lead);
    expect(stale.stderr.trim()).toBe("unify: The plan changed while you were reading it: review the new plan and decide again");
    const unacknowledged = await unify(["approve", "1", "--as", "lead@cli.test", "--checksum", plan.checksum], lead);
    expect(unacknowledged.stderr).toMatch(/Acknowledge every warning of pre-flight report #\d+ to approve/);
    const approved = await unify(["approve", "1", "--as", "lead@cli.test", "--checksum", plan.checksum, "--acknowledge-all"], lead);
    expect(approved.stdout).toMatch(/acknowledging \d+ warnings of pre-flight report #\d+/);
    expect(approved.stdout).toMatch(/phase 1 plan [0-9a-f]{12}… approved by lead@cli.test/);

    const before = await catalogSnapshot(pool());
    const dry = await unify(["run", "1", "--dry-run"]);
    expect(dry.stdout).toContain("INSERT INTO \"unified\".employees");
    expect(await catalogSnapshot(pool())).toEqual(before);

    const ran = await unify(["run", "1", "--as", "admin@cli.test"], admin);
    expect(ran.stdout).toMatch(/run #\d+ succeeded in \d+s/);
    expect(ran.stdout).toContain("check pass merge-identities: every users row is an employee or a reported conflict");

    const again = await unify(["run", "1", "--as", "admin@cli.test"], admin);
    expect(again.stderr.trim()).toBe("unify: Phase 1 already succeeded; roll it back to run it again");

    const undone = await unify(["rollback", "1", "--as", "admin@cli.test"], admin);
    expect(undone.stdout).toMatch(/run #\d+ \(rollback\) succeeded in \d+s/);
    expect(await catalogSnapshot(pool())).toEqual(before);

    const badPhase = await unify(["plan", "9"]);
    expect(badPhase.stderr.trim()).toBe('unify: not a phase: "9" (phases are 1 to 5)');
  });
});
