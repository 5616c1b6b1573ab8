import { qualified, quoteIdent } from "@/lib/db/sql";
import { count } from "@/lib/validation/types";
import { countRows, estimateRows, relationExists } from "../catalog";
import type { Check, PlanContext, Step } from "../types";
import {
  BUCKET_SCOPE, BUCKETS, clearConflictsStatement, conflictStatement, emaillessStatements, IDENTITY_LOCKS, linkSourceRowsStatements,
  mergeStatement, retireStatements, scopedSourceRows,
} from "./identity-sql";
import { IDENTITY_REFERENCE_FILLS, identityReferenceFills } from "./reference-tables";
import { COPY_STATEMENTS, copyBucketStatements, sourceRowChecks } from "./source-rows";

/**
 * The identity merge. Humans are matched by normalised email (trimmed, case-folded) and processed
 * in BUCKETS hash buckets, one transaction each, so a crash resumes at the next bucket: the bucket's
 * legacy rows are copied as written (lib/plan/phase-1/source-rows.ts), then merged from the copies. The SQL is
 * lib/plan/phase-1/identity-sql.ts, shared with live sync's trigger, which merges one human again
 * after each legacy write with the same statements. Each bucket's batch holds the bucket's lock, so
 * no trigger changes its humans while it runs (docs/live-sync.md).
 */
export { BETWEEN_SOURCES_RULES, BUCKETS, decidedRule, type RuleField, type RuleSide } from "./identity-sql";

function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- Copy and merge one bucket ($1) of humans at a time, with live sync's writers to it held off until the batch commits.
SELECT pg_advisory_xact_lock(${IDENTITY_LOCKS.namespace}, $1::integer)`,
    ...copyBucketStatements(ctx),
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
  title: "Copy users and people as written and merge them into employees, recording every conflict",
  unit: "rows",
  async plan(ctx) {
    const rows =
      (await estimateRows(ctx.db, ctx.legacySchema, "users")) + (await estimateRows(ctx.db, ctx.legacySchema, "people"));
    return { statements: [...statements(ctx), ...emaillessStatements(ctx, { kind: "all" })], estimatedRows: rows };
  },
  async run(ctx) {
    await refuseDuplicateIds(ctx);
    // The approved statements, in plan order: the lock, a bucket's copy and merge, then the emailless rows' two.
    const lock = ctx.statements[0]!;
    const bucketStatements = ctx.statements.slice(1, -2);
    const emailless = ctx.statements.slice(-2);
    await ctx.setTotal(await distinctIdentities(ctx));
    for (let bucket = ctx.checkpoint?.bucket ?? 0; bucket <= BUCKETS; bucket++) {
      if (await ctx.interrupted()) return;
      await ctx.batch(async (db) => {
        await db.query(lock, [bucket]);
        // A bucket's rows are copied in the transaction that then reads them, so no statistics ever count them (the bucket's value is
        // not in them): the planner estimated one row a bucket and chose nested loops, each anti-join evaluating the email of every
        // pair (1.25M a statement at 10M: 190 s for the step where 14 s had been measured). Hash joins suit a bucket's few thousand rows.
        // Before PostgreSQL 18 a disabled node adds 1e10 to a plan's cost, which passes jit_above_cost: every statement of every
        // bucket was JIT-compiled (101 functions, 2 s each on 15). A bucket's statements are small, so they run without JIT.
        await db.query(`SET LOCAL enable_nestloop = off`);
        await db.query(`SET LOCAL jit = off`);
        let merged = 0;
        // The copy and the reference fills come first, then the merge itself: its count is the progress.
        // The last bucket holds the rows without an email: copied, then reported.
        for (const [i, sql] of bucketStatements.entries()) {
          const result = await db.query(sql, [bucket]);
          if (i === COPY_STATEMENTS + IDENTITY_REFERENCE_FILLS) merged = result.rowCount ?? 0;
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
 * The contract promises unique ids in users and people; a table without a key may break it. The
 * merge reports losing rows by id, so it stops first, naming the table and the ids.
 */
async function refuseDuplicateIds(ctx: PlanContext): Promise<void> {
  for (const table of ["users", "people"]) {
    const { rows } = await ctx.db.query<{ id: string; n: number }>(
      `SELECT id::text, count(*)::int AS n FROM ${qualified(ctx.legacySchema, table)} GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 21`,
    );
    if (rows.length) {
      const listed = rows.slice(0, 20).map((r) => `${r.id} (${r.n} rows)`).join(", ");
      throw new Error(`${table} has rows that share an id: ${listed}${rows.length > 20 ? ", …" : ""}. The contract requires unique ids in ${table}: give each row its own id, then run the phase again`);
    }
  }
}

/** Distinct normalised emails across users and people: the number of merged employees to expect. */
function distinctIdentities(ctx: PlanContext): Promise<number> {
  const u = quoteIdent(ctx.unifiedSchema);
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
