import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { prisma } from "@/lib/db/prisma";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { credentialLine, ensureFirstOperators, signInLines } from "./bootstrap";
import { createOperator, listOperators, OperatorError, setOperatorDisabled, setOperatorRoles } from "./operators";

withTestDatabase();

describe("operators", () => {
  it("an empty console gets one admin, plus a lead and an analyst in demo mode, once", async () => {
    const created = await ensureFirstOperators({ demo: true });
    expect(created.map((c) => c.roles[0])).toEqual(["admin", "lead", "analyst"]);
    expect(created.every((c) => (c.generatedPassword ?? "").length >= 10)).toBe(true);
    expect(await ensureFirstOperators({ demo: true })).toEqual([]);
    const stored = await prisma().operator.findFirst({ where: { email: "admin@unify.local" } });
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("refuses a duplicate email whatever its case", async () => {
    await createOperator({ email: "dup@example.com", name: "A", roles: ["analyst"], password: "long enough 1" }, SYSTEM_ACTOR);
    await expect(
      createOperator({ email: " DUP@example.com", name: "B", roles: ["analyst"], password: "long enough 1" }, SYSTEM_ACTOR),
    ).rejects.toThrow(OperatorError);
  });

  it("rejects bad input with messages a person can act on", async () => {
    const attempt = createOperator({ email: "not-an-email", name: "", roles: [], password: "short" }, SYSTEM_ACTOR);
    await expect(attempt).rejects.toBeInstanceOf(ZodError);
    const error = (await attempt.catch((e) => e)) as ZodError;
    const messages = error.issues.map((i) => i.message);
    expect(messages).toEqual(expect.arrayContaining(["Enter a valid email address", "Enter a name", "Choose at least one role"]));
  });

  it("never disables or demotes the last active admin", async () => {
    const admins = (await listOperators()).filter((o) => o.roles.includes("admin") && !o.disabledAt);
    expect(admins).toHaveLength(1);
    await expect(setOperatorDisabled(admins[0]!.email, true, SYSTEM_ACTOR)).rejects.toThrow(/last active admin/);
    await expect(setOperatorRoles(admins[0]!.email, ["lead"], SYSTEM_ACTOR)).rejects.toThrow(/last active admin/);
  });

  it("a password given through the environment is never printed; a generated one is shown once", () => {
    const fromEnv = credentialLine({ email: "admin@unify.local", roles: ["admin"], generatedPassword: null, fromEnv: "UNIFY_ADMIN_PASSWORD" });
    expect(fromEnv).toBe("unify: created admin admin@unify.local with the password from UNIFY_ADMIN_PASSWORD");
    expect(credentialLine({ email: "a@x", roles: ["admin"], generatedPassword: "Xy12345678", fromEnv: null })).toContain("password Xy12345678 (generated, shown once)");
  });

  it("start-up ends with where to sign in: the credentials on first start, how to reset a password later", () => {
    const first = signInLines("http://localhost:3000", [{ email: "admin@unify.local", roles: ["admin"], generatedPassword: null, fromEnv: "UNIFY_ADMIN_PASSWORD" }]);
    expect(first).toEqual([
      "unify: sign in at http://localhost:3000",
      "unify: created admin admin@unify.local with the password from UNIFY_ADMIN_PASSWORD",
    ]);
    const later = signInLines("http://localhost:3000", []);
    expect(later[0]).toBe("unify: sign in at http://localhost:3000 as one of the console's operators");
    expect(later[1]).toContain("npm run unify -- users reset-password <email> --as <admin email>");
  });

  it("two admins demoting each other at the same moment leave one admin", async () => {
    await createOperator({ email: "second-admin@example.com", name: "Second", roles: ["admin"], password: "second admin 1" }, SYSTEM_ACTOR);
    const admins = (await listOperators()).filter((o) => o.roles.includes("admin") && !o.disabledAt).map((o) => o.email);
    expect(admins).toHaveLength(2);
    const results = await Promise.allSettled([
      setOperatorRoles(admins[0]!, ["lead"], { id: null, email: admins[1]!, roles: ["admin"] }),
      setOperatorRoles(admins[1]!, ["lead"], { id: null, email: admins[0]!, roles: ["admin"] }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((await listOperators()).filter((o) => o.roles.includes("admin") && !o.disabledAt)).toHaveLength(1);
  });

  it("an admin cannot disable their own account, however the email is written", async () => {
    const me = (await listOperators()).find((o) => o.roles.includes("admin") && !o.disabledAt)!;
    await createOperator({ email: "third-admin@example.com", name: "Third", roles: ["admin"], password: "third admin 12" }, SYSTEM_ACTOR);
    await expect(setOperatorDisabled(me.email.toUpperCase(), true, { id: null, email: ` ${me.email.toUpperCase()}`, roles: ["admin"] })).rejects.toThrow(
      "You cannot disable your own account",
    );
  });

  it("records every operator change in the activity log, which refuses edits", async () => {
    await setOperatorRoles("dup@example.com", ["lead", "analyst"], SYSTEM_ACTOR);
    const actions = (await prisma().activityEntry.findMany({ where: { target: "dup@example.com" } })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["operator.create", "operator.roles"]));
    await expect(pool().query(`DELETE FROM console.activity_log`)).rejects.toThrow(/append-only/);
    await expect(pool().query(`UPDATE console.activity_log SET outcome = 'ok'`)).rejects.toThrow(/append-only/);
  });
});
