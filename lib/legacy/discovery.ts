import pg from "pg";
import { qualified } from "@/lib/db/sql";
import {
  acceptsType,
  AUDIT_BASE_COLUMNS,
  AUDIT_TABLE_NAME,
  CONTRACT_TABLE_NAMES,
  CONTRACT_TABLES,
  FIELD_COLUMN_TYPE,
  type ColumnSpec,
  type ContractTableName,
  type Scorecard,
  type ScorecardField,
} from "./contract";
import { legacyLocation } from "./location";

/**
 * Discovery: what the legacy database actually holds, checked against the contract. A broken
 * database is described, never thrown at: every deviation becomes an anomaly a person can read,
 * and only what can be migrated safely is returned as usable.
 */

export type AnomalyCode =
  | "schema_missing"
  | "table_missing"
  | "column_missing"
  | "column_wrong_type"
  | "registry_unreadable"
  | "registry_empty"
  | "scorecard_invalid"
  | "audit_table_missing"
  | "audit_table_unregistered"
  | "base_column_missing"
  | "primary_key_missing"
  | "field_invalid"
  | "field_orphan"
  | "field_column_missing"
  | "column_unregistered"
  | "scorecard_without_fields";

export interface Anomaly {
  severity: "error" | "warning";
  code: AnomalyCode;
  table?: string;
  column?: string;
  message: string;
}

export interface LegacyDiscovery {
  schema: string;
  /** Scorecards whose audit table can be migrated, each with only its usable fields. */
  scorecards: Scorecard[];
  /** Contract tables present with every contract column of an accepted type. */
  conformingTables: ContractTableName[];
  anomalies: Anomaly[];
}

type Queryable = pg.Pool | pg.PoolClient;

interface CatalogTable {
  kind: string;
  columns: Map<string, string>;
  idUnique: boolean;
}

async function readCatalog(db: Queryable, schema: string): Promise<Map<string, CatalogTable>> {
  const { rows } = await db.query<{
    table_name: string;
    kind: string;
    column_name: string | null;
    column_type: string | null;
    id_unique: boolean;
  }>(
    `SELECT c.relname AS table_name, c.relkind::text AS kind, a.attname AS column_name,
            format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, NULL) AS column_type,
            EXISTS (SELECT 1 FROM pg_index i
                      JOIN pg_attribute ia ON ia.attrelid = i.indrelid AND ia.attnum = i.indkey[0]
                     WHERE i.indrelid = c.oid AND i.indisunique AND i.indnkeyatts = 1
                       AND i.indpred IS NULL AND ia.attname = 'id') AS id_unique
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
  const tables = new Map<string, CatalogTable>();
  for (const r of rows) {
    let table = tables.get(r.table_name);
    if (!table) {
      table = { kind: r.kind, columns: new Map(), idUnique: r.id_unique };
      tables.set(r.table_name, table);
    }
    if (r.column_name !== null && r.column_type !== null) table.columns.set(r.column_name, r.column_type);
  }
  return tables;
}

/** Checks required columns; returns false when one is missing or of the wrong type. */
function checkColumns(
  table: string,
  found: CatalogTable,
  columns: readonly ColumnSpec[],
  missingCode: "column_missing" | "base_column_missing",
  anomalies: Anomaly[],
): boolean {
  let ok = true;
  for (const c of columns) {
    const type = found.columns.get(c.name);
    if (type === undefined) {
      anomalies.push({
        severity: "error",
        code: missingCode,
        table,
        column: c.name,
        message: `table "${table}" has no column "${c.name}" (${c.type} expected)`,
      });
      ok = false;
    } else if (!acceptsType(c.type, type)) {
      anomalies.push({
        severity: "error",
        code: "column_wrong_type",
        table,
        column: c.name,
        message: `column "${table}"."${c.name}" is ${type}, the contract expects ${c.type}`,
      });
      ok = false;
    }
  }
  return ok;
}

function checkKey(table: string, found: CatalogTable, anomalies: Anomaly[]): void {
  if (found.idUnique || (found.kind !== "r" && found.kind !== "p")) return;
  anomalies.push({
    severity: "warning",
    code: "primary_key_missing",
    table,
    column: "id",
    message: `table "${table}" has no primary key or unique index on "id": duplicate ids would stop a resumable migration`,
  });
}

/** SQLSTATE classes that mean the connection or server is gone, not that the data is odd. */
const CONNECTION_CLASSES = /^(08|53|57|58|XX)/;

function isContentError(error: unknown): error is pg.DatabaseError {
  return error instanceof pg.DatabaseError && !CONNECTION_CLASSES.test(error.code ?? "");
}

interface RegistryRows {
  scorecards: Omit<Scorecard, "fields">[];
  fields: ScorecardField[];
}

const num = (value: string | null): number | null => (value === null ? null : Number(value));

async function readRegistry(db: Queryable, schema: string): Promise<RegistryRows> {
  const scorecards = await db.query<{
    id: string;
    name: string | null;
    table_name: string | null;
    channel: string | null;
    passing_score: string | null;
    created_at: Date | null;
  }>(
    `SELECT id::bigint AS id, name::text, table_name::text, channel::text,
            passing_score::numeric::text AS passing_score, created_at::timestamptz AS created_at
       FROM ${qualified(schema, "scorecards")} ORDER BY id`,
  );
  const fields = await db.query<{
    id: string;
    scorecard_id: string | null;
    field_key: string | null;
    column_name: string | null;
    label: string | null;
    max_score: string | null;
    weight: string | null;
    position: string | null;
  }>(
    `SELECT id::bigint AS id, scorecard_id::bigint AS scorecard_id, field_key::text, column_name::text,
            label::text, max_score::bigint AS max_score, weight::numeric::text AS weight,
            position::bigint AS position
       FROM ${qualified(schema, "scorecard_fields")}
      ORDER BY scorecard_id, position NULLS LAST, id`,
  );
  return {
    scorecards: scorecards.rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      tableName: r.table_name ?? "",
      channel: r.channel,
      passingScore: num(r.passing_score),
      createdAt: r.created_at,
    })),
    fields: fields.rows.map((r) => ({
      id: Number(r.id),
      scorecardId: r.scorecard_id === null ? Number.NaN : Number(r.scorecard_id),
      fieldKey: r.field_key ?? "",
      columnName: r.column_name ?? "",
      label: r.label,
      maxScore: num(r.max_score),
      weight: num(r.weight),
      position: num(r.position),
    })),
  };
}

function describeScorecard(s: { id: number; name: string | null }): string {
  return s.name ? `scorecard ${s.id} ("${s.name}")` : `scorecard ${s.id}`;
}

/** The usable fields of one scorecard whose audit table exists. */
function usableFields(
  scorecard: Omit<Scorecard, "fields">,
  registered: ScorecardField[],
  found: CatalogTable,
  anomalies: Anomaly[],
): ScorecardField[] {
  const table = scorecard.tableName;
  const baseNames = new Set(AUDIT_BASE_COLUMNS.map((c) => c.name));
  const columnsSeen = new Set<string>();
  const keysSeen = new Set<string>();
  const usable: ScorecardField[] = [];
  for (const field of registered) {
    const invalid = (severity: Anomaly["severity"], why: string) =>
      anomalies.push({
        severity,
        code: "field_invalid",
        table,
        column: field.columnName || undefined,
        message: `field ${field.id} of ${describeScorecard(scorecard)} ${why}: it is left out`,
      });
    if (!field.columnName.trim() || !field.fieldKey.trim()) {
      invalid("error", "has no column_name or no field_key");
    } else if (baseNames.has(field.columnName)) {
      invalid("error", `uses the base column "${field.columnName}" as a score`);
    } else if (columnsSeen.has(field.columnName)) {
      invalid("error", `repeats the column "${field.columnName}" of another field`);
    } else if (keysSeen.has(field.fieldKey)) {
      invalid("error", `repeats the field_key "${field.fieldKey}" of another field`);
    } else {
      const type = found.columns.get(field.columnName);
      if (type === undefined) {
        anomalies.push({
          severity: "warning",
          code: "field_column_missing",
          table,
          column: field.columnName,
          message: `field ${field.id} ("${field.fieldKey}") of ${describeScorecard(scorecard)} names column "${field.columnName}", which "${table}" does not have: it has no scores to migrate`,
        });
      } else if (!acceptsType(FIELD_COLUMN_TYPE, type)) {
        anomalies.push({
          severity: "error",
          code: "column_wrong_type",
          table,
          column: field.columnName,
          message: `score column "${table}"."${field.columnName}" is ${type}, the contract expects ${FIELD_COLUMN_TYPE}: field ${field.id} is left out`,
        });
      } else {
        usable.push(field);
      }
    }
    columnsSeen.add(field.columnName);
    keysSeen.add(field.fieldKey);
  }
  for (const column of found.columns.keys()) {
    if (baseNames.has(column) || columnsSeen.has(column)) continue;
    anomalies.push({
      severity: "warning",
      code: "column_unregistered",
      table,
      column,
      message: `column "${table}"."${column}" is neither a base column nor a registered field: its values will not be migrated`,
    });
  }
  if (usable.length === 0) {
    anomalies.push({
      severity: "warning",
      code: "scorecard_without_fields",
      table,
      message: `${describeScorecard(scorecard)} has no usable scored field`,
    });
  }
  return usable;
}

function registryScorecards(
  registry: RegistryRows,
  catalog: Map<string, CatalogTable>,
  anomalies: Anomaly[],
): { scorecards: Scorecard[]; registeredTables: Set<string> } {
  const registeredTables = new Set<string>();
  const scorecards: Scorecard[] = [];
  const scorecardIds = new Set(registry.scorecards.map((s) => s.id));
  const contractNames = new Set<string>(CONTRACT_TABLE_NAMES);
  for (const s of registry.scorecards) {
    const table = s.tableName;
    const invalid = (why: string) =>
      anomalies.push({
        severity: "error",
        code: "scorecard_invalid",
        table: table || undefined,
        message: `${describeScorecard(s)} ${why}: it is left out`,
      });
    if (!table.trim()) {
      invalid("has no table_name");
      continue;
    }
    if (registeredTables.has(table)) {
      invalid(`names the table "${table}" that an earlier scorecard already names`);
      continue;
    }
    registeredTables.add(table);
    if (contractNames.has(table)) {
      invalid(`names the contract table "${table}" as its audit table`);
      continue;
    }
    const found = catalog.get(table);
    if (!found) {
      anomalies.push({
        severity: "error",
        code: "audit_table_missing",
        table,
        message: `${describeScorecard(s)} names the audit table "${table}", which does not exist`,
      });
      continue;
    }
    if (!checkColumns(table, found, AUDIT_BASE_COLUMNS, "base_column_missing", anomalies)) continue;
    checkKey(table, found, anomalies);
    const fields = registry.fields.filter((f) => f.scorecardId === s.id);
    scorecards.push({ ...s, fields: usableFields(s, fields, found, anomalies) });
  }
  for (const f of registry.fields.filter((f) => !scorecardIds.has(f.scorecardId))) {
    anomalies.push({
      severity: "warning",
      code: "field_orphan",
      table: "scorecard_fields",
      message: `field ${f.id} ("${f.fieldKey}") belongs to scorecard ${Number.isNaN(f.scorecardId) ? "NULL" : f.scorecardId}, which does not exist`,
    });
  }
  return { scorecards, registeredTables };
}

function looksLikeAuditTable(name: string, table: CatalogTable): boolean {
  if (AUDIT_TABLE_NAME.test(name)) return true;
  return ["employee_email", "auditor_email", "audit_date"].every((c) => table.columns.has(c));
}

/**
 * Reads the registry and checks every table against the catalog. Throws only when the database
 * cannot be reached; everything else wrong with it is returned in `anomalies`.
 */
export async function discoverLegacy(db: Queryable, at?: string): Promise<LegacyDiscovery> {
  const schema = at ?? (await legacyLocation(db)).schema;
  const anomalies: Anomaly[] = [];
  const exists = await db.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
  if (!exists.rowCount) {
    anomalies.push({ severity: "error", code: "schema_missing", message: `schema "${schema}" does not exist` });
    return { schema, scorecards: [], conformingTables: [], anomalies };
  }

  const catalog = await readCatalog(db, schema);
  const conformingTables: ContractTableName[] = [];
  for (const spec of CONTRACT_TABLES) {
    const found = catalog.get(spec.name);
    if (!found) {
      anomalies.push({
        severity: "error",
        code: "table_missing",
        table: spec.name,
        message: `the ${spec.role} table "${spec.name}" does not exist in schema "${schema}"`,
      });
      continue;
    }
    if (checkColumns(spec.name, found, spec.columns, "column_missing", anomalies)) conformingTables.push(spec.name);
    checkKey(spec.name, found, anomalies);
  }

  let registry: RegistryRows | null = null;
  if (conformingTables.includes("scorecards") && conformingTables.includes("scorecard_fields")) {
    try {
      registry = await readRegistry(db, schema);
    } catch (error) {
      if (!isContentError(error)) throw error;
      anomalies.push({
        severity: "error",
        code: "registry_unreadable",
        table: "scorecards",
        message: `the scorecard registry cannot be read: ${error.message}`,
      });
    }
  } else {
    anomalies.push({
      severity: "error",
      code: "registry_unreadable",
      table: "scorecards",
      message: "the scorecard registry (scorecards, scorecard_fields) does not follow the contract: no audit table can be discovered until it does",
    });
  }

  let scorecards: Scorecard[] = [];
  const registeredTables = new Set<string>();
  if (registry) {
    if (registry.scorecards.length === 0) {
      anomalies.push({
        severity: "warning",
        code: "registry_empty",
        table: "scorecards",
        message: "the scorecard registry is empty: there are no audit tables to migrate",
      });
    }
    const found = registryScorecards(registry, catalog, anomalies);
    scorecards = found.scorecards;
    for (const t of found.registeredTables) registeredTables.add(t);
  }

  const contractNames = new Set<string>(CONTRACT_TABLE_NAMES);
  for (const [name, table] of catalog) {
    if (contractNames.has(name) || registeredTables.has(name) || !looksLikeAuditTable(name, table)) continue;
    anomalies.push({
      severity: "warning",
      code: "audit_table_unregistered",
      table: name,
      message: `table "${name}" looks like an audit table but no scorecard names it: its rows will not be migrated`,
    });
  }
  return { schema, scorecards, conformingTables, anomalies };
}
