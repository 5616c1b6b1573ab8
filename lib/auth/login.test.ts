import { describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { createOperator, setOperatorDisabled } from "@/lib/operators/operators";
import { login, LoginRateLimitedError, MAX_FAILURES_PER_EMAIL, WRONG_CREDENTIALS } from "./login";
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

  it("after repeated failures the email is locked out even with the right password", async () => {
    await createOperator({ email: "cy@example.com", name: "Cy", roles: ["analyst"], password: "cy password 1" }, SYSTEM_ACTOR);
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++) {
      await expect(login("cy@example.com", `wrong ${i}`, {})).rejects.toThrow(WRONG_CREDENTIALS);
    }
    await expect(login("cy@example.com", "cy password 1", {})).rejects.toBeInstanceOf(LoginRateLimitedError);
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
