import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun, TEST_LEAD } from "@/lib/engine/testing/phases";
import { seedLegacy } from "@/lib/legacy/generator";
import { executeValidation, requestValidation, validationReport } from "./runs";

withTestDatabase();
afterAll(() => stopQueue());

type Report = NonNullable<Awaited<ReturnType<typeof validationReport>>>;

async function postRun(): Promise<Report> {
  const { id } = await requestValidation({ phase: 2, kind: "post_run", actor: TEST_LEAD, enqueue: false });
  expect(await executeValidation(id)).toBe("finished");
  return (await validationReport(id))!;
}

const failing = (report: Report) => report.checks.flatMap((c) => c.results).filter((r) => r.status === "fail");
const failed = (report: Report, name: string) => failing(report).find((r) => r.name === name);

/** One legacy audit table's name and one of its rows with a score, for injecting defects. */
let table = "";
let sourceId = "";
let fieldKey = "";

describe("Phase 2's post-run suite catches every kind of defect, with samples", () => {
  beforeAll(async () => {
    await seedLegacy(pool(), { audits: 4000, scorecards: 3, seed: "phase-2-validation" });
    expect((await approveAndRun(1)).status).toBe("succeeded");
    expect((await approveAndRun(2)).status).toBe("succeeded");
    const { rows } = await pool().query(
      `SELECT a.source_table, a.source_id::text AS source_id, k.key
         FROM unified.audits a, LATERAL jsonb_each(a.parameter_scores) k
        WHERE jsonb_typeof(k.value) = 'number' AND a.employee_email_legacy IS NULL ORDER BY a.source_table, a.source_id LIMIT 1`,
    );
    [table, sourceId, fieldKey] = [rows[0].source_table, rows[0].source_id, rows[0].key];
  });

  it("a clean migration passes with zero failures, a content and an integrity check per table and one origins check", async () => {
    const report = await postRun();
    expect(failing(report)).toEqual([]);
    expect(report.checks.filter((c) => c.checkId.startsWith("content:"))).toHaveLength(3);
    expect(report.checks.filter((c) => c.checkId.startsWith("integrity:audits:") && c.checkId !== "integrity:audits:origins")).toHaveLength(3);
    expect(report.checks.filter((c) => c.checkId === "integrity:audits:origins")).toHaveLength(1);
    expect(report.checks.map((c) => c.category)).toEqual(expect.arrayContaining(["step", "content", "integrity"]));
  });

  it("a deleted audit fails the count and the content of its table, naming the id", async () => {
    const { rows } = await pool().query(`DELETE FROM unified.audits WHERE source_table = $1 AND source_id = $2 RETURNING to_jsonb(audits) AS row`, [table, sourceId]);
    try {
      const report = await postRun();
      const counted = failed(report, `${table}: every legacy row is exactly one audit`)!;
      expect(counted.actual).toContain("1 legacy rows missing");
      expect(counted.samples?.map((s) => s.key)).toEqual([sourceId]);
    } finally {
      await pool().query(`INSERT INTO unified.audits OVERRIDING SYSTEM VALUE SELECT * FROM jsonb_populate_record(NULL::unified.audits, $1)`, [rows[0].row]);
    }
  });

  it("an extra audit fails the count with its id", async () => {
    await pool().query(
      `INSERT INTO unified.audits (scorecard_id, parameter_scores, source_table, source_id)
       SELECT scorecard_id, parameter_scores, source_table, 99999999 FROM unified.audits WHERE source_table = $1 AND source_id = $2`,
      [table, sourceId],
    );
    try {
      const counted = failed(await postRun(), `${table}: every legacy row is exactly one audit`)!;
      expect(counted.samples?.map((s) => s.key)).toEqual(["99999999"]);
    } finally {
      await pool().query(`DELETE FROM unified.audits WHERE source_id = 99999999`);
    }
  });

  it("an audit whose origin is no legacy audit table, or none, fails the origins check", async () => {
    await pool().query(
      `INSERT INTO unified.audits (scorecard_id, parameter_scores, source_table, source_id)
       SELECT scorecard_id, parameter_scores, 'nowhere_audit', 1 FROM unified.audits WHERE source_table = $1 AND source_id = $2
       UNION ALL
       SELECT scorecard_id, parameter_scores, 'zz_unknown', 2 FROM unified.audits WHERE source_table = $1 AND source_id = $2`,
      [table, sourceId],
    );
    try {
      const origins = failed(await postRun(), "every audit's source_table is a legacy audit table")!;
      expect(origins.actual).toBe("2 audits from elsewhere");
      expect(origins.detail).toBe("nowhere_audit: 1; zz_unknown: 1");
    } finally {
      await pool().query(`DELETE FROM unified.audits WHERE source_table IN ('nowhere_audit', 'zz_unknown')`);
    }
  });

  it("a changed score inside parameter_scores fails the content check, the score's column named", async () => {
    await pool().query(
      `UPDATE unified.audits SET parameter_scores = jsonb_set(parameter_scores, ARRAY[$3], to_jsonb(coalesce((parameter_scores->>$3)::int, 0) + 1))
        WHERE source_table = $1 AND source_id = $2`,
      [table, sourceId, fieldKey],
    );
    try {
      const report = await postRun();
      const result = failing(report).find((r) => r.name.endsWith(`returns exactly the rows of ${table}`))!;
      expect(result.samples?.[0]?.key).toBe(sourceId);
      expect(result.samples?.[0]?.columns).toHaveLength(1);
      expect(failing(report).map((r) => r.name)).toEqual([`${table.replace(/.*/, (t) => `${t}_compat`)} returns exactly the rows of ${table}`]);
    } finally {
      await pool().query(
        `UPDATE unified.audits SET parameter_scores = jsonb_set(parameter_scores, ARRAY[$3], to_jsonb((parameter_scores->>$3)::int - 1))
          WHERE source_table = $1 AND source_id = $2`,
        [table, sourceId, fieldKey],
      );
    }
  });

  it("an audit linked to the wrong employee fails the content check on employee_email", async () => {
    const { rows } = await pool().query(
      `UPDATE unified.audits a SET employee_id = (SELECT min(id) FROM unified.employees WHERE id <> a.employee_id)
        WHERE source_table = $1 AND source_id = $2 RETURNING (SELECT employee_id FROM unified.audits WHERE source_table = $1 AND source_id = $2) AS was`,
      [table, sourceId],
    );
    try {
      const result = failing(await postRun()).find((r) => r.name.endsWith(`returns exactly the rows of ${table}`))!;
      expect(result.samples?.[0]).toMatchObject({ key: sourceId, columns: ["employee_email"] });
    } finally {
      await pool().query(`UPDATE unified.audits SET employee_id = $3 WHERE source_table = $1 AND source_id = $2`, [table, sourceId, rows[0].was]);
    }
  });

  it("a wrong link is caught even where the legacy spelling is kept", async () => {
    const { rows } = await pool().query(
      `SELECT source_table, source_id::text AS source_id, employee_id FROM unified.audits WHERE employee_email_legacy IS NOT NULL AND employee_id IS NOT NULL ORDER BY 1, 2 LIMIT 1`,
    );
    const spelled = rows[0];
    await pool().query(
      `UPDATE unified.audits a SET employee_id = (SELECT min(id) FROM unified.employees WHERE id <> a.employee_id) WHERE source_table = $1 AND source_id = $2`,
      [spelled.source_table, spelled.source_id],
    );
    try {
      const result = failing(await postRun()).find((r) => r.name.endsWith(`returns exactly the rows of ${spelled.source_table}`))!;
      expect(result.samples?.[0]).toMatchObject({ key: spelled.source_id, columns: ["employee_email"] });
    } finally {
      await pool().query(`UPDATE unified.audits SET employee_id = $3 WHERE source_table = $1 AND source_id = $2`, [spelled.source_table, spelled.source_id, spelled.employee_id]);
    }
  });

  it("a NULL where audits promises a value, a key too many, a key too few and a wrong passed fail the integrity pass", async () => {
    await pool().query(`ALTER TABLE unified.audits ALTER COLUMN parameter_scores DROP NOT NULL, DROP CONSTRAINT audits_parameter_scores_check`);
    const { rows } = await pool().query(
      `SELECT a.source_id::text AS id FROM unified.audits a WHERE source_table = $1 AND passed IS NOT NULL AND source_id <> $2 ORDER BY source_id LIMIT 3`,
      [table, sourceId],
    );
    const [nulled, flipped, dropped] = rows.map((r) => r.id);
    const before = (await pool().query(`SELECT source_id::text AS id, parameter_scores, passed FROM unified.audits WHERE source_table = $1 AND source_id = ANY($2::bigint[])`, [table, [nulled, flipped, dropped, sourceId]])).rows;
    await pool().query(`UPDATE unified.audits SET parameter_scores = NULL WHERE source_table = $1 AND source_id = $2`, [table, nulled]);
    await pool().query(`UPDATE unified.audits SET passed = NOT passed WHERE source_table = $1 AND source_id = $2`, [table, flipped]);
    await pool().query(`UPDATE unified.audits SET parameter_scores = parameter_scores || '{"not_a_field": 1}' WHERE source_table = $1 AND source_id = $2`, [table, sourceId]);
    await pool().query(`UPDATE unified.audits SET parameter_scores = parameter_scores - (SELECT min(k) FROM jsonb_object_keys(parameter_scores) k) WHERE source_table = $1 AND source_id = $2`, [table, dropped]);
    try {
      const report = await postRun();
      expect(failed(report, "no NULL where audits promises a value")?.actual).toBe("1");
      expect(failed(report, "passed agrees with the total and the passing score")?.detail).toBe(`first: ${table}#${flipped}`);
      expect(failed(report, "parameter_scores keys are exactly the scorecard's fields")?.actual).toBe("2 audits differ");
      const firstBadKeys = [BigInt(sourceId), BigInt(dropped)].reduce((a, b) => (a < b ? a : b));
      expect(failed(report, "parameter_scores keys are exactly the scorecard's fields")?.detail).toBe(`first: ${table}#${firstBadKeys}`);
    } finally {
      for (const b of before) {
        await pool().query(`UPDATE unified.audits SET parameter_scores = $3, passed = $4 WHERE source_table = $1 AND source_id = $2`, [table, b.id, b.parameter_scores, b.passed]);
      }
      await pool().query(`ALTER TABLE unified.audits ALTER COLUMN parameter_scores SET NOT NULL, ADD CONSTRAINT audits_parameter_scores_check CHECK (jsonb_typeof(parameter_scores) = 'object')`);
    }
  });

  it("an employee's email changed in case only passes: the audits still read back their legacy spellings", async () => {
    const { rows } = await pool().query(
      `UPDATE unified.employees e SET email = upper(email) FROM unified.audits a
        WHERE a.source_table = $1 AND a.source_id = $2 AND e.id = a.employee_id
        RETURNING e.id, lower(e.email) AS was, (SELECT email FROM unified.employees WHERE id = e.id) AS original`,
      [table, sourceId],
    );
    try {
      expect(failing(await postRun())).toEqual([]);
    } finally {
      await pool().query(`UPDATE unified.employees SET email = $2 WHERE id = $1`, [rows[0].id, rows[0].original]);
    }
  });

  it("with live sync on, the same edit reaches audits in the writer's transaction and the suite passes", async () => {
    const q = `"${table.replace(/"/g, '""')}"`;
    const { rows } = await pool().query(`SELECT comments FROM ${q} WHERE id = $1`, [sourceId]);
    await pool().query(`UPDATE ${q} SET comments = 'edited with sync on' WHERE id = $1`, [sourceId]);
    try {
      const { rows: synced } = await pool().query(`SELECT comments FROM unified.audits WHERE source_table = $1 AND source_id = $2`, [table, sourceId]);
      expect(synced[0].comments).toBe("edited with sync on");
      expect(failing(await postRun())).toEqual([]);
    } finally {
      await pool().query(`UPDATE ${q} SET comments = $2 WHERE id = $1`, [sourceId, rows[0].comments]);
    }
  });

  it("a legacy row edited after the migration (live sync off) fails the content check with both sides", async () => {
    const q = `"${table.replace(/"/g, '""')}"`;
    const { rows } = await pool().query(`SELECT comments FROM ${q} WHERE id = $1`, [sourceId]);
    // Live sync off for this table while the legacy application edits the row.
    await pool().query(`ALTER TABLE ${q} DISABLE TRIGGER unify_sync`);
    await pool().query(`UPDATE ${q} SET comments = coalesce(comments, '') || ' (edited later)' WHERE id = $1`, [sourceId]);
    try {
      const result = failing(await postRun()).find((r) => r.name.endsWith(`returns exactly the rows of ${table}`))!;
      expect(result.samples?.[0]).toMatchObject({ key: sourceId, columns: ["comments"] });
      expect(String(result.samples?.[0]?.left?.comments)).toContain("(edited later)");
      expect(String(result.samples?.[0]?.right?.comments ?? "")).not.toContain("(edited later)");
    } finally {
      await pool().query(`UPDATE ${q} SET comments = $2 WHERE id = $1`, [sourceId, rows[0].comments]);
      await pool().query(`ALTER TABLE ${q} ENABLE TRIGGER unify_sync`);
    }
    expect(failing(await postRun())).toEqual([]);
  });
});
