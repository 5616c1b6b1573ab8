import type pg from "pg";
import { quoteIdent } from "@/lib/db/sql";
import { compatViewName } from "./audit-columns";

type Db = pg.Pool | pg.Client;

/** Rows of T not in T_compat and rows of T_compat not in T, as multisets over every column. */
export async function exceptAllBothWays(db: Db, table: string): Promise<[number, number]> {
  const legacy = `public.${quoteIdent(table)}`;
  const view = `unified.${quoteIdent(compatViewName(table))}`;
  const { rows } = await db.query<{ missing: string; extra: string }>(
    `SELECT (SELECT count(*) FROM (SELECT * FROM ${legacy} EXCEPT ALL SELECT * FROM ${view}) x) AS missing,
            (SELECT count(*) FROM (SELECT * FROM ${view} EXCEPT ALL SELECT * FROM ${legacy}) y) AS extra`,
  );
  return [Number(rows[0]!.missing), Number(rows[0]!.extra)];
}

/** md5 of every row of each table in a stable order: equal before and after means untouched. */
export async function legacyChecksums(db: Db, tables: string[]): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const t of tables) {
    const { rows } = await db.query(`SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS h FROM public.${quoteIdent(t)} t`);
    sums[t] = rows[0].h;
  }
  return sums;
}

/** Audits whose parameter_scores keys are not exactly their scorecard's field keys. */
export async function parameterScoreKeyMismatches(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ item: string }>(
    `SELECT a.source_table || '#' || a.source_id AS item
       FROM unified.audits a
      WHERE ARRAY(SELECT k FROM jsonb_object_keys(a.parameter_scores) k ORDER BY k)
            <> ARRAY(SELECT f.field_key FROM unified.scorecard_fields f WHERE f.scorecard_id = a.scorecard_id ORDER BY f.field_key)
      ORDER BY 1 LIMIT 20`,
  );
  return rows.map((r) => r.item);
}

/** The audits as comparable text in origin order, independent of generated ids. */
export async function auditsFingerprint(db: Db): Promise<{ rows: number; md5: string }> {
  const { rows } = await db.query<{ n: string; h: string }>(
    `SELECT count(*) AS n, md5(coalesce(string_agg(row_text, E'\\n' ORDER BY source_table, source_id), '')) AS h
       FROM (SELECT a.source_table, a.source_id,
                    concat_ws('|', a.source_table, a.source_id, s.legacy_id, a.channel_id, e.email_normalized, r.email_normalized, a.audit_date,
                              a.status, a.total_score, a.passed, a.comments, a.parameter_scores::text, a.created_at, a.updated_at,
                              a.employee_email_legacy, a.auditor_email_legacy, a.legacy_extra::text) AS row_text
               FROM unified.audits a JOIN unified.scorecards s ON s.id = a.scorecard_id
               LEFT JOIN unified.employees e ON e.id = a.employee_id LEFT JOIN unified.employees r ON r.id = a.auditor_id) x`,
  );
  return { rows: Number(rows[0]!.n), md5: rows[0]!.h };
}
