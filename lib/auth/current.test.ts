import { beforeEach, describe, expect, it, vi } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { createOperator } from "@/lib/operators/operators";
import { ANONYMOUS_REFUSALS_PER_MINUTE, REFUSALS_THROTTLED } from "@/lib/activity/refusals";
import { guardAction } from "./current";
import { createSession, SESSION_COOKIE } from "./session";

// The guard reads the request through next/headers; here the request is a cookie jar we control.
const jar = new Map<string, string>();
const request = { headers: new Headers({ "x-unify-client-address": "203.0.113.9" }) };
vi.mock("server-only", () => ({}));
vi.mock("next/headers", () => ({
  cookies: async () => ({ get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined) }),
  headers: async () => request.headers,
}));

withTestDatabase();

describe("server action guard", () => {
  beforeEach(() => {
    jar.clear();
    request.headers = new Headers({ "x-unify-client-address": "203.0.113.9" });
  });

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

  it("anonymous refusals are logged at most a few a minute per client, then once as throttled, and still answered 401", async () => {
    request.headers = new Headers({ "x-unify-client-address": "198.51.100.50" });
    const calls = ANONYMOUS_REFUSALS_PER_MINUTE + 15;
    const results = await Promise.all(Array.from({ length: calls }, (_, i) => guardAction("phase.run", `flood ${i}`)));
    expect(results.every((r) => !r.ok && r.status === 401)).toBe(true);
    const logged = await prisma().activityEntry.findMany({ where: { ip: "198.51.100.50" }, select: { action: true, outcome: true } });
    expect(logged.filter((e) => e.action === "phase.run")).toHaveLength(ANONYMOUS_REFUSALS_PER_MINUTE);
    expect(logged.filter((e) => e.action === REFUSALS_THROTTLED)).toEqual([{ action: REFUSALS_THROTTLED, outcome: "denied" }]);

    // Another client's refusals are logged as before.
    request.headers = new Headers({ "x-unify-client-address": "198.51.100.51" });
    await guardAction("phase.run", "other client");
    expect(await prisma().activityEntry.count({ where: { ip: "198.51.100.51", action: "phase.run" } })).toBe(1);
  });

  it("a forged X-Forwarded-For does not change the client an anonymous refusal is logged from", async () => {
    request.headers = new Headers({ "x-unify-client-address": "192.0.2.33", "x-forwarded-for": "10.66.66.66" });
    await guardAction("phase.cancel", "forged");
    const entry = await prisma().activityEntry.findFirst({ where: { action: "phase.cancel", target: "forged" } });
    expect(entry?.ip).toBe("192.0.2.33");
  });
});
