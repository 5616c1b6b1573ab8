import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun, rollBack, TEST_LEAD } from "@/lib/engine/testing/phases";
import { seedLegacy } from "@/lib/legacy/generator";
import { executeValidation, requestValidation } from "@/lib/validation/runs";
import { FlagInterlockError } from "./errors";
import { FLAG_KEYS } from "./keys";
import { FlagStillOnError } from "./phase-guard";
import { effectiveFlags, flagHistory, listFlags, rollbackToLegacy, setFlag } from "./store";

withTestDatabase();
beforeAll(() => seedLegacy(pool(), { audits: 600, scorecards: 2, seed: "flags" }));
afterAll(() => stopQueue());
afterEach(() => {
  delete process.env[FLAG_KEYS.employees];
  delete process.env[FLAG_KEYS.audits];
});

const ADMIN = { id: null, email: "admin@test", roles: ["admin" as const] };
const ANALYST = { id: null, email: "analyst@test", roles: ["analyst" as const] };
const EMPLOYEES = FLAG_KEYS.employees;

async function flag(key: string) {
  return (await listFlags()).find((f) => f.key === key)!;
}

async function postRunOnDemand(): Promise<number> {
  const { id } = await requestValidation({ phase: 1, kind: "post_run", actor: TEST_LEAD, enqueue: false });
  await executeValidation(id);
  return id;
}

describe("flag interlocks", () => {
  it("ships both flags off, each interlocked on its phase, refused before the phase ran with the reason and the evidence", async () => {
    const flags = await listFlags();
    expect(flags.map((f) => [f.key, f.phase, f.stored, f.effective])).toEqual([
      [FLAG_KEYS.employees, 1, false, false],
      [FLAG_KEYS.audits, 2, false, false],
    ]);
    expect(flags[0]!.interlock).toMatchObject({ canTurnOn: false, reason: "Phase 1 has not succeeded (it is not started)", evidence: [{ href: "/phases/1" }] });
    await expect(setFlag({ key: EMPLOYEES, enabled: true, comment: "too early", actor: ADMIN })).rejects.toThrow(
      "USE_UNIFIED_EMPLOYEES_TABLE cannot be turned on: Phase 1 has not succeeded (it is not started)",
    );
    const refused = await prisma().activityEntry.findFirst({ where: { action: "flag.toggle", outcome: "failed" }, orderBy: { id: "desc" } });
    expect(refused?.detail).toMatchObject({ to: "on", refused: "Phase 1 has not succeeded (it is not started)" });
    expect(await flagHistory(EMPLOYEES)).toEqual([]);
  });

  it("an unknown flag and text PostgreSQL cannot hold are refused with a message", async () => {
    await expect(setFlag({ key: "NO_SUCH_FLAG", enabled: false, comment: "x", actor: ADMIN })).rejects.toThrow("There is no flag NO_SUCH_FLAG");
    await expect(setFlag({ key: EMPLOYEES, enabled: false, comment: "a\u0000b", actor: ADMIN })).rejects.toThrow("Text cannot contain a NUL character");
  });

  it("only an admin toggles, and a refusal is logged as denied", async () => {
    await expect(setFlag({ key: EMPLOYEES, enabled: false, comment: "x", actor: ANALYST })).rejects.toMatchObject({ name: "ForbiddenError", status: 403 });
    expect(await prisma().activityEntry.count({ where: { action: "flag.toggle", outcome: "denied", actorEmail: "analyst@test" } })).toBe(1);
  });

  it("after Phase 1 succeeds the employees flag turns on, with a comment kept in its history; the audits flag still waits for Phase 2", async () => {
    expect((await approveAndRun(1)).status).toBe("succeeded");
    const before = await flag(EMPLOYEES);
    expect(before.interlock.canTurnOn).toBe(true);
    expect(before.interlock.evidence.map((e) => e.href)).toEqual(["/phases/1", `/validation/${before.interlock.validation!.id}`]);
    await expect(setFlag({ key: EMPLOYEES, enabled: true, comment: "  ", actor: ADMIN })).rejects.toThrow("Say why in a comment");
    const on = await setFlag({ key: EMPLOYEES, enabled: true, comment: "Phase 1 validated", actor: ADMIN });
    expect(on).toMatchObject({ stored: true, effective: true, source: "database", changedBy: "admin@test" });
    await expect(setFlag({ key: EMPLOYEES, enabled: true, comment: "again", actor: ADMIN })).rejects.toThrow("USE_UNIFIED_EMPLOYEES_TABLE is already on");
    const history = await flagHistory(EMPLOYEES);
    expect(history.map((h) => [h.actorEmail, h.fromEnabled, h.toEnabled, h.comment])).toEqual([["admin@test", false, true, "Phase 1 validated"]]);
    await expect(setFlag({ key: FLAG_KEYS.audits, enabled: true, comment: "no", actor: ADMIN })).rejects.toBeInstanceOf(FlagInterlockError);
    const logged = await prisma().activityEntry.findFirst({ where: { action: "flag.toggle", outcome: "ok" }, orderBy: { id: "desc" } });
    expect(logged).toMatchObject({ actorEmail: "admin@test", target: EMPLOYEES, detail: { from: "off", to: "on", comment: "Phase 1 validated" } });
  });

  it("rolling back Phase 1 is refused while its flag is on", async () => {
    await expect(rollBack(1)).rejects.toBeInstanceOf(FlagStillOnError);
    await expect(rollBack(1)).rejects.toThrow("Turn USE_UNIFIED_EMPLOYEES_TABLE off before rolling back phase 1");
    expect(await prisma().phaseRun.count({ where: { kind: "rollback" } })).toBe(0);
  });

  it("a failing post-run validation since blocks turning on, while turning off stays allowed", async () => {
    await pool().query(`INSERT INTO unified.employees (email, email_normalized, is_active, source, legacy_user_id) VALUES ('ghost@x.com', 'ghost@x.com', true, 'users', 99999999)`);
    let failed: number;
    try {
      failed = await postRunOnDemand();
    } finally {
      await pool().query(`DELETE FROM unified.employees WHERE legacy_user_id = 99999999`);
    }
    await setFlag({ key: EMPLOYEES, enabled: false, comment: "validation failed", actor: ADMIN });
    const blocked = await flag(EMPLOYEES);
    expect(blocked.interlock).toMatchObject({ canTurnOn: false, reason: `The latest post-run validation of phase 1 (#${failed}) failed` });
    expect(blocked.interlock.evidence.at(-1)).toEqual({ label: `Post-run validation #${failed}`, href: `/validation/${failed}` });
    await expect(setFlag({ key: EMPLOYEES, enabled: true, comment: "try", actor: ADMIN })).rejects.toThrow(`(#${failed}) failed`);
    // A passing suite run since is the latest evidence again.
    const passed = await postRunOnDemand();
    expect((await flag(EMPLOYEES)).interlock).toMatchObject({ canTurnOn: true, validation: { id: passed } });
    expect((await flagHistory(EMPLOYEES)).map((h) => [h.fromEnabled, h.toEnabled, h.comment])).toEqual([
      [true, false, "validation failed"],
      [false, true, "Phase 1 validated"],
    ]);
  });

  it("an environment variable named like the flag overrides the database; an unreadable one is shown and ignored", async () => {
    process.env[EMPLOYEES] = "on";
    expect(await flag(EMPLOYEES)).toMatchObject({ stored: false, effective: true, source: "environment", env: { set: true, raw: "on", value: true } });
    expect((await effectiveFlags()).get(EMPLOYEES)).toEqual({ value: true, source: "environment", phase: 1 });
    process.env[EMPLOYEES] = "perhaps";
    expect(await flag(EMPLOYEES)).toMatchObject({ effective: false, source: "database", env: { set: true, raw: "perhaps", value: null } });
    process.env[FLAG_KEYS.audits] = "0";
    expect((await effectiveFlags()).get(FLAG_KEYS.audits)).toEqual({ value: false, source: "environment", phase: 2 });
  });

  it("Roll back to legacy needs the word, turns every flag off in one go, and logs the time it took", async () => {
    await setFlag({ key: EMPLOYEES, enabled: true, comment: "back on", actor: ADMIN });
    await expect(rollbackToLegacy({ actor: ANALYST, confirmation: "legacy" })).rejects.toMatchObject({ name: "ForbiddenError" });
    await expect(rollbackToLegacy({ actor: ADMIN, confirmation: "yes" })).rejects.toThrow('Type "legacy" to confirm the rollback');
    const result = await rollbackToLegacy({ actor: ADMIN, confirmation: "legacy" });
    expect(result.turnedOff).toEqual([EMPLOYEES]);
    expect(result.durationMs).toBeGreaterThan(0);
    expect(result.durationMs).toBeLessThan(1000);
    expect([...(await effectiveFlags()).values()].every((f) => !f.value)).toBe(true);
    expect((await flagHistory(EMPLOYEES))[0]).toMatchObject({ fromEnabled: true, toEnabled: false, comment: "Roll back to legacy" });
    const logged = await prisma().activityEntry.findFirst({ where: { action: "flag.rollback_legacy" }, orderBy: { id: "desc" } });
    expect(logged).toMatchObject({ outcome: "ok", detail: { turnedOff: [EMPLOYEES], durationMs: result.durationMs } });
    // Nothing on: a second rollback changes nothing and says so.
    expect((await rollbackToLegacy({ actor: ADMIN, confirmation: "Legacy" })).turnedOff).toEqual([]);
  });

  it("with every flag off the phase rolls back, and the flag is then refused again", async () => {
    expect((await rollBack(1)).status).toBe("succeeded");
    expect((await flag(EMPLOYEES)).interlock).toMatchObject({ canTurnOn: false, reason: "Phase 1 has not succeeded (it is rolled back)" });
  });

  it("the history is append-only", async () => {
    await expect(pool().query(`UPDATE console.flag_history SET comment = 'rewritten'`)).rejects.toThrow("console.flag_history is append-only (UPDATE refused)");
    await expect(pool().query(`DELETE FROM console.flag_history`)).rejects.toThrow("append-only");
  });
});
