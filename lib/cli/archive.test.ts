import { beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";
import { createOperator } from "@/lib/operators/operators";
import { cliAgainst } from "./testing";

const db = withTestDatabase();
const unify = cliAgainst(db);

const AS_ADMIN = { UNIFY_PASSWORD: "admin password 1" };
const AS_LEAD = { UNIFY_PASSWORD: "lead password 1" };

beforeAll(async () => {
  await pool().query(LEGACY_TABLES_DDL);
  await createOperator({ email: "admin@x.com", name: "Admin", roles: ["admin"], password: "admin password 1" }, SYSTEM_ACTOR);
  await createOperator({ email: "lead@x.com", name: "Lead", roles: ["lead"], password: "lead password 1" }, SYSTEM_ACTOR);
});

describe("unify archive and unify flags retire", () => {
  it("archive options: a lead sets the retention date and unneeded views; bad input and other roles are refused, nothing written", async () => {
    const admin = await unify(["archive", "options", "--retention", "2999-01-01", "--as", "admin@x.com"], AS_ADMIN);
    expect([admin.code, admin.stderr.trim()]).toEqual([1, "unify: Only a team lead can do this (archive.options)"]);
    const past = await unify(["archive", "options", "--retention", "2001-01-01", "--as", "lead@x.com"], AS_LEAD);
    expect([past.code, past.stderr.trim()]).toEqual([1, "unify: The retention date 2001-01-01 is in the past: choose today or later"]);
    const ghost = await unify(["archive", "options", "--retention", "2999-01-01", "--drop-view", "ghost_compat", "--as", "lead@x.com"], AS_LEAD);
    expect(ghost.stderr).toContain('There is no compatibility view "ghost_compat"');
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM console.archive_settings`);
    expect(rows[0].n).toBe(0);
    const ok = await unify(["archive", "options", "--retention", "2999-01-01", "--drop-view", "users_compat", "--as", "lead@x.com"], AS_LEAD);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("retention date 2999-01-01; unneeded views: users_compat");
    const show = await unify(["archive", "show"]);
    expect(show.stdout).toContain("retention date: 2999-01-01 (by lead@x.com)");
    expect(show.stdout).toContain("compatibility views marked unneeded: users_compat");
    expect(show.stdout).toContain("no archive yet: Phase 5 has not run");
  });

  it("archive drop is refused with nothing archived; flags retire is refused before Phase 5", async () => {
    const drop = await unify(["archive", "drop", "--confirm", "legacy_archive", "--as", "admin@x.com"], AS_ADMIN);
    expect([drop.code, drop.stderr.trim()]).toEqual([1, "unify: There is no archive in place to drop (Phase 5 has not archived the legacy tables, or they were restored or dropped)"]);
    const retire = await unify(["flags", "retire", "USE_UNIFIED_AUDITS_TABLE", "--comment", "early", "--as", "admin@x.com"], AS_ADMIN);
    expect([retire.code, retire.stderr.trim()]).toEqual([1, "unify: USE_UNIFIED_AUDITS_TABLE can be retired only after Phase 5 (Cleanup) succeeded; it is not started"]);
  });
});
