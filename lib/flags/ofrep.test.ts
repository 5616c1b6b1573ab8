import { OFREPProvider } from "@openfeature/ofrep-provider";
import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";
import { OpenFeature as ServerFeature, ErrorCode as ServerErrorCode } from "@openfeature/server-sdk";
import { OpenFeature as WebFeature, ProviderEvents } from "@openfeature/web-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";
import { createApiKey, listApiKeys, revokeApiKey } from "./api-keys";
import { FLAG_KEYS } from "./keys";
import { etagOf, ifNoneMatchHits } from "./ofrep";
import { setFlag } from "./store";
import { startOfrepServer, type Exchange } from "./testing/ofrep-server";
import { ofrepValidators } from "./testing/spec";

withTestDatabase();

const ADMIN = { id: null, email: "admin@test", roles: ["admin" as const] };
const validate = ofrepValidators();
let server: Awaited<ReturnType<typeof startOfrepServer>>;
let key = "";

beforeAll(async () => {
  await pool().query(`${LEGACY_TABLES_DDL}
    INSERT INTO users (id, email, full_name, role, is_active) VALUES (1, 'a@x.com', 'A', 'Agent', true);
    INSERT INTO people (id, email, name, status) VALUES (1, ' A@x.com', 'A', 'active');`);
  expect((await approveAndRun(1)).status).toBe("succeeded");
  server = await startOfrepServer();
  key = (await createApiKey({ name: "billing app", actor: ADMIN })).key;
});
afterAll(async () => {
  await ServerFeature.close();
  await WebFeature.close();
  await server?.close();
  await stopQueue();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.baseUrl}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const CONTEXT = { context: { targetingKey: "user-1", email: "someone@example.com" } };

/** Every recorded exchange checked against the spec's schema for its path and status. */
function specProblems(exchanges: Exchange[]): string[] {
  return exchanges.flatMap((x) => {
    const bulk = x.path.startsWith("/ofrep/v1/evaluate/flags") && !/flags\/[^?]/.test(x.path);
    const schema: Record<number, string | null> = bulk
      ? { 200: "bulkEvaluationSuccess", 400: "bulkEvaluationFailure", 304: null, 401: null }
      : { 200: "serverEvaluationSuccess", 400: "evaluationFailure", 404: "flagNotFound", 401: null };
    if (!(x.status in schema)) return [`${x.path}: status ${x.status} is not one the spec defines here`];
    const name = schema[x.status];
    if (x.status === 304 && x.body !== null) return [`${x.path}: a 304 has a body`];
    return name ? validate(name, x.body).map((p) => `${x.path} ${x.status} ${name}: ${p}`) : [];
  });
}

describe("OFREP over HTTP", () => {
  it("the spec's own validators accept its examples and refuse a typed value that is not a boolean as boolean", () => {
    expect(validate("serverEvaluationSuccess", { key: "discount-banner", value: true, reason: "TARGETING_MATCH", variant: "enabled" })).toEqual([]);
    expect(validate("flagNotFound", { key: "x", errorCode: "FLAG_NOT_FOUND" })).toEqual([]);
    expect(validate("serverEvaluationSuccess", { key: "k", reason: "STATIC" })).toEqual([]);
    expect(validate("serverEvaluationSuccess", { key: "k", value: true, reason: "WHATEVER" })).not.toEqual([]);
    expect(validate("flagNotFound", { key: "x", errorCode: "GENERAL" })).not.toEqual([]);
  });

  it("single evaluation with Bearer or X-API-Key; unknown flag 404 FLAG_NOT_FOUND; missing, wrong or malformed auth 401", async () => {
    const bearer = await post(`/ofrep/v1/evaluate/flags/${FLAG_KEYS.employees}`, CONTEXT, { Authorization: `Bearer ${key}` });
    expect(bearer.status).toBe(200);
    expect(await bearer.json()).toEqual({ key: FLAG_KEYS.employees, value: false, reason: "STATIC", variant: "off", metadata: { source: "database", phase: 1 } });
    expect((await post(`/ofrep/v1/evaluate/flags/${FLAG_KEYS.audits}`, CONTEXT, { "X-API-Key": key })).status).toBe(200);
    const unknown = await post(`/ofrep/v1/evaluate/flags/NO_SUCH_FLAG`, CONTEXT, { "X-API-Key": key });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ key: "NO_SUCH_FLAG", errorCode: "FLAG_NOT_FOUND" });
    const refused: Record<string, string>[] = [{}, { Authorization: "Bearer unify_wrong" }, { Authorization: key }, { "X-API-Key": `${key}x` }];
    for (const headers of refused) {
      expect((await post(`/ofrep/v1/evaluate/flags/${FLAG_KEYS.employees}`, CONTEXT, headers)).status).toBe(401);
    }
    // Authentication comes before anything about flags: an unknown flag without a key is 401, not 404.
    expect((await post(`/ofrep/v1/evaluate/flags/NO_SUCH_FLAG`, CONTEXT)).status).toBe(401);
    const broken = await post(`/ofrep/v1/evaluate/flags/${FLAG_KEYS.employees}`, "{not json", { "X-API-Key": key });
    expect([broken.status, await broken.json()]).toEqual([400, { key: FLAG_KEYS.employees, errorCode: "PARSE_ERROR", errorDetails: "The request body is not JSON" }]);
    const badContext = await post(`/ofrep/v1/evaluate/flags`, { context: "nope" }, { "X-API-Key": key });
    expect([badContext.status, await badContext.json()]).toMatchObject([400, { errorCode: "INVALID_CONTEXT" }]);
    expect(specProblems(server.exchanges)).toEqual([]);
  });

  it("bulk evaluation: every flag sorted by key, a strong ETag, If-None-Match → 304 without a body, a change → a new ETag", async () => {
    const first = await post("/ofrep/v1/evaluate/flags", CONTEXT, { "X-API-Key": key });
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    const body = await first.text();
    expect(etag).toBe(etagOf(body));
    expect(JSON.parse(body).flags.map((f: { key: string; value: boolean }) => [f.key, f.value])).toEqual([
      [FLAG_KEYS.audits, false],
      [FLAG_KEYS.employees, false],
    ]);
    const again = await post("/ofrep/v1/evaluate/flags", CONTEXT, { "X-API-Key": key, "If-None-Match": etag });
    expect([again.status, await again.text(), again.headers.get("etag")]).toEqual([304, "", etag]);
    expect((await post("/ofrep/v1/evaluate/flags", CONTEXT, { "X-API-Key": key, "If-None-Match": `W/${etag}` })).status).toBe(304);
    expect((await post("/ofrep/v1/evaluate/flags", CONTEXT, { "X-API-Key": key, "If-None-Match": '"other"' })).status).toBe(200);
    // A 304 still needs a key.
    expect((await post("/ofrep/v1/evaluate/flags", CONTEXT, { "If-None-Match": etag })).status).toBe(401);
    await setFlag({ key: FLAG_KEYS.employees, enabled: true, comment: "bulk test", actor: ADMIN });
    const changed = await post("/ofrep/v1/evaluate/flags", CONTEXT, { "X-API-Key": key, "If-None-Match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    await setFlag({ key: FLAG_KEYS.employees, enabled: false, comment: "bulk test done", actor: ADMIN });
    expect(specProblems(server.exchanges)).toEqual([]);
  });

  it("If-None-Match parsing: lists, *, weak tags and a compression suffix", () => {
    const tag = '"abc"';
    expect(ifNoneMatchHits('"x", "abc"', tag)).toBe(true);
    expect(ifNoneMatchHits("*", tag)).toBe(true);
    expect(ifNoneMatchHits('W/"abc"', tag)).toBe(true);
    expect(ifNoneMatchHits('"abc-gzip"', tag)).toBe(true);
    expect(ifNoneMatchHits('"abcd"', tag)).toBe(false);
    expect(ifNoneMatchHits(null, tag)).toBe(false);
  });

  it("the stock server SDK with the OFREP provider evaluates through Unify, one POST per evaluation, auth in its headers", async () => {
    server.exchanges.length = 0;
    await ServerFeature.setProviderAndWait(new OFREPProvider({ baseUrl: server.baseUrl, headers: [["Authorization", `Bearer ${key}`]] }));
    const client = ServerFeature.getClient();
    const off = await client.getBooleanDetails(FLAG_KEYS.employees, true, { targetingKey: "user-1" });
    expect(off).toMatchObject({ value: false, reason: "STATIC", variant: "off", flagMetadata: { source: "database", phase: 1 } });
    await setFlag({ key: FLAG_KEYS.employees, enabled: true, comment: "server sdk", actor: ADMIN });
    expect(await client.getBooleanValue(FLAG_KEYS.employees, false, { targetingKey: "user-1" })).toBe(true);
    const missing = await client.getBooleanDetails("NO_SUCH_FLAG", true, { targetingKey: "user-1" });
    expect(missing).toMatchObject({ value: true, errorCode: ServerErrorCode.FLAG_NOT_FOUND });
    expect(server.exchanges.map((x) => [x.method, x.path, x.status])).toEqual([
      ["POST", `/ofrep/v1/evaluate/flags/${FLAG_KEYS.employees}`, 200],
      ["POST", `/ofrep/v1/evaluate/flags/${FLAG_KEYS.employees}`, 200],
      ["POST", "/ofrep/v1/evaluate/flags/NO_SUCH_FLAG", 404],
    ]);
    expect(server.exchanges[0]!.requestHeaders.authorization).toBe(`Bearer ${key}`);
    expect(specProblems(server.exchanges)).toEqual([]);
    await setFlag({ key: FLAG_KEYS.employees, enabled: false, comment: "server sdk done", actor: ADMIN });
  });

  it("the stock web SDK with the OFREP web provider loads the bulk evaluation, revalidates with its ETag (304) and picks up a change", async () => {
    server.exchanges.length = 0;
    const provider = new OFREPWebProvider({ baseUrl: server.baseUrl, headers: [["X-API-Key", key]], pollInterval: 100, cacheMode: "disabled" });
    await WebFeature.setContext({ targetingKey: "user-1" });
    await WebFeature.setProviderAndWait(provider);
    const client = WebFeature.getClient();
    expect(client.getBooleanDetails(FLAG_KEYS.employees, true)).toMatchObject({ value: false, reason: "STATIC", variant: "off" });
    await until(() => server.exchanges.some((x) => x.status === 304));
    const revalidation = server.exchanges.find((x) => x.status === 304)!;
    expect(revalidation.requestHeaders["if-none-match"]).toBe(server.exchanges[0]!.headers.etag);
    const changed = new Promise<void>((resolve) => client.addHandler(ProviderEvents.ConfigurationChanged, () => resolve()));
    await setFlag({ key: FLAG_KEYS.employees, enabled: true, comment: "web sdk", actor: ADMIN });
    await changed;
    expect(client.getBooleanValue(FLAG_KEYS.employees, false)).toBe(true);
    expect(client.getBooleanDetails("NO_SUCH_FLAG", true)).toMatchObject({ value: true, errorCode: "FLAG_NOT_FOUND" });
    await WebFeature.close();
    expect(server.exchanges.every((x) => x.path === "/ofrep/v1/evaluate/flags" && x.method === "POST")).toBe(true);
    expect(specProblems(server.exchanges)).toEqual([]);
    await setFlag({ key: FLAG_KEYS.employees, enabled: false, comment: "web sdk done", actor: ADMIN });
  });

  it("API keys: named, shown once, stored hashed, last use shown, revoked → 401", async () => {
    const issued = await createApiKey({ name: "reporting", actor: ADMIN });
    expect(issued.key).toMatch(/^unify_[A-Za-z0-9_-]{43}$/);
    const stored = await prisma().apiKey.findUniqueOrThrow({ where: { id: issued.apiKey.id } });
    expect(JSON.stringify(stored)).not.toContain(issued.key);
    expect(stored.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(issued.key.startsWith(stored.prefix)).toBe(true);
    await expect(createApiKey({ name: " reporting ", actor: ADMIN })).rejects.toThrow('A live key is already named "reporting"');
    await expect(createApiKey({ name: "x", actor: { id: null, email: "lead@test", roles: ["lead"] } })).rejects.toMatchObject({ name: "ForbiddenError" });
    expect((await listApiKeys()).find((k) => k.name === "reporting")?.lastUsedAt).toBeNull();
    expect((await post("/ofrep/v1/evaluate/flags", CONTEXT, { Authorization: `Bearer ${issued.key}` })).status).toBe(200);
    expect((await listApiKeys()).find((k) => k.name === "reporting")?.lastUsedAt).toBeInstanceOf(Date);
    await revokeApiKey({ name: "reporting", actor: ADMIN });
    expect((await post("/ofrep/v1/evaluate/flags", CONTEXT, { Authorization: `Bearer ${issued.key}` })).status).toBe(401);
    expect((await post(`/ofrep/v1/evaluate/flags/${FLAG_KEYS.audits}`, CONTEXT, { "X-API-Key": issued.key })).status).toBe(401);
    await expect(revokeApiKey({ name: "reporting", actor: ADMIN })).rejects.toThrow('No live key is named "reporting"');
    // The name is free again; the other key still works.
    await createApiKey({ name: "reporting", actor: ADMIN });
    expect((await post("/ofrep/v1/evaluate/flags", CONTEXT, { "X-API-Key": key })).status).toBe(200);
    const actions = await prisma().activityEntry.findMany({ where: { action: { startsWith: "apikey." }, outcome: "ok" }, orderBy: { id: "asc" } });
    expect(actions.map((a) => [a.action, a.target])).toEqual([
      ["apikey.create", "billing app"],
      ["apikey.create", "reporting"],
      ["apikey.revoke", "reporting"],
      ["apikey.create", "reporting"],
    ]);
    expect(JSON.stringify(actions.map((a) => [a.target, a.detail]))).not.toContain(issued.key);
  });

  it("an environment override is what OFREP serves", async () => {
    process.env[FLAG_KEYS.audits] = "true";
    try {
      const response = await post(`/ofrep/v1/evaluate/flags/${FLAG_KEYS.audits}`, CONTEXT, { "X-API-Key": key });
      expect(await response.json()).toMatchObject({ value: true, variant: "on", metadata: { source: "environment", phase: 2 } });
    } finally {
      delete process.env[FLAG_KEYS.audits];
    }
  });

  it("the CORS preflight lets a browser app on another origin send its key and read the ETag", async () => {
    const response = await fetch(`${server.baseUrl}/ofrep/v1/evaluate/flags`, { method: "OPTIONS" });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-headers")).toContain("X-API-Key");
    expect(response.headers.get("access-control-expose-headers")).toBe("ETag");
  });
});

async function until(condition: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}
