import { beforeEach, describe, expect, it, vi } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { createOperator } from "@/lib/operators/operators";
import { guardAction } from "./current";
import { createSession, SESSION_COOKIE } from "./session";

// The guard reads the request through next/headers; here the request is a cookie jar we control.
const jar = new Map<string, string>();
vi.mock("server-only", () => ({}));
vi.mock("next/headers", () => ({
  cookies: async () => ({ get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined) }),
  headers: async () => new Headers({ "x-forwarded-for": "203.0.113.9" }),
}));

withTestDatabase();

describe("server action guard", () => {
  beforeEach(() => jar.clear());

  it("without a session returns 401 and logs a denied entry", async () => {
    const result = await guardAction("operator.create", "x@example.com");
    expect(result).toMatchObject({ ok: false, status: 401 });
    const entry = await prisma().activityEntry.findFirst({ where: { action: "operator.create", outcome: "denied" } });
    expect(entry).toMatchObject({ target: "x@example.com", actorEmail: null, ip: "203.0.113.9" });
  });

  it("with the wrong role returns 403 and logs who was refused", async () => {
    const analyst = await createOperator({ email: "an@example.com", name: "An", roles: ["analyst"], password: "analyst pass 1" }, SYSTEM_ACTOR);
    jar.set(SESSION_COOKIE, (await createSession(analyst.id)).token);
    const result = await guardAction("operator.disable", "someone@example.com");
    expect(result).toMatchObject({ ok: false, status: 403 });
    const entry = await prisma().activityEntry.findFirst({ where: { action: "operator.disable", outcome: "denied" } });
    expect(entry).toMatchObject({ actorEmail: "an@example.com", target: "someone@example.com" });
  });

  it("with the right role returns the operator and logs nothing", async () => {
    const admin = await createOperator({ email: "ad@example.com", name: "Ad", roles: ["admin", "lead"], password: "admin pass 12" }, SYSTEM_ACTOR);
    jar.set(SESSION_COOKIE, (await createSession(admin.id)).token);
    const before = await prisma().activityEntry.count({ where: { outcome: "denied" } });
    const result = await guardAction("phase.approve");
    expect(result).toMatchObject({ ok: true, operator: { email: "ad@example.com" } });
    expect(await prisma().activityEntry.count({ where: { outcome: "denied" } })).toBe(before);
  });
});
