import { quoteIdent } from "@/lib/db/sql";
import { MAIN_QUERIES, type ReviewArguments } from "@/lib/analytics/sql";
import { countRows, relationExists } from "../catalog";
import type { Check, PlanContext, Queryable, Step } from "../types";

/**
 * Index review: each main page query run under EXPLAIN (ANALYZE, BUFFERS) with representative
 * arguments, its plan stored in console.analytics_index_evidence with whether it reads the index it
 * should. The phase page shows the plans. On a small table the planner rightly reads the table
 * whole; that is a warning with the row count, not a failure.
 */
const SMALL_TABLE_ROWS = 20_000;

async function reviewArguments(db: Queryable, unified: string): Promise<ReviewArguments | null> {
  const u = quoteIdent(unified);
  const { rows } = await db.query<{ last: string | null; scorecard: number | null; department: number | null; auditor: string | null; employee: string | null }>(
    `SELECT (SELECT to_char(max(month), 'YYYY-MM') FROM ${u}.scorecard_month_totals) AS last,
            (SELECT scorecard_id FROM ${u}.scorecard_month_totals GROUP BY 1 ORDER BY sum(audit_count) DESC, 1 LIMIT 1) AS scorecard,
            (SELECT department_id FROM ${u}.scorecard_month_statistics WHERE department_id IS NOT NULL GROUP BY 1 ORDER BY sum(audit_count) DESC, 1 LIMIT 1) AS department,
            (SELECT auditor_id::text FROM ${u}.auditor_performance GROUP BY 1 ORDER BY sum(audit_count) DESC, 1 LIMIT 1) AS auditor,
            (SELECT employee_id::text FROM ${u}.audit_statistics GROUP BY 1 ORDER BY sum(audit_count) DESC, 1 LIMIT 1) AS employee`,
  );
  const r = rows[0];
  if (!r?.last || r.scorecard === null || !r.auditor || !r.employee) return null;
  // The last complete month (the one before the newest, which may be partial): what an analyst opens first.
  const [year, month] = r.last.split("-").map(Number) as [number, number];
  const previous = new Date(Date.UTC(year, month - 2, 1));
  const from = `${previous.getUTCFullYear()}-${String(previous.getUTCMonth() + 1).padStart(2, "0")}`;
  return { from, to: from, scorecard: r.scorecard, department: r.department, auditor: Number(r.auditor), employee: Number(r.employee) };
}

/** The load's units write in parallel, so no one of them can ANALYZE: the review does, before it explains. */
const analyzeSummaries = (unified: string) => {
  const u = quoteIdent(unified);
  return `-- Statistics for the planner after the load.\nANALYZE ${u}.audit_statistics, ${u}.scorecard_month_statistics, ${u}.scorecard_month_totals, ${u}.auditor_performance`;
};

const PLACEHOLDER: ReviewArguments = { from: "2000-01", to: "2000-03", scorecard: 1, department: 1, auditor: 1, employee: 1 };

function planText(rows: Record<string, unknown>[]): string {
  return rows.map((r) => String(r["QUERY PLAN"])).join("\n");
}

export const indexReview: Step<{ next: number }> = {
  id: "index-review",
  title: "Explain the pages' main queries and keep the evidence that they use the indexes",
  unit: "statements",
  async plan(ctx) {
    return {
      statements: [
        analyzeSummaries(ctx.unifiedSchema),
        ...MAIN_QUERIES.map(
          (q) => `-- ${q.title}: should read ${q.index}; $n chosen at run time (the last complete month, the busiest scorecard, auditor and employee).\nEXPLAIN (ANALYZE, BUFFERS) ${q.build(PLACEHOLDER, quoteIdent(ctx.unifiedSchema)).sql}`,
        ),
      ],
      estimatedRows: 0,
    };
  },
  async run(ctx) {
    await ctx.setTotal(MAIN_QUERIES.length);
    // Planner statistics of the summaries the load just filled (harmless to repeat on a resume).
    await ctx.db.query(ctx.statements[0]!);
    const args = await reviewArguments(ctx.db, ctx.unifiedSchema);
    for (let i = ctx.checkpoint?.next ?? 0; i < MAIN_QUERIES.length; i++) {
      if (await ctx.interrupted()) return;
      const query = MAIN_QUERIES[i]!;
      await ctx.batch(async (db) => {
        if (!args) {
          await db.query(
            `INSERT INTO console.analytics_index_evidence (query, title, sql, plan, expected_index, uses_index, execution_ms)
             VALUES ($1, $2, '', 'no audits yet: nothing to explain', $3, false, 0)
             ON CONFLICT (query) DO UPDATE SET plan = EXCLUDED.plan, uses_index = false, execution_ms = 0, captured_at = now()`,
            [query.id, query.title, query.index],
          );
          return { checkpoint: { next: i + 1 }, rows: 1 };
        }
        const built = query.build(args, quoteIdent(ctx.unifiedSchema));
        const started = performance.now();
        const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${built.sql}`, built.params);
        const elapsed = performance.now() - started;
        const plan = planText(rows);
        await db.query(
          `INSERT INTO console.analytics_index_evidence (query, title, sql, plan, expected_index, uses_index, execution_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (query) DO UPDATE SET title = EXCLUDED.title, sql = EXCLUDED.sql, plan = EXCLUDED.plan, expected_index = EXCLUDED.expected_index,
             uses_index = EXCLUDED.uses_index, execution_ms = EXCLUDED.execution_ms, captured_at = now()`,
          [query.id, query.title, `${built.sql}\n-- parameters: ${JSON.stringify(built.params)}`, plan, query.index, plan.includes(query.index), elapsed],
        );
        return { checkpoint: { next: i + 1 }, rows: 1 };
      });
    }
  },
  async verify(ctx: PlanContext) {
    const checks: Check[] = [];
    const { rows } = await ctx.db.query<{ query: string; title: string; expected_index: string; uses_index: boolean; execution_ms: number }>(
      `SELECT query, title, expected_index, uses_index, execution_ms FROM console.analytics_index_evidence ORDER BY query`,
    );
    const statistics = (await relationExists(ctx.db, ctx.unifiedSchema, "audit_statistics"))
      ? await countRows(ctx.db, `SELECT count(*) AS n FROM ${quoteIdent(ctx.unifiedSchema)}.audit_statistics`)
      : 0;
    for (const q of MAIN_QUERIES) {
      const found = rows.find((r) => r.query === q.id);
      if (!found) {
        checks.push({ name: `${q.title}: plan recorded`, status: "fail", detail: "no EXPLAIN evidence" });
        continue;
      }
      checks.push({
        name: `${q.title}: reads ${q.index}`,
        status: found.uses_index ? "pass" : "warn",
        detail: found.uses_index
          ? `${found.execution_ms.toFixed(2)} ms`
          : statistics < SMALL_TABLE_ROWS
            ? `the plan reads no ${q.index}: with ${statistics} statistics rows a whole-table read is the planner's right choice`
            : `the plan reads no ${q.index} (${statistics} statistics rows, ${found.execution_ms.toFixed(2)} ms): read the plan on this page`,
      });
    }
    return checks;
  },
  async rollback(ctx) {
    await ctx.db.query(`DELETE FROM console.analytics_index_evidence WHERE query = ANY ($1::text[])`, [MAIN_QUERIES.map((q) => q.id)]);
  },
};
