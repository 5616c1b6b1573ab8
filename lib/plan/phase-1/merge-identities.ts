import { qualified, quoteIdent } from "@/lib/db/sql";
import { count } from "@/lib/validation/types";
import { countRows, estimateRows, relationExists } from "../catalog";
import type { Check, PlanContext, Step } from "../types";
import {
  BUCKET_SCOPE, BUCKETS, clearConflictsStatement, conflictStatement, emaillessStatements, IDENTITY_LOCKS, linkSourceRowsStatements,
  mergeStatement, retireStatements, scopedSourceRows, sourceTable,
} from "./identity-sql";
import { IDENTITY_REFERENCE_FILLS, identityReferenceFills } from "./reference-tables";
import { sourceRowChecks } from "./source-rows";

/**
 * The identity merge. Humans are matched by normalised email (trimmed, case-folded) and merged from
 * the source rows (the exact copies lib/plan/phase-1/source-rows.ts made) in BUCKETS hash buckets,
 * one transaction each. The buckets are split into MERGE_UNITS units of consecutive buckets, which
 * the engine runs on parallel sessions, each resuming at its next bucket after a crash (a bucket's
 * humans, rows, employees and conflicts are its own, so two units never write the same row). The SQL
 * is lib/plan/phase-1/identity-sql.ts, shared with live sync's trigger, which merges one human again
 * after each legacy write with the same statements. Each bucket's batch holds the bucket's lock, so
 * no trigger changes its humans while it runs (docs/live-sync.md).
 */
export { BETWEEN_SOURCES_RULES, BUCKETS, decidedRule, type RuleField, type RuleSide } from "./identity-sql";

/** How many units the buckets are split into: enough for every core of a small server, few enough to plan and show. */
export const MERGE_UNITS = 4;

/** The buckets of unit `i`: consecutive, the last unit also holding BUCKETS (the rows without an email). */
function unitBuckets(i: number): { first: number; last: number } {
  const size = Math.ceil(BUCKETS / MERGE_UNITS);
  return { first: i * size, last: i === MERGE_UNITS - 1 ? BUCKETS : Math.min(BUCKETS, (i + 1) * size) - 1 };
}

/** A unit's id names its buckets ("buckets-0-7"): the plan states them, and run reads them back from it. */
function bucketsOf(unit: { id: string } | null): { first: number; last: number } {
  const m = /^buckets-(\d+)-(\d+)$/.exec(unit?.id ?? "");
  if (!m) throw new Error(`merge-identities runs one unit of buckets at a time; got ${unit ? `unit "${unit.id}"` : "no unit"}`);
  return { first: Number(m[1]), last: Number(m[2]) };
}

function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- Merge one bucket ($1) of humans at a time, with live sync's writers to it held off until the batch commits.
SELECT pg_advisory_xact_lock(${IDENTITY_LOCKS.namespace}, $1::integer)`,
    ...identityReferenceFills(u, scopedSourceRows(ctx, BUCKET_SCOPE, "users"), scopedSourceRows(ctx, BUCKET_SCOPE, "people"), {
      users: "this bucket's users rows",
      people: "this bucket's people rows",
    }),
    mergeStatement(ctx, BUCKET_SCOPE),
    ...linkSourceRowsStatements(ctx, BUCKET_SCOPE),
    ...retireStatements(ctx, BUCKET_SCOPE),
    clearConflictsStatement(ctx, BUCKET_SCOPE),
    conflictStatement(ctx, BUCKET_SCOPE),
  ];
}

export const mergeIdentities: Step<{ bucket: number }> = {
  id: "merge-identities",
  title: "Merge users and people into employees, recording every conflict",
  unit: "rows",
  async plan(ctx) {
    const rows =
      (await estimateRows(ctx.db, ctx.legacySchema, "users")) + (await estimateRows(ctx.db, ctx.legacySchema, "people"));
    const bucketStatements = statements(ctx);
    const units = Array.from({ length: MERGE_UNITS }, (_, i) => {
      const { first, last } = unitBuckets(i);
      const withEmailless = last === BUCKETS;
      return {
        id: `buckets-${first}-${last}`,
        title: `buckets ${first}–${last}`,
        statements: withEmailless ? [...bucketStatements, ...emaillessStatements(ctx, { kind: "all" })] : bucketStatements,
        estimatedRows: Math.round((rows * (last - first + (withEmailless ? 0 : 1))) / BUCKETS),
      };
    });
    return { statements: units.flatMap((unit) => unit.statements), estimatedRows: rows, units };
  },
  async run(ctx) {
    const { first, last } = bucketsOf(ctx.unit);
    // The approved statements, in plan order: the lock, a bucket's merge, then (last unit) the emailless rows' two.
    const withEmailless = last === BUCKETS;
    const lock = ctx.statements[0]!;
    const bucketStatements = ctx.statements.slice(1, withEmailless ? -2 : undefined);
    const emailless = withEmailless ? ctx.statements.slice(-2) : [];
    await ctx.setTotal(await distinctIdentities(ctx, { first, last }));
    for (let bucket = ctx.checkpoint?.bucket ?? first; bucket <= last; bucket++) {
      if (await ctx.interrupted()) return;
      await ctx.batch(async (db) => {
        await db.query(lock, [bucket]);
        // Nested loops off: when a bucket's rows were copied in its own batch, no statistics counted them and the planner chose
        // nested loops, each anti-join evaluating the email of every pair (190 s for the step at 10M where 14 s had been measured).
        // The copy step now analyses the copies, but a live-sync writer may have added many rows since; hash joins suit a bucket.
        // Before PostgreSQL 18 a disabled node adds 1e10 to a plan's cost, which passes jit_above_cost: every statement of every
        // bucket was JIT-compiled (101 functions, 2 s each on 15). A bucket's statements are small, so they run without JIT.
        await db.query(`SET LOCAL enable_nestloop = off`);
        await db.query(`SET LOCAL jit = off`);
        let merged = 0;
        // The reference fills come first, then the merge itself: its count is the progress.
        // The last bucket holds the rows without an email: reported.
        for (const [i, sql] of bucketStatements.entries()) {
          const result = await db.query(sql, [bucket]);
          if (i === IDENTITY_REFERENCE_FILLS) merged = result.rowCount ?? 0;
        }
        if (bucket === BUCKETS) for (const sql of emailless) await db.query(sql);
        return { checkpoint: { bucket: bucket + 1 }, rows: merged };
      });
    }
  },
  async verify(ctx) {
    return [...(await accountForEveryRow(ctx)), ...(await sourceRowChecks(ctx))];
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    if (await relationExists(ctx.db, ctx.unifiedSchema, "employees")) {
      // The source rows reference employees: emptied with them (the copy step fills them again).
      const copies = (await relationExists(ctx.db, ctx.unifiedSchema, "user_source_rows")) ? `, ${u}.user_source_rows, ${u}.person_source_rows` : "";
      await ctx.db.query(`TRUNCATE ${u}.merge_conflicts, ${u}.employees${copies} RESTART IDENTITY`);
    }
  },
};

/**
 * Distinct normalised emails across users and people: the number of merged employees to expect —
 * all of them, or (a unit's total) those of buckets `first`..`last`, read from the copies by bucket.
 */
function distinctIdentities(ctx: PlanContext, buckets?: { first: number; last: number }): Promise<number> {
  const u = quoteIdent(ctx.unifiedSchema);
  if (buckets) {
    const of = (table: string) => `SELECT ${u}.norm_email(email) e FROM ${table} WHERE ${u}.identity_bucket(email) BETWEEN $1 AND $2`;
    return countRows(
      ctx.db,
      `SELECT count(*) AS n FROM (${of(sourceTable(ctx, "users"))} UNION ${of(sourceTable(ctx, "people"))}) s WHERE e IS NOT NULL`,
      [buckets.first, buckets.last],
    );
  }
  return countRows(
    ctx.db,
    `SELECT count(*) AS n FROM (SELECT ${u}.norm_email(email) e FROM ${qualified(ctx.legacySchema, "users")}
                                UNION SELECT ${u}.norm_email(email) FROM ${qualified(ctx.legacySchema, "people")}) s
      WHERE e IS NOT NULL`,
  );
}

/** Nothing is lost: every legacy identity row is an employee or an explicit conflict record. */
export async function accountForEveryRow(ctx: PlanContext): Promise<Check[]> {
  const u = quoteIdent(ctx.unifiedSchema);
  const checks: Check[] = [];
  for (const [table, column] of [["users", "legacy_user_id"], ["people", "legacy_person_id"]] as const) {
    const source = qualified(ctx.legacySchema, table);
    const total = await countRows(ctx.db, `SELECT count(*) AS n FROM ${source}`);
    const carried = await countRows(ctx.db, `SELECT count(*) AS n FROM ${u}.employees WHERE ${column} IS NOT NULL`);
    const reported = await countRows(
      ctx.db,
      `SELECT count(DISTINCT alternative_source) AS n FROM ${u}.merge_conflicts
        WHERE field IN ('duplicate_row', 'email') AND alternative_source LIKE $1`,
      [`${table}#%`],
    );
    const ok = total === carried + reported;
    checks.push({
      name: `every ${table} row is an employee or a reported conflict`,
      status: ok ? "pass" : "fail",
      detail: `${count(total)} rows = ${count(carried)} employees + ${count(reported)} reported${ok ? "" : " (MISMATCH)"}`,
    });
  }
  const distinct = await distinctIdentities(ctx);
  const merged = await countRows(ctx.db, `SELECT count(*) AS n FROM ${u}.employees WHERE source <> 'referenced'`);
  checks.push({
    name: "one employee per distinct normalised email",
    status: distinct === merged ? "pass" : "fail",
    detail: `${count(distinct)} distinct emails, ${count(merged)} merged employees`,
  });
  return checks;
}
