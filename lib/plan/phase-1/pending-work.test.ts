import { afterAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { executeRun } from "@/lib/engine/runner";
import { requestRun } from "@/lib/engine/runs";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { LEGACY_TABLES_DDL } from "@/lib/legacy/testing/fixtures";
import { pendingWork } from "../pending-work";
import { overrideConflict } from "./conflicts";

withTestDatabase();
afterAll(() => stopQueue());

const LEAD = { id: null, email: "lead@test", roles: ["lead" as const] };

/** Two humans whose users and people rows disagree on their names. */
const LEGACY = `
${LEGACY_TABLES_DDL}
INSERT INTO users (id, email, password_hash, full_name, role, is_active, created_at) VALUES
  (1, 'ana@example.com', 'h1', 'Ana S.',    'Agent', true, '2024-01-01'),
  (2, 'bob@example.com', 'h2', 'Bob Stone', 'Agent', true, '2024-01-01');
INSERT INTO people (id, email, name, department, team, country, manager_email, hire_date, status, created_at) VALUES
  (1, 'ana@example.com', 'Ana Silva',    'Support', 'Tier 1', 'Portugal', NULL, '2020-01-01', 'active', '2023-01-01'),
  (2, 'bob@example.com', 'Robert Stone', 'Support', 'Tier 1', 'Portugal', NULL, '2019-01-01', 'active', '2023-01-01');
INSERT INTO scorecards (id, name, table_name, channel, passing_score) VALUES (1, 'Email', 'email_audit', 'Email', 80);
INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position) VALUES (1, 'greeting', 'greeting', 'Greeting', 5, 1, 1);
`;

describe("the pending work a phase leaves for people", () => {
  it("phases other than 1 leave none; Phase 1 has nothing pending before it ran", async () => {
    await pool().query(LEGACY);
    expect(await pendingWork(2)).toBeNull();
    expect(await pendingWork(1)).toEqual({ conflicts: 0, pendingOverrides: 0, step: { id: "merge-identities", title: expect.any(String) } });
  });

  it("after Phase 1: its conflicts to review; an override waits for the merge step, which then applies it", async () => {
    expect((await approveAndRun(1)).status).toBe("succeeded");
    const after = await pendingWork(1);
    expect(after?.conflicts).toBeGreaterThanOrEqual(2);
    expect(after?.pendingOverrides).toBe(0);
    await overrideConflict({ emailNormalized: "ana@example.com", field: "full_name", value: "Ana Sofia Silva", comment: "her full name", actor: LEAD });
    expect((await pendingWork(1))?.pendingOverrides).toBe(1);
    const merge = await requestRun(1, SYSTEM_ACTOR, { onlyStep: "merge-identities" });
    await executeRun(merge.id);
    expect((await pendingWork(1))?.pendingOverrides).toBe(0);
  });
});
