import type pg from "pg";
import { qualified, quoteIdent } from "@/lib/db/sql";
import type { PlanContext, Step } from "@/lib/plan/types";
import { diffRelations, relationColumns } from "../table-diff";
import { count, type CheckResult, type ValidationCheck } from "../types";
import type { Relation } from "../table-diff";
import { compatViewSchema } from "@/lib/plan/archive-location";

export async function scalar(db: pg.ClientBase, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: string | number | null }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/**
 * `WITH spellings (e)`: the distinct raw spellings of an audit table's two email columns, so a
 * check normalises each spelling once instead of every row (109k spellings for 4M values of the
 * largest table at 10M: 11.6 s → 2.9 s). MATERIALIZED, because as a plain subquery the planner
 * pushes a filter on the normalised email down into the scans and normalises every row again.
 */
export function auditEmailSpellings(table: string): string {
  return `WITH spellings AS MATERIALIZED (SELECT employee_email AS e FROM ${table} UNION SELECT auditor_email FROM ${table})`;
}

/** A step's own `verify` findings, as part of the suite rather than a second mechanism. */
export function stepChecks(steps: Step[]): ValidationCheck[] {
  return steps.map((step) => ({
    id: `step:${step.id}`,
    title: `${step.title}: the step's own checks`,
    category: "step" as const,
    async run(db, ctx) {
      const checks = await step.verify({ ...ctx, db: db as pg.PoolClient });
      return checks.map((c) => ({ name: `${step.id}: ${c.name}`, status: c.status, expected: "", actual: "", detail: c.detail }));
    },
  }));
}

/**
 * Content: the legacy table (the truth) against its read-back on the unified side, every column,
 * row by row where the checksums of a key segment differ.
 */
export function contentCheck(input: { id: string; title: string; legacy: string; readBack: string; key?: string }): ValidationCheck {
  return {
    id: input.id,
    title: input.title,
    category: "content",
    async run(db, ctx: PlanContext): Promise<CheckResult[]> {
      const left = { schema: ctx.legacySchema, name: input.legacy };
      const right = { schema: await compatViewSchema(db, ctx, input.readBack), name: input.readBack };
      const columns = await relationColumns(db, left);
      const readable = await relationColumns(db, right);
      const absent = columns.filter((c) => !readable.includes(c));
      if (absent.length) {
        return [{
          name: `${input.readBack} has every column of ${input.legacy}`,
          status: "fail",
          expected: columns.join(", "),
          actual: readable.join(", "),
          detail: `missing: ${absent.join(", ")}`,
        }];
      }
      const diff = await diffRelations(db, { left, right, key: input.key ?? "id", columns });
      return [{
        name: `${input.readBack} returns exactly the rows of ${input.legacy}`,
        status: diff.equal ? "pass" : "fail",
        expected: `${count(diff.leftRows)} rows as in ${input.legacy}`,
        actual: `${count(diff.rightRows)} rows; ${count(diff.missing)} missing, ${count(diff.extra)} extra, ${count(diff.changed)} changed`,
        detail: diff.equal ? "every row and value matches" : `first ${diff.samples.length} differences kept as samples`,
        samples: diff.samples,
        figures: { table: input.legacy, rows: diff.leftRows, checksum: diff.leftChecksum },
      }];
    },
  };
}

/**
 * A legacy table (the truth) against its read-back, every column row by row, as two findings: the
 * counts (which rows exist on each side, missing and unknown ids as samples) and the values.
 */
export async function readBackResults(db: pg.ClientBase, left: Relation, right: Relation, what: { rows: string }): Promise<CheckResult[]> {
  const columns = await relationColumns(db, left);
  const readable = await relationColumns(db, right);
  const absent = columns.filter((c) => !readable.includes(c));
  if (absent.length) {
    return [{ name: `${right.name} has every column of ${left.name}`, status: "fail", expected: columns.join(", "), actual: readable.join(", "), detail: `missing: ${absent.join(", ")}` }];
  }
  const diff = await diffRelations(db, { left, right, key: "id", columns });
  return [
    {
      name: `${left.name}: every legacy row is exactly one ${what.rows}`,
      status: diff.missing || diff.extra ? "fail" : "pass",
      expected: `${count(diff.leftRows)} ${what.rows}s from ${left.name}`,
      actual: `${count(diff.rightRows)} ${what.rows}s; ${count(diff.missing)} legacy rows missing, ${count(diff.extra)} not in ${left.name}`,
      detail: diff.missing || diff.extra ? `the unified side and the legacy table disagree on which rows exist` : "every id once, none unknown",
      samples: diff.samples.filter((s) => s.left === null || s.right === null),
    },
    {
      name: `${right.name} returns exactly the rows of ${left.name}`,
      status: diff.equal ? "pass" : "fail",
      expected: `${count(diff.leftRows)} rows as in ${left.name}, every value, each reference as the legacy row wrote it`,
      actual: `${count(diff.rightRows)} rows; ${count(diff.missing)} missing, ${count(diff.extra)} extra, ${count(diff.changed)} changed`,
      detail: diff.equal ? "every row and value matches" : `first ${diff.samples.length} differences kept as samples`,
      samples: diff.samples,
      figures: { table: left.name, rows: diff.leftRows, checksum: diff.leftChecksum },
    },
  ];
}

/**
 * The legacy audit table's field scores against each field's max_score (0..max), as one result,
 * or none when the scorecard has no ranged field. `rows` names what is counted, `detail` what a
 * lead should know about the rows out of range.
 */
export async function scoreRangeResult(
  db: pg.ClientBase,
  ctx: PlanContext,
  table: string,
  say: { rows: string; outOfRange: string },
): Promise<CheckResult[]> {
  const scorecard = ctx.discovery.scorecards.find((s) => s.tableName === table);
  const ranged = (scorecard?.fields ?? []).filter((f) => f.maxScore !== null);
  if (!ranged.length) return [];
  const conditions = ranged.map((f) => `${quoteIdent(f.columnName)} < 0 OR ${quoteIdent(f.columnName)} > ${Number(f.maxScore)}`).join(" OR ");
  const out = await scalar(db, `SELECT count(*) AS n FROM ${qualified(ctx.legacySchema, table)} WHERE ${conditions}`);
  return [{
    name: `${table}: scores within 0..max`,
    status: out ? "warn" : "pass",
    expected: "every field score between 0 and its max_score",
    actual: `${count(out)} ${say.rows} with a score out of range`,
    detail: out ? say.outOfRange : "all in range",
  }];
}
