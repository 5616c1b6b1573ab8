import { readFileSync } from "node:fs";
import { join } from "node:path";
import { get_dmmf } from "@prisma/prisma-schema-wasm";
import type pg from "pg";

/**
 * The schema is SQL-first; schema.prisma must describe what the SQL made. This compares Prisma's
 * DMMF (parsed from schema.prisma by Prisma's own schema engine) with the live catalog.
 */
interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
  nativeType?: [string, string[]] | null;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  schema: string | null;
  fields: DmmfField[];
}
interface DmmfEnum {
  name: string;
  dbName?: string | null;
  values: { name: string; dbName?: string | null }[];
}
export interface Datamodel {
  models: DmmfModel[];
  views?: DmmfModel[];
  enums: DmmfEnum[];
}

export function readDatamodel(schemaPath = join(process.cwd(), "prisma", "schema.prisma")): Datamodel {
  const source = readFileSync(schemaPath, "utf8");
  const datamodel = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: source }))).datamodel as Datamodel;
  // The DMMF lists `view` blocks among the models without marking them; the source does.
  const viewNames = new Set([...source.matchAll(/^view\s+(\w+)\s*\{/gm)].map((m) => m[1]));
  return {
    ...datamodel,
    models: datamodel.models.filter((m) => !viewNames.has(m.name)),
    views: datamodel.models.filter((m) => viewNames.has(m.name)),
  };
}

const SCALAR_TYPES: Record<string, string[]> = {
  Int: ["int4", "int2"],
  BigInt: ["int8"],
  String: ["text", "varchar", "bpchar", "citext"],
  Boolean: ["bool"],
  DateTime: ["timestamptz", "timestamp", "date"],
  Json: ["jsonb", "json"],
  Decimal: ["numeric"],
  Float: ["float8", "float4"],
  Bytes: ["bytea"],
};

const NATIVE_TYPES: Record<string, string> = {
  Timestamptz: "timestamptz",
  Timestamp: "timestamp",
  Date: "date",
  SmallInt: "int2",
  VarChar: "varchar",
  Char: "bpchar",
  JsonB: "jsonb",
  Json: "json",
  Real: "float4",
};

interface CatalogColumn {
  table_schema: string;
  table_name: string;
  column_name: string;
  is_nullable: "YES" | "NO";
  udt_name: string;
}

function expectedUdt(field: DmmfField, enums: DmmfEnum[]): string[] {
  let names: string[];
  if (field.kind === "enum") {
    const e = enums.find((x) => x.name === field.type);
    names = [e?.dbName ?? field.type];
  } else if (field.nativeType && NATIVE_TYPES[field.nativeType[0]]) {
    names = [NATIVE_TYPES[field.nativeType[0]]!];
  } else {
    names = SCALAR_TYPES[field.type] ?? [field.type];
  }
  return field.isList ? names.map((n) => `_${n}`) : names;
}

/** Every disagreement between schema.prisma and the database, as sentences; empty when they agree. */
export async function compareSchemaToCatalog(
  db: pg.Pool,
  options: {
    datamodel?: Datamodel;
    schemas?: string[];
    omit?: string[];
    /**
     * Also report every table or view of the `unified` schema that no model describes, except these
     * (the per-audit-table compatibility views, whose names are data).
     */
    everyUnifiedRelationExcept?: string[];
  } = {},
): Promise<string[]> {
  const datamodel = options.datamodel ?? readDatamodel();
  const inScope = (m: DmmfModel) =>
    (!options.schemas || options.schemas.includes(m.schema ?? "public")) && !options.omit?.includes(m.name);
  const problems: string[] = [];
  const models = [
    ...datamodel.models.filter(inScope).map((m) => ({ ...m, isView: false })),
    ...(datamodel.views ?? []).filter(inScope).map((m) => ({ ...m, isView: true })),
  ];
  const schemas = [...new Set(models.map((m) => m.schema ?? "public"))];
  const { rows: columns } = await db.query<CatalogColumn>(
    `SELECT n.nspname AS table_schema, c.relname AS table_name, a.attname AS column_name,
            CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable, t.typname AS udt_name
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'v', 'm', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
    [schemas],
  );
  const { rows: relations } = await db.query<{ schema: string; name: string; relkind: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'v', 'm', 'p')`,
    [schemas],
  );

  for (const model of models) {
    const schema = model.schema ?? "public";
    const table = model.dbName ?? model.name;
    const relation = relations.find((r) => r.schema === schema && r.name === table);
    const label = `${model.isView ? "view" : "model"} ${model.name} (${schema}.${table})`;
    if (!relation) {
      problems.push(`${label} has no relation in the database`);
      continue;
    }
    if (model.isView !== (relation.relkind === "v" || relation.relkind === "m")) {
      problems.push(`${label} is a ${model.isView ? "view" : "table"} in schema.prisma but relkind '${relation.relkind}' in the database`);
    }
    const live = columns.filter((c) => c.table_schema === schema && c.table_name === table);
    const modelled = new Set<string>();
    for (const field of model.fields.filter((f) => f.kind === "scalar" || f.kind === "enum")) {
      const column = field.dbName ?? field.name;
      modelled.add(column);
      const found = live.find((c) => c.column_name === column);
      if (!found) {
        problems.push(`${label}: field ${field.name} maps to column ${column}, which does not exist`);
        continue;
      }
      const expected = expectedUdt(field, datamodel.enums);
      if (!expected.includes(found.udt_name)) {
        problems.push(`${label}: column ${column} is ${found.udt_name} in the database, schema.prisma expects ${expected.join(" or ")}`);
      }
      // Views report every column nullable, so nullability is compared for tables only.
      if (!model.isView && (found.is_nullable === "NO") !== field.isRequired) {
        problems.push(`${label}: column ${column} is ${found.is_nullable === "NO" ? "NOT NULL" : "nullable"} in the database but ${field.isRequired ? "required" : "optional"} in schema.prisma`);
      }
    }
    for (const c of live) {
      if (!modelled.has(c.column_name)) problems.push(`${label}: column ${c.column_name} exists in the database but not in schema.prisma`);
    }
  }

  if (options.everyUnifiedRelationExcept) {
    const modelledNames = new Set(models.filter((m) => (m.schema ?? "public") === "unified").map((m) => m.dbName ?? m.name));
    const { rows: unified } = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'unified' AND c.relkind IN ('r', 'v', 'm', 'p') ORDER BY 1`,
    );
    for (const { name } of unified) {
      if (!modelledNames.has(name) && !options.everyUnifiedRelationExcept.includes(name)) {
        problems.push(`relation unified.${name} has no model in schema.prisma`);
      }
    }
  }

  for (const e of datamodel.enums) {
    const { rows } = await db.query<{ label: string }>(
      `SELECT e.enumlabel AS label FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
        WHERE t.typname = $1 ORDER BY e.enumsortorder`,
      [e.dbName ?? e.name],
    );
    const live = rows.map((r) => r.label).join(",");
    const modelled = e.values.map((v) => v.dbName ?? v.name).join(",");
    if (live !== modelled) problems.push(`enum ${e.name}: database has [${live}], schema.prisma has [${modelled}]`);
  }
  return problems;
}
