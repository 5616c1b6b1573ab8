import { describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { login, LoginRateLimitedError, MAX_FAILURES_PER_ACCOUNT_AND_CLIENT } from "@/lib/auth/login";
import { operatorForSession } from "@/lib/auth/session";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { createOperator } from "@/lib/operators/operators";
import { cliAgainst } from "./testing";

const db = withTestDatabase();
const unify = cliAgainst(db);

describe("unify users reset-password", () => {
  it("recovers the only admin without --as: new password never printed, sessions ended, lockout cleared, logged", async () => {
    await createOperator({ email: "solo@example.com", name: "Solo", roles: ["admin"], password: "forgotten password" }, SYSTEM_ACTOR);
    const { token } = await login("solo@example.com", "forgotten password");
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_CLIENT; i++) await login("solo@example.com", `guess ${i}`).catch(() => undefined);
    await expect(login("solo@example.com", "forgotten password")).rejects.toBeInstanceOf(LoginRateLimitedError);

    const reset = await unify(["users", "reset-password", "Solo@Example.com"], { UNIFY_NEW_PASSWORD: "fresh password 1" });
    expect(reset).toMatchObject({ code: 0, stdout: "reset the password of solo@example.com; their sessions have ended\n" });
    expect(reset.stdout + reset.stderr).not.toContain("fresh password 1");
    expect(await operatorForSession(token)).toBeNull();
    expect((await login("solo@example.com", "fresh password 1")).operator.email).toBe("solo@example.com");
    const entry = await prisma().activityEntry.findFirst({ where: { action: "operator.reset_password" } });
    expect(entry).toMatchObject({ target: "solo@example.com", outcome: "ok", actorEmail: expect.stringMatching(/^cli:/) });
  });

  it("once another admin exists, --as an admin is needed, and a non-admin is refused", async () => {
    await createOperator({ email: "ana@example.com", name: "Ana", roles: ["admin"], password: "ana password 1" }, SYSTEM_ACTOR);
    await createOperator({ email: "lee@example.com", name: "Lee", roles: ["lead"], password: "lee password 1" }, SYSTEM_ACTOR);
    await createOperator({ email: "max@example.com", name: "Max", roles: ["admin"], password: "max password 1" }, SYSTEM_ACTOR);
    const anonymous = await unify(["users", "reset-password", "lee@example.com"], { UNIFY_NEW_PASSWORD: "lee password 2" });
    expect(anonymous.stderr.trim()).toBe("unify: another admin can do this: say who you are with --as <admin email>");
    const byLead = await unify(["users", "reset-password", "ana@example.com", "--as", "lee@example.com"], { UNIFY_PASSWORD: "lee password 1", UNIFY_NEW_PASSWORD: "taken over 1" });
    expect(byLead.stderr.trim()).toBe("unify: Only an admin can do this (operator.reset_password)");
    const tooShort = await unify(["users", "reset-password", "lee@example.com", "--as", "ana@example.com"], { UNIFY_PASSWORD: "ana password 1", UNIFY_NEW_PASSWORD: "short" });
    expect(tooShort.stderr.trim()).toBe("unify: Password must be at least 10 characters");
    const byAdmin = await unify(["users", "reset-password", "lee@example.com", "--as", "ana@example.com"], { UNIFY_PASSWORD: "ana password 1", UNIFY_NEW_PASSWORD: "lee password 2" });
    expect(byAdmin.code).toBe(0);
    expect((await login("lee@example.com", "lee password 2")).operator.email).toBe("lee@example.com");
    await expect(login("ana@example.com", "taken over 1")).rejects.toThrow("Email or password is incorrect");
  });
});
