import { beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { withTestDatabase } from "@/lib/db/testing/database";
import { evaluateFlagRequest } from "@/lib/flags/ofrep";
import { createOperator } from "@/lib/operators/operators";
import { cliAgainst } from "./testing";

const db = withTestDatabase();
const unify = cliAgainst(db);

const AS_ADMIN = { UNIFY_PASSWORD: "admin password 1" };

beforeAll(async () => {
  await createOperator({ email: "admin@x.com", name: "Admin", roles: ["admin"], password: "admin password 1" }, SYSTEM_ACTOR);
  await createOperator({ email: "lead@x.com", name: "Lead", roles: ["lead"], password: "lead password 1" }, SYSTEM_ACTOR);
});

describe("unify flags and unify apikeys", () => {
  it("flags list shows each flag, its state and why it cannot be turned on yet; set refuses on before the phase, allows off", async () => {
    const list = await unify(["flags", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/USE_UNIFIED_EMPLOYEES_TABLE\s+off\s+off\s+1\s+no: Phase 1 has not succeeded \(it is not started\)/);
    const on = await unify(["flags", "set", "USE_UNIFIED_EMPLOYEES_TABLE", "on", "--comment", "try", "--as", "admin@x.com"], AS_ADMIN);
    expect([on.code, on.stderr.trim()]).toEqual([1, "unify: USE_UNIFIED_EMPLOYEES_TABLE cannot be turned on: Phase 1 has not succeeded (it is not started)"]);
    const lead = await unify(["flags", "set", "USE_UNIFIED_EMPLOYEES_TABLE", "off", "--comment", "x", "--as", "lead@x.com"], { UNIFY_PASSWORD: "lead password 1" });
    expect(lead.stderr).toContain("Only an admin can do this (flag.toggle)");
    const json = JSON.parse((await unify(["flags", "list", "--json"], { USE_UNIFIED_AUDITS_TABLE: "on" })).stdout);
    expect(json.find((f: { key: string }) => f.key === "USE_UNIFIED_AUDITS_TABLE")).toMatchObject({ stored: false, effective: true, source: "environment" });
    const rollback = await unify(["flags", "rollback", "--confirm", "legacy", "--as", "admin@x.com"], AS_ADMIN);
    expect(rollback.stdout).toMatch(/^rolled back to legacy in [\d.]+ ms: every flag was already off/);
  });

  it("apikeys create prints the key once, list shows it without the key, revoke makes it 401", async () => {
    const created = await unify(["apikeys", "create", "--name", "billing", "--as", "admin@x.com"], AS_ADMIN);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^unify_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('issued "billing"');
    const evaluate = () =>
      evaluateFlagRequest(new Request("http://x/ofrep/v1/evaluate/flags/USE_UNIFIED_AUDITS_TABLE", { method: "POST", headers: { "X-API-Key": key }, body: "{}" }), "USE_UNIFIED_AUDITS_TABLE");
    expect((await evaluate()).status).toBe(200);
    const list = await unify(["apikeys", "list"]);
    expect(list.stdout).toContain("billing");
    expect(list.stdout).not.toContain(key);
    const revoked = await unify(["apikeys", "revoke", "billing", "--as", "admin@x.com"], AS_ADMIN);
    expect(revoked.stdout).toContain('revoked "billing"');
    expect((await evaluate()).status).toBe(401);
  });
});
