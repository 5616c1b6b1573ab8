import { createHash } from "node:crypto";
import { AUDIT_BASE_COLUMNS, type LegacyType, type Scorecard } from "@/lib/legacy/contract";
import type { PlanContext, Queryable } from "../types";

/**
 * Where each column of a legacy audit table lives in `unified.audits`, so the load and the
 * compatibility view agree on it and the view returns the legacy rows exactly:
 * - a base column of the contract's type (or one that converts back without loss) → its column;
 * - a base column of an accepted but lossy type (`real` total_score, `timestamp` without zone) →
 *   its column, converted, and its value as written in `legacy_extra`;
 * - a registered score field → `parameter_scores` under its field key;
 * - any other column (unregistered, or a field of the wrong type) → `legacy_extra`, as text.
 */
export type ColumnHome =
  | { kind: "base"; column: string }
  | { kind: "base+extra"; column: string }
  | { kind: "score"; fieldKey: string }
  | { kind: "extra" };

export interface AuditColumn {
  name: string;
  /** The column's type as the catalog writes it (`format_type`), domains included: the view casts to it. */
  type: string;
  /** The underlying base type's name, for deciding whether a conversion is lossless. */
  baseType: string;
  home: ColumnHome;
}

/** Base types that survive the trip into `audits`' column and back exactly. */
const LOSSLESS: Record<LegacyType, readonly string[]> = {
  integer: ["integer", "smallint", "bigint"],
  bigint: ["bigint", "integer", "smallint"],
  numeric: ["numeric", "integer", "smallint", "bigint"],
  text: ["text", "character varying", "character", "citext"],
  boolean: ["boolean"],
  date: ["date"],
  timestamptz: ["timestamp with time zone"],
};

const SCORE_TYPES = ["integer", "smallint", "bigint"];

/** The columns of a legacy audit table in their order, with their catalog types. */
export async function readAuditColumns(db: Queryable, schema: string, table: string, scorecard: Scorecard): Promise<AuditColumn[]> {
  const { rows } = await db.query<{ name: string; type: string; base_type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, NULL) AS base_type
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [schema, table],
  );
  return rows.map((r) => ({ name: r.name, type: r.type, baseType: r.base_type, home: homeOf(r.name, r.base_type, scorecard) }));
}

function homeOf(name: string, baseType: string, scorecard: Scorecard): ColumnHome {
  const base = AUDIT_BASE_COLUMNS.find((c) => c.name === name);
  if (base) {
    const column = name === "id" ? "source_id" : name;
    return LOSSLESS[base.type].includes(baseType) ? { kind: "base", column } : { kind: "base+extra", column };
  }
  const field = scorecard.fields.find((f) => f.columnName === name);
  if (field && SCORE_TYPES.includes(baseType)) return { kind: "score", fieldKey: field.fieldKey };
  return { kind: "extra" };
}

/** Whether rows of this table need `legacy_extra` at all. */
export function hasExtras(columns: AuditColumn[]): boolean {
  return columns.some((c) => c.home.kind === "extra" || c.home.kind === "base+extra");
}

const MAX_IDENTIFIER_BYTES = 63;

/**
 * `T_compat`, the name of the compatibility view of audit table T. PostgreSQL cuts identifiers at
 * 63 bytes, which would make two long table names collide silently: a name that does not fit
 * keeps its first bytes and gains 8 hex digits of its sha256 before `_compat`.
 */
export function compatViewName(table: string): string {
  const plain = `${table}_compat`;
  if (Buffer.byteLength(plain, "utf8") <= MAX_IDENTIFIER_BYTES) return plain;
  const suffix = `_${createHash("sha256").update(table).digest("hex").slice(0, 8)}_compat`;
  let head = table;
  while (Buffer.byteLength(head + suffix, "utf8") > MAX_IDENTIFIER_BYTES) head = head.slice(0, -1);
  return head + suffix;
}

/** The usable scorecard whose audit table is `table` (discovery's registry), or a clear error. */
export function scorecardOf(ctx: PlanContext, table: string): Scorecard {
  const scorecard = ctx.discovery.scorecards.find((s) => s.tableName === table);
  if (!scorecard) throw new Error(`No usable scorecard names the audit table "${table}"`);
  return scorecard;
}
