import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { compareSchemaToCatalog } from "@/lib/db/schema-agreement";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun, catalogSnapshot, rollBack } from "@/lib/engine/testing/phases";
import { TWO_SCORECARDS_LEGACY } from "@/lib/legacy/testing/fixtures";
import { buildPlan } from "../plan";
import { schemaMapping } from "../schema-map";
import { listOrphans } from "./orphans";
import { compatViewName } from "../phase-2/audit-columns";
import { legacyChecksums } from "../phase-2/testing";
import { PHASE_4_MODELS } from "../phase-4/models";

withTestDatabase();
afterAll(() => stopQueue());

const LEGACY = `
${TWO_SCORECARDS_LEGACY}
INSERT INTO audit_assignments (id, auditor_email, employee_email, scorecard_table, due_date, status, created_at) VALUES
  (3, 'bob@example.com', 'ana@example.com', 'Email_audit', '2024-05-03', 'open', NULL),
  (4, NULL, '   ', 'ghost_audit', NULL, 'cancelled', NULL),
  (5, 'bob@example.com', 'ana@example.com', NULL, '2024-05-04', 'open', NULL);
INSERT INTO notifications (id, recipient_email, type, message, read_at, audit_table, audit_id, created_at) VALUES
  (3, 'ana@example.com', 'audit', 'gone', NULL, 'email_audit', 999, NULL),
  (4, 'ana@example.com', 'audit', 'not a scorecard', NULL, 'users', 1, NULL),
  (5, 'ana@example.com', 'reminder', 'no audit', NULL, NULL, NULL, NULL),
  (6, 'ana@example.com', 'audit', 'an id without a table', NULL, NULL, 2, NULL);
`;

const LEGACY_TABLES = ["users", "people", "scorecards", "scorecard_fields", "email_audit", "Email Audit", "audit_assignments", "notifications"];

async function exceptAll(table: string): Promise<[number, number]> {
  const { rows } = await pool().query(
    `SELECT (SELECT count(*) FROM (SELECT * FROM public.${table} EXCEPT ALL SELECT * FROM unified.${table}_compat) x)::int AS missing,
            (SELECT count(*) FROM (SELECT * FROM unified.${table}_compat EXCEPT ALL SELECT * FROM public.${table}) y)::int AS extra`,
  );
  return [rows[0].missing, rows[0].extra];
}

describe("Phase 3 on hand-built data with every orphan kind", () => {
  let afterPhase2: string[] = [];
  let legacyBefore: Record<string, string> = {};
  let run: Awaited<ReturnType<typeof approveAndRun>>;
  beforeAll(async () => {
    await pool().query(LEGACY);
    expect((await approveAndRun(1)).status).toBe("succeeded");
    expect((await approveAndRun(2)).status).toBe("succeeded");
    // Written by the legacy application after Phase 1: emails no employee has.
    await pool().query(`INSERT INTO audit_assignments (id, auditor_email, employee_email, scorecard_table, status) VALUES (6, 'late@example.com', 'ana@example.com', 'email_audit', 'open')`);
    await pool().query(`INSERT INTO notifications (id, recipient_email, type, message) VALUES (7, 'Late@Example.com', 'reminder', 'hello')`);
    legacyBefore = await legacyChecksums(pool(), LEGACY_TABLES);
    afterPhase2 = await catalogSnapshot(pool());
    run = await approveAndRun(3);
  });

  it("succeeds, lands every row and warns about the orphans it reports", async () => {
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.verification?.filter((c) => c.status === "fail")).toEqual([]);
    const { rows } = await pool().query(`SELECT (SELECT count(*) FROM unified.audit_assignments)::int AS a, (SELECT count(*) FROM unified.notifications)::int AS n`);
    expect(rows[0]).toEqual({ a: 6, n: 7 });
  });

  it("reports each orphan exactly: table, legacy id, the reference that failed and the value it held", async () => {
    const { rows } = await pool().query(`SELECT source_table, legacy_id, reference, value FROM unified.link_orphans ORDER BY 1, 2, 3`);
    expect(rows).toEqual([
      { source_table: "audit_assignments", legacy_id: 3, reference: "scorecard_table", value: "Email_audit" },
      { source_table: "audit_assignments", legacy_id: 4, reference: "scorecard_table", value: "ghost_audit" },
      { source_table: "audit_assignments", legacy_id: 6, reference: "auditor_email", value: "late@example.com" },
      { source_table: "notifications", legacy_id: 3, reference: "audit_id", value: "email_audit#999" },
      { source_table: "notifications", legacy_id: 4, reference: "audit_table", value: "users#1" },
      { source_table: "notifications", legacy_id: 6, reference: "audit_table", value: "2" },
      { source_table: "notifications", legacy_id: 7, reference: "recipient_email", value: "Late@Example.com" },
    ]);
  });

  it("the console's orphan report and the CLI read the same rows, summarised by reference", async () => {
    const page = await listOrphans();
    expect(page.available).toBe(true);
    expect(page.summary).toEqual([
      { table: "audit_assignments", reference: "auditor_email", count: 1 },
      { table: "audit_assignments", reference: "scorecard_table", count: 2 },
      { table: "notifications", reference: "audit_id", count: 1 },
      { table: "notifications", reference: "audit_table", count: 2 },
      { table: "notifications", reference: "recipient_email", count: 1 },
    ]);
    expect((await listOrphans({ table: "notifications", reference: "audit_table" })).rows.map((r) => r.legacyId)).toEqual([4, 6]);
    const after = await listOrphans({ after: { table: "audit_assignments", legacyId: 6, reference: "auditor_email" } });
    expect(after.rows.map((r) => `${r.table}#${r.legacyId}`)).toEqual(["notifications#3", "notifications#4", "notifications#6", "notifications#7"]);
  });

  it("the Schema page's mapping says where every legacy column lives now", async () => {
    const map = await schemaMapping(pool());
    const audit = map.legacy.find((t) => t.table === "Email Audit")!;
    expect(audit).toMatchObject({ phase: 2, compat: "Email Audit_compat", migrated: true });
    expect(audit.columns.find((c) => c.column === "select")?.destination).toBe("audits.parameter_scores->'select'");
    expect(map.legacy.find((t) => t.table === "users")?.columns.find((c) => c.column === "full_name")?.destination).toBe("employees.full_name");
    expect(map.legacy.find((t) => t.table === "notifications")?.migrated).toBe(true);
    expect(map.unified.map((r) => r.name)).toEqual(expect.arrayContaining(["audits", "audit_assignments", "notifications", "link_orphans"]));
  });

  it("resolves what resolves to foreign keys: employees, scorecards and audits by their origin", async () => {
    const { rows } = await pool().query(
      `SELECT n.legacy_id, p.email_normalized AS recipient, a.source_table, a.source_id::int AS source_id
         FROM unified.notifications n LEFT JOIN unified.employees p ON p.id = n.recipient_id LEFT JOIN unified.audits a ON a.id = n.audit_id
        WHERE n.legacy_id IN (1, 2) ORDER BY 1`,
    );
    expect(rows).toEqual([
      { legacy_id: 1, recipient: "ana@example.com", source_table: "email_audit", source_id: 1 },
      { legacy_id: 2, recipient: "bob@example.com", source_table: "Email Audit", source_id: 5 },
    ]);
  });

  it("audit_assignments_compat and notifications_compat equal their tables (EXCEPT ALL both ways)", async () => {
    expect(await exceptAll("audit_assignments")).toEqual([0, 0]);
    expect(await exceptAll("notifications")).toEqual([0, 0]);
  });

  it("names every unified object by one convention (docs/naming.md)", async () => {
    const { rows } = await pool().query<{ kind: string; name: string; relation: string }>(
      `SELECT CASE k.contype WHEN 'p' THEN 'pkey' WHEN 'u' THEN 'key' WHEN 'f' THEN 'fkey' WHEN 'c' THEN 'check' ELSE k.contype::text END AS kind,
              k.conname AS name, c.relname AS relation
         FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        -- PostgreSQL 18 names NOT NULL constraints itself (and copies them with LIKE): not names we choose.
        WHERE n.nspname = 'unified' AND k.contype <> 'n'
       UNION ALL
       SELECT 'idx', i.relname, t.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'unified' AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`,
    );
    const wrong = rows.filter((r) => !(r.name.startsWith(`${r.relation}_`) && r.name.endsWith(`_${r.kind}`)));
    expect(wrong).toEqual([]);
    const { rows: objects } = await pool().query<{ name: string; kind: string }>(
      `SELECT c.relname AS name, c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'unified' AND c.relkind IN ('r', 'v', 'm')`,
    );
    expect(objects.filter((o) => !/^[a-z][a-z0-9_]*$/.test(o.name) && !o.name.endsWith("_compat"))).toEqual([]);
  });

  it("no statement of phases 1–3 joins two unified relations on an email", async () => {
    const joins: string[] = [];
    for (const phase of [1, 2, 3]) {
      const plan = await buildPlan(phase, pool());
      for (const sql of plan.steps.flatMap((s) => s.statements)) {
        for (const match of sql.matchAll(/JOIN\s+"unified"\.("?[\w ]+"?)\s+(\w+)\s+ON\s+([^\n]*)/gi)) {
          const condition = match[3]!;
          // A join condition that compares emails of two unified relations (an alias's email column on both sides).
          if (/\b\w+\.email\w*\s*=\s*\w+\.email\w*/i.test(condition)) joins.push(`phase ${phase}: ${match[0]}`);
        }
      }
    }
    expect(joins).toEqual([]);
  });

  it("schema.prisma models audit_assignments, notifications and the orphan report", async () => {
    const dynamic = [compatViewName("email_audit"), compatViewName("Email Audit")];
    expect(await compareSchemaToCatalog(pool(), { omit: PHASE_4_MODELS, everyUnifiedRelationExcept: dynamic })).toEqual([]);
  });

  it("rolls back to exactly the catalog after Phase 2, legacy tables byte-identical", async () => {
    expect((await rollBack(3)).status).toBe("succeeded");
    expect(await catalogSnapshot(pool())).toEqual(afterPhase2);
    expect(await legacyChecksums(pool(), LEGACY_TABLES)).toEqual(legacyBefore);
  });
});
