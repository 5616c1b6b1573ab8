import { qualified, quoteIdent } from "@/lib/db/sql";

/**
 * The legacy contract in code: the tables and columns Unify reads from a legacy QA-audit
 * database, in one place. docs/legacy-contract.md is the same contract for a DBA; discovery
 * checks a database against these definitions and the generator creates exactly them.
 */

/** The schema holding the legacy tables: `public` unless UNIFY_LEGACY_SCHEMA says otherwise. */
export function legacySchema(): string {
  return process.env.UNIFY_LEGACY_SCHEMA?.trim() || "public";
}

export type LegacyType = "integer" | "bigint" | "numeric" | "text" | "boolean" | "date" | "timestamptz";

/**
 * Catalog types (as `format_type` names them) the migration reads without loss for each
 * contract type. A column of any other type is reported by discovery as of the wrong type.
 */
export const ACCEPTED_TYPES: Record<LegacyType, readonly string[]> = {
  integer: ["integer", "smallint", "bigint"],
  bigint: ["bigint", "integer", "smallint"],
  numeric: ["numeric", "integer", "smallint", "bigint", "real", "double precision"],
  text: ["text", "character varying", "character", "citext"],
  boolean: ["boolean"],
  date: ["date"],
  timestamptz: ["timestamp with time zone", "timestamp without time zone"],
};

export function acceptsType(expected: LegacyType, catalogType: string): boolean {
  return ACCEPTED_TYPES[expected].includes(catalogType);
}

export interface ColumnSpec {
  name: string;
  type: LegacyType;
}

export interface TableSpec {
  name: ContractTableName;
  /** identity: who people are; registry: which scorecards exist; links: rows pointing at people and audits. */
  role: "identity" | "registry" | "links";
  columns: readonly ColumnSpec[];
}

const col = (name: string, type: LegacyType): ColumnSpec => ({ name, type });

export const CONTRACT_TABLE_NAMES = [
  "users",
  "people",
  "scorecards",
  "scorecard_fields",
  "audit_assignments",
  "notifications",
] as const;
export type ContractTableName = (typeof CONTRACT_TABLE_NAMES)[number];

export const CONTRACT_TABLES: readonly TableSpec[] = [
  {
    name: "users",
    role: "identity",
    columns: [
      col("id", "integer"),
      col("email", "text"),
      col("password_hash", "text"),
      col("full_name", "text"),
      col("role", "text"),
      col("is_active", "boolean"),
      col("last_login_at", "timestamptz"),
      col("created_at", "timestamptz"),
    ],
  },
  {
    name: "people",
    role: "identity",
    columns: [
      col("id", "integer"),
      col("email", "text"),
      col("name", "text"),
      col("department", "text"),
      col("team", "text"),
      col("country", "text"),
      col("manager_email", "text"),
      col("hire_date", "date"),
      col("status", "text"),
      col("created_at", "timestamptz"),
    ],
  },
  {
    name: "scorecards",
    role: "registry",
    columns: [
      col("id", "integer"),
      col("name", "text"),
      col("table_name", "text"),
      col("channel", "text"),
      col("passing_score", "numeric"),
      col("created_at", "timestamptz"),
    ],
  },
  {
    name: "scorecard_fields",
    role: "registry",
    columns: [
      col("id", "integer"),
      col("scorecard_id", "integer"),
      col("field_key", "text"),
      col("column_name", "text"),
      col("label", "text"),
      col("max_score", "integer"),
      col("weight", "numeric"),
      col("position", "integer"),
    ],
  },
  {
    name: "audit_assignments",
    role: "links",
    columns: [
      col("id", "integer"),
      col("auditor_email", "text"),
      col("employee_email", "text"),
      col("scorecard_table", "text"),
      col("due_date", "date"),
      col("status", "text"),
      col("created_at", "timestamptz"),
    ],
  },
  {
    name: "notifications",
    role: "links",
    columns: [
      col("id", "integer"),
      col("recipient_email", "text"),
      col("type", "text"),
      col("message", "text"),
      col("read_at", "timestamptz"),
      col("audit_table", "text"),
      col("audit_id", "bigint"),
      col("created_at", "timestamptz"),
    ],
  },
];

export function contractTable(name: ContractTableName): TableSpec {
  return CONTRACT_TABLES.find((t) => t.name === name)!;
}

/** The columns every audit table has, whatever its scorecard; score columns come on top. */
export const AUDIT_BASE_COLUMNS: readonly ColumnSpec[] = [
  col("id", "bigint"),
  col("employee_email", "text"),
  col("auditor_email", "text"),
  col("audit_date", "date"),
  col("status", "text"),
  col("total_score", "numeric"),
  col("comments", "text"),
  col("created_at", "timestamptz"),
  col("updated_at", "timestamptz"),
];

/** Each scored field is one column of this type in its scorecard's audit table (NULL allowed). */
export const FIELD_COLUMN_TYPE: LegacyType = "integer";

/** Tables not in the registry whose name looks like an audit table are reported, not migrated. */
export const AUDIT_TABLE_NAME = /(_| )audit$/i;

export interface ScorecardField {
  id: number;
  scorecardId: number;
  /** The key of this field's score in the unified `parameter_scores`. */
  fieldKey: string;
  /** The integer column holding this field's score in the scorecard's audit table. */
  columnName: string;
  label: string | null;
  maxScore: number | null;
  weight: number | null;
  position: number | null;
}

export interface Scorecard {
  id: number;
  name: string | null;
  /** The audit table of this scorecard, in the legacy schema; a name, not SQL. */
  tableName: string;
  channel: string | null;
  passingScore: number | null;
  createdAt: Date | null;
  fields: ScorecardField[];
}

const DDL_TYPE: Record<LegacyType, string> = {
  integer: "integer",
  bigint: "bigint",
  numeric: "numeric",
  text: "text",
  boolean: "boolean",
  date: "date",
  timestamptz: "timestamptz",
};

/**
 * CREATE TABLE for a table of the contract, `id` a serial without its primary key: loaders add
 * the key after the rows are in, which is twice as fast as loading into an indexed table.
 */
export function createTableSql(schema: string, table: string, columns: readonly ColumnSpec[]): string {
  const defs = columns.map((c) => {
    if (c.name === "id") return `${quoteIdent("id")} ${c.type === "bigint" ? "bigserial" : "serial"}`;
    return `${quoteIdent(c.name)} ${DDL_TYPE[c.type]}`;
  });
  return `CREATE TABLE ${qualified(schema, table)} (${defs.join(", ")})`;
}

/**
 * Every kind of white space an email may be padded with: the ASCII ones (space, tab, line feed,
 * vertical tab, form feed, carriage return), next line, no-break space, the Unicode spaces
 * U+1680, U+180E, U+2000–U+200B, the line and paragraph separators, U+202F, U+205F, U+3000 and the
 * byte order mark. Written out as code points so the SQL is plain ASCII.
 */
const EMAIL_PADDING = [
  0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x85, 0xa0, 0x1680, 0x180e,
  ...Array.from({ length: 12 }, (_, i) => 0x2000 + i),
  0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
];
const PADDING_LITERAL = `U&'${EMAIL_PADDING.map((c) => `\\${c.toString(16).padStart(4, "0")}`).join("")}'`;

/**
 * The normalised email in SQL (docs/legacy-contract.md): leading and trailing white space of every
 * kind removed, case-folded. Phase 1's `norm_email` and the Source page's counts both use it.
 * `btrim` with a set of characters, not a regular expression: it runs once per email of every
 * audit row, tens of millions of times in a migration.
 */
export function normalisedEmailSql(expression: string): string {
  return `lower(btrim(${expression}, ${PADDING_LITERAL}))`;

}
