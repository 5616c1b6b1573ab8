import { describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { createOperator, setOperatorDisabled } from "@/lib/operators/operators";
import {
  login,
  LoginRateLimitedError,
  MAX_FAILURES_PER_ACCOUNT,
  MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
  MAX_FAILURES_PER_IP,
  WRONG_CREDENTIALS,
} from "./login";
import { deleteSession, operatorForSession } from "./session";

withTestDatabase();

describe("login", () => {
  it("a right password opens a session that resolves to the operator, and logout ends it", async () => {
    await createOperator({ email: "Ana@Example.com ", name: "Ana", roles: ["lead"], password: "correct horse" }, SYSTEM_ACTOR);
    const { token, operator } = await login("ana@example.com", "correct horse", { ip: "10.0.0.1" });
    expect(operator.roles).toEqual(["lead"]);
    expect((await operatorForSession(token))?.email).toBe("ana@example.com");
    await deleteSession(token);
    expect(await operatorForSession(token)).toBeNull();
  });

  it("a wrong password and an unknown email get the same message and are logged as failed", async () => {
    await createOperator({ email: "bo@example.com", name: "Bo", roles: ["analyst"], password: "bo password 1" }, SYSTEM_ACTOR);
    await expect(login("bo@example.com", "nope", {})).rejects.toThrow(WRONG_CREDENTIALS);
    await expect(login("nobody@example.com", "nope", {})).rejects.toThrow(WRONG_CREDENTIALS);
    const failed = await prisma().activityEntry.count({ where: { action: "auth.login", outcome: "failed" } });
    expect(failed).toBeGreaterThanOrEqual(2);
  });

  it("after repeated failures from one client the account is locked out there even with the right password", async () => {
    await createOperator({ email: "cy@example.com", name: "Cy", roles: ["analyst"], password: "cy password 1" }, SYSTEM_ACTOR);
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_CLIENT; i++) {
      await expect(login("cy@example.com", `wrong ${i}`, { ip: "198.51.100.7" })).rejects.toThrow(WRONG_CREDENTIALS);
    }
    await expect(login("cy@example.com", "cy password 1", { ip: "198.51.100.7" })).rejects.toBeInstanceOf(LoginRateLimitedError);
  });

  it("five wrong passwords from another client do not lock the operator out of their own", async () => {
    await createOperator({ email: "eve.target@example.com", name: "Target", roles: ["admin"], password: "target password" }, SYSTEM_ACTOR);
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_CLIENT + 3; i++) {
      await login("eve.target@example.com", `guess ${i}`, { ip: "203.0.113.66" }).catch(() => undefined);
    }
    await expect(login("eve.target@example.com", "target password", { ip: "203.0.113.66" })).rejects.toBeInstanceOf(LoginRateLimitedError);
    const { operator } = await login("eve.target@example.com", "target password", { ip: "192.0.2.10" });
    expect(operator.email).toBe("eve.target@example.com");
  });

  it("failures spread over many clients hit the per-account backoff for every client", async () => {
    await createOperator({ email: "fay@example.com", name: "Fay", roles: ["lead"], password: "fay password 1" }, SYSTEM_ACTOR);
    const clients = MAX_FAILURES_PER_ACCOUNT / MAX_FAILURES_PER_ACCOUNT_AND_CLIENT;
    for (let c = 0; c < clients; c++) {
      for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_CLIENT; i++) {
        await expect(login("fay@example.com", `wrong ${i}`, { ip: `10.9.${c}.1` })).rejects.toThrow(WRONG_CREDENTIALS);
      }
    }
    const error = await login("fay@example.com", "fay password 1", { ip: "192.0.2.99" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginRateLimitedError);
    expect((error as LoginRateLimitedError).retryAfterMinutes).toBeGreaterThan(15);
  });

  it("one client failing across many accounts is stopped by the per-client limit", async () => {
    await createOperator({ email: "gil@example.com", name: "Gil", roles: ["analyst"], password: "gil password 1" }, SYSTEM_ACTOR);
    for (let i = 0; i < MAX_FAILURES_PER_IP; i++) {
      await expect(login(`sweep${i}@example.com`, "guess", { ip: "198.51.100.200" })).rejects.toThrow(WRONG_CREDENTIALS);
    }
    await expect(login("gil@example.com", "gil password 1", { ip: "198.51.100.200" })).rejects.toBeInstanceOf(LoginRateLimitedError);
    expect((await login("gil@example.com", "gil password 1", { ip: "198.51.100.201" })).operator.email).toBe("gil@example.com");
  });

  it("a disabled operator cannot log in and loses open sessions", async () => {
    await createOperator({ email: "admin2@example.com", name: "Admin", roles: ["admin"], password: "admin password" }, SYSTEM_ACTOR);
    await createOperator({ email: "di@example.com", name: "Di", roles: ["analyst"], password: "di password 1" }, SYSTEM_ACTOR);
    const { token } = await login("di@example.com", "di password 1", {});
    await setOperatorDisabled("di@example.com", true, SYSTEM_ACTOR);
    expect(await operatorForSession(token)).toBeNull();
    await expect(login("di@example.com", "di password 1", {})).rejects.toThrow(WRONG_CREDENTIALS);
  });
});
