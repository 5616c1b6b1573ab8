import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { PERMISSIONS, type Permission } from "@/lib/auth/permissions";
import { ROLES, type Role } from "@/lib/auth/roles";
import { createSession, SESSION_COOKIE } from "@/lib/auth/session";
import { prisma } from "@/lib/db/prisma";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { createOperator } from "@/lib/operators/operators";
import * as analyticsActions from "./analytics";
import * as archiveActions from "./archive";
import * as authActions from "./auth";
import * as flagActions from "./flags";
import * as inventoryActions from "./inventory";
import * as operatorActions from "./operators";
import * as phaseActions from "./phases";
import * as validationActions from "./validation";

// Server actions read the request through next/headers; here it is a cookie jar we control.
const jar = new Map<string, string>();
let requests = 0;
vi.mock("server-only", () => ({}));
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined),
    set: () => undefined,
    delete: () => undefined,
  }),
  // Each request from its own address, so the cap on logged anonymous refusals per client
  // (lib/activity/refusals.ts) never hides an entry however long this table grows.
  headers: async () => new Headers({ "user-agent": "access-test", "x-unify-client-address": `198.18.${Math.floor(++requests / 250) % 250}.${requests % 250}` }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

withTestDatabase();

function form(fields: Record<string, string | string[]>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) data.append(key, v);
  return data;
}

const CHECKSUM = "a".repeat(64);

/**
 * Every server action, with arguments that would be valid, and the permission it needs. A refused
 * caller must get 401 (no session) or 403 (a role the permission does not allow) and exactly one
 * `denied` entry in the activity log — before any input is even looked at.
 */
const ACTIONS: { name: string; permission: Permission; call: () => Promise<{ ok: boolean; status?: number }> }[] = [
  { name: "decidePlanAction", permission: "phase.approve", call: () => phaseActions.decidePlanAction(null, form({ phase: "1", checksum: CHECKSUM, decision: "approved", comment: "" })) },
  { name: "withdrawDecisionAction", permission: "phase.withdraw", call: () => phaseActions.withdrawDecisionAction(1) },
  { name: "runPhaseAction", permission: "phase.run", call: () => phaseActions.runPhaseAction(1) },
  { name: "approveAddendumAction", permission: "phase.approve", call: () => phaseActions.approveAddendumAction(null, form({ checksum: CHECKSUM, comment: "" })) },
  { name: "runAddendumAction", permission: "phase.run", call: () => phaseActions.runAddendumAction() },
  { name: "runStepAction", permission: "phase.run", call: () => phaseActions.runStepAction(1, "merge-identities") },
  { name: "rollbackPhaseAction", permission: "phase.rollback", call: () => phaseActions.rollbackPhaseAction(1) },
  { name: "pauseRunAction", permission: "phase.pause", call: () => phaseActions.pauseRunAction(1) },
  { name: "resumeRunAction", permission: "phase.resume", call: () => phaseActions.resumeRunAction(1) },
  { name: "cancelRunAction", permission: "phase.cancel", call: () => phaseActions.cancelRunAction(1) },
  { name: "dryRunAction", permission: "phase.dry_run", call: () => phaseActions.dryRunAction(1) },
  { name: "rehearseAction", permission: "phase.dry_run", call: () => phaseActions.rehearseAction(1) },
  {
    name: "overrideConflictAction",
    permission: "conflict.override",
    call: () => phaseActions.overrideConflictAction(null, form({ emailNormalized: "a@x.com", field: "full_name", choice: "other", other: "A", comment: "why" })),
  },
  { name: "withdrawOverrideAction", permission: "conflict.withdraw", call: () => phaseActions.withdrawOverrideAction("a@x.com", "full_name") },
  {
    name: "decideRuleAction",
    permission: "conflict.decide_rule",
    call: () => phaseActions.decideRuleAction(null, form({ field: "full_name", prefer: "users", comment: "why" })),
  },
  { name: "withdrawRuleDecisionAction", permission: "conflict.withdraw_rule", call: () => phaseActions.withdrawRuleDecisionAction("full_name") },
  { name: "runValidationAction", permission: "validation.run", call: () => validationActions.runValidationAction(null, form({ phase: "1", kind: "preflight" })) },
  { name: "runPreflightAction", permission: "validation.run", call: () => validationActions.runPreflightAction(1) },
  { name: "refreshAnalyticsAction", permission: "analytics.refresh", call: () => analyticsActions.refreshAnalyticsAction() },
  { name: "setRefreshIntervalAction", permission: "analytics.configure", call: () => analyticsActions.setRefreshIntervalAction(null, form({ minutes: "30" })) },
  { name: "resumeScheduleAction", permission: "analytics.configure", call: () => analyticsActions.resumeScheduleAction() },
  { name: "recomputeInventoryAction", permission: "inventory.recompute", call: () => inventoryActions.recomputeInventoryAction() },
  {
    name: "createOperatorAction",
    permission: "operator.create",
    call: () => operatorActions.createOperatorAction(null, form({ email: "new@x.com", name: "New", roles: ["analyst"], password: "a long password" })),
  },
  { name: "setOperatorDisabledAction", permission: "operator.disable", call: () => operatorActions.setOperatorDisabledAction("target@x.com", true) },
  { name: "setOperatorRolesAction", permission: "operator.roles", call: () => operatorActions.setOperatorRolesAction("target@x.com", ["lead"]) },
  {
    name: "setFlagAction",
    permission: "flag.toggle",
    call: () => flagActions.setFlagAction(null, form({ key: "USE_UNIFIED_EMPLOYEES_TABLE", enabled: "off", comment: "why" })),
  },
  { name: "rollbackToLegacyAction", permission: "flag.rollback_legacy", call: () => flagActions.rollbackToLegacyAction(null, form({ confirmation: "legacy" })) },
  { name: "retireFlagAction", permission: "flag.retire", call: () => flagActions.retireFlagAction(null, form({ key: "USE_UNIFIED_AUDITS_TABLE", comment: "why" })) },
  {
    name: "setArchiveOptionsAction",
    permission: "archive.options",
    call: () => archiveActions.setArchiveOptionsAction(null, form({ retentionUntil: "2999-01-01", view: "users_compat" })),
  },
  { name: "dropArchiveAction", permission: "archive.drop", call: () => archiveActions.dropArchiveAction(null, form({ confirmation: "legacy_archive" })) },
  { name: "createApiKeyAction", permission: "apikey.create", call: () => flagActions.createApiKeyAction(null, form({ name: "an app" })) },
  { name: "revokeApiKeyAction", permission: "apikey.revoke", call: () => flagActions.revokeApiKeyAction("an app") },
];

/** Open to anyone by design: signing in and out. */
const PUBLIC_ACTIONS = ["signIn", "signOut"];

const sessions = new Map<Role, string>();

beforeAll(async () => {
  for (const role of ROLES) {
    const operator = await createOperator({ email: `${role}-only@x.com`, name: role, roles: [role], password: `${role} password 1` }, SYSTEM_ACTOR);
    sessions.set(role, (await createSession(operator.id)).token);
  }
  await createOperator({ email: "target@x.com", name: "Target", roles: ["analyst"], password: "target password" }, SYSTEM_ACTOR);
  return () => stopQueue();
});
beforeEach(() => jar.clear());

async function deniedCount(action: string): Promise<number> {
  return prisma().activityEntry.count({ where: { action, outcome: "denied" } });
}

describe("every server action refuses callers who may not use it", () => {
  it("the table covers every exported action", () => {
    const exported = [analyticsActions, archiveActions, authActions, flagActions, inventoryActions, operatorActions, phaseActions, validationActions]
      .flatMap((m) => Object.entries(m).filter(([, v]) => typeof v === "function").map(([k]) => k));
    const covered = new Set([...ACTIONS.map((a) => a.name), ...PUBLIC_ACTIONS]);
    expect(exported.filter((name) => !covered.has(name))).toEqual([]);
  });

  for (const action of ACTIONS) {
    const refused = ROLES.filter((r) => !(PERMISSIONS[action.permission].roles as readonly Role[]).includes(r));
    it(`${action.name}: anonymous gets 401 and one denied entry`, async () => {
      const before = await deniedCount(action.permission);
      const result = await action.call();
      expect(result).toMatchObject({ ok: false, status: 401 });
      expect(await deniedCount(action.permission)).toBe(before + 1);
    });
    for (const role of refused) {
      it(`${action.name}: ${role} gets 403 and one denied entry`, async () => {
        jar.set(SESSION_COOKIE, sessions.get(role)!);
        const before = await deniedCount(action.permission);
        const result = await action.call();
        expect(result).toMatchObject({ ok: false, status: 403 });
        expect(await deniedCount(action.permission)).toBe(before + 1);
      });
    }
  }
});

describe("every API route that needs a session", () => {
  it("GET /api/runs/[id]: anonymous gets 401 and one denied entry; OFREP without an API key 401; the health check is public", async () => {
    const runs = await import("@/app/api/runs/[id]/route");
    const before = await deniedCount("run.read");
    const response = await runs.GET(new Request("http://localhost/api/runs/1"), { params: Promise.resolve({ id: "1" }) });
    expect(response.status).toBe(401);
    expect(await deniedCount("run.read")).toBe(before + 1);
    const exported = await import("@/app/api/conflicts/export/route");
    const exportsBefore = await deniedCount("conflict.export");
    expect((await exported.GET(new Request("http://localhost/api/conflicts/export"))).status).toBe(401);
    expect(await deniedCount("conflict.export")).toBe(exportsBefore + 1);
    const bulk = await import("@/app/api/ofrep/v1/evaluate/flags/route");
    const single = await import("@/app/api/ofrep/v1/evaluate/flags/[key]/route");
    const ofrep = (path: string) => new Request(`http://localhost${path}`, { method: "POST", body: JSON.stringify({ context: {} }) });
    expect((await bulk.POST(ofrep("/ofrep/v1/evaluate/flags"))).status).toBe(401);
    expect((await single.POST(ofrep("/ofrep/v1/evaluate/flags/USE_UNIFIED_AUDITS_TABLE"), { params: Promise.resolve({ key: "USE_UNIFIED_AUDITS_TABLE" }) })).status).toBe(401);
    const analytics = await import("@/app/api/analytics/export/route");
    const analyticsBefore = await deniedCount("analytics.export");
    expect((await analytics.GET(new Request("http://localhost/api/analytics/export?view=overview"))).status).toBe(401);
    expect(await deniedCount("analytics.export")).toBe(analyticsBefore + 1);
    const health = await import("@/app/api/health/route");
    expect((await health.GET()).status).toBe(200);
  });
});

describe("the lib functions refuse the wrong role themselves, as the CLI calls them", () => {
  it("an analyst cannot run, roll back, approve, override, decide a rule, validate, refresh the analytics, manage operators, set Phase 5's options, drop its archive or retire a flag", async () => {
    const analyst = { id: null, email: "analyst-only@x.com", roles: ["analyst" as const] };
    const { requestRun, requestRollback, pauseRun } = await import("@/lib/engine/runs");
    const { decidePlan } = await import("@/lib/engine/approvals");
    const { approveAddendum, requestAddendum } = await import("@/lib/engine/addendum");
    const { overrideConflict } = await import("@/lib/plan/phase-1/conflicts");
    const { decideRule, withdrawRuleDecision } = await import("@/lib/plan/phase-1/conflict-rules");
    const { requestValidation } = await import("@/lib/validation/runs");
    const { setOperatorDisabled } = await import("@/lib/operators/operators");
    const { requestRefresh, setRefreshInterval } = await import("@/lib/analytics/jobs");
    const { refreshAnalytics } = await import("@/lib/analytics/refresh");
    const { setArchiveOptions, dropArchive } = await import("@/lib/plan/phase-5/archive");
    const { retireFlag } = await import("@/lib/flags/store");
    const attempts: [string, () => Promise<unknown>][] = [
      ["phase.run", () => requestRun(1, analyst)],
      ["phase.rollback", () => requestRollback(1, analyst)],
      ["phase.pause", () => pauseRun(1, analyst)],
      ["phase.approve", () => decidePlan({ phase: 1, checksum: CHECKSUM, decision: "approved", comment: "", actor: analyst })],
      ["phase.approve", () => approveAddendum({ checksum: CHECKSUM, comment: "", actor: analyst })],
      ["phase.run", () => requestAddendum(analyst)],
      ["conflict.override", () => overrideConflict({ emailNormalized: "a@x.com", field: "full_name", value: "A", comment: "c", actor: analyst })],
      ["conflict.decide_rule", () => decideRule({ field: "full_name", prefer: "users", comment: "c", actor: analyst })],
      ["conflict.withdraw_rule", () => withdrawRuleDecision({ field: "full_name", actor: analyst })],
      ["validation.run", () => requestValidation({ phase: 1, kind: "preflight", actor: analyst, enqueue: false })],
      ["operator.disable", () => setOperatorDisabled("target@x.com", true, analyst)],
      ["analytics.refresh", () => requestRefresh(analyst)],
      ["analytics.refresh", () => refreshAnalytics({ actor: analyst, reason: "cli" })],
      ["analytics.configure", () => setRefreshInterval(analyst, 30)],
      ["archive.options", () => setArchiveOptions({ actor: analyst, retentionUntil: "2999-01-01" })],
      ["archive.drop", () => dropArchive({ actor: analyst, confirmation: "legacy_archive" })],
      ["flag.retire", () => retireFlag({ key: "USE_UNIFIED_AUDITS_TABLE", comment: "c", actor: analyst })],
    ];
    for (const [permission, attempt] of attempts) {
      const before = await deniedCount(permission);
      await expect(attempt()).rejects.toMatchObject({ name: "ForbiddenError", status: 403 });
      expect(await deniedCount(permission)).toBe(before + 1);
    }
  });
});

describe("input PostgreSQL cannot hold is refused at the boundary, never a 500", () => {
  it("a NUL byte in a sign-in or an action argument gets a clear 400-class answer", async () => {
    const signedIn = await authActions.signIn({}, form({ email: "admin-only@x.com\u0000", password: "admin password 1" }));
    expect(signedIn.error).toBe("Text cannot contain a NUL character");
    jar.set(SESSION_COOKIE, sessions.get("admin")!);
    expect(await phaseActions.runStepAction(1, "merge\u0000")).toMatchObject({ ok: false, status: 400 });
    expect(await flagActions.setFlagAction(null, form({ key: "USE_UNIFIED_EMPLOYEES_TABLE", enabled: "off", comment: "why\u0000" }))).toMatchObject({ ok: false, status: 400 });
    expect(await flagActions.createApiKeyAction(null, form({ name: "app\u0000" }))).toMatchObject({ ok: false, status: 400 });
    jar.set(SESSION_COOKIE, sessions.get("lead")!);
    const override = await phaseActions.overrideConflictAction(
      null,
      form({ emailNormalized: "a@x.com", field: "full_name", choice: "other", other: "A\u0000", comment: "why" }),
    );
    expect(override).toMatchObject({ ok: false, status: 400 });
    const rule = await phaseActions.decideRuleAction(null, form({ field: "full_name", prefer: "users", comment: "why\u0000" }));
    expect(rule).toMatchObject({ ok: false, status: 400 });
  });
});
