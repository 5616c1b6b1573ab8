import { pool } from "@/lib/db/pool";
import { discoverLegacy } from "@/lib/legacy/discovery";
import { legacyLocation } from "@/lib/legacy/location";
import { compatViewName, readAuditColumns } from "./phase-2/audit-columns";
import { UNIFIED_SCHEMA } from "./plan";
import type { Queryable } from "./types";

/**
 * Where each legacy table and column lives in the unified schema, for a lead reviewing the
 * mapping and a developer porting a query. Both sides are read from the live catalog; the mapping
 * is the phases' rules (the same ones their steps and compatibility views follow).
 */
export interface ColumnMapping {
  column: string;
  type: string;
  /** Where its value lives now, e.g. `employees.full_name` or `audits.parameter_scores->'q3_tone'`. */
  destination: string;
  note?: string;
}

export interface TableMapping {
  table: string;
  phase: number;
  /** The unified relation that holds its rows, and the view that returns them exactly. */
  target: string;
  compat: string;
  /** Whether the target exists in the database right now (the phase has run). */
  migrated: boolean;
  columns: ColumnMapping[];
}

export interface UnifiedRelation {
  name: string;
  kind: "table" | "view";
  columns: { name: string; type: string }[];
}

type Rule = Record<string, [string, string?]>;

const FIXED: { table: string; phase: number; target: string; compat: string; rule: Rule }[] = [
  {
    table: "users", phase: 1, target: "employees", compat: "users_compat",
    rule: {
      id: ["employees.legacy_user_id", "every row as written: user_source_rows.id"],
      email: ["employees.email", "matched across tables on employees.email_normalized"],
      password_hash: ["employees.password_hash"],
      full_name: ["employees.full_name", "merge rules decide between users and people"],
      role: ["employees.role_id → roles.name"],
      is_active: ["employees.is_active"],
      last_login_at: ["employees.last_login_at"],
      created_at: ["employees.created_at"],
    },
  },
  {
    table: "people", phase: 1, target: "employees", compat: "people_compat",
    rule: {
      id: ["employees.legacy_person_id", "every row as written: person_source_rows.id"],
      email: ["employees.email", "matched across tables on employees.email_normalized"],
      name: ["employees.full_name", "merge rules decide between users and people"],
      department: ["employees.department_id → departments.name"],
      team: ["employees.team_id → teams.name"],
      country: ["employees.country_id → countries.name"],
      manager_email: ["employees.manager_id → employees", "as written: employees.manager_email"],
      hire_date: ["employees.hire_date"],
      status: ["employees.status"],
      created_at: ["employees.created_at"],
    },
  },
  {
    table: "scorecards", phase: 2, target: "scorecards", compat: "—",
    rule: {
      id: ["scorecards.legacy_id"], name: ["scorecards.name"], table_name: ["scorecards.source_table"],
      channel: ["scorecards.channel_id → channels.name"], passing_score: ["scorecards.passing_score"], created_at: ["scorecards.created_at"],
    },
  },
  {
    table: "scorecard_fields", phase: 2, target: "scorecard_fields", compat: "—",
    rule: {
      id: ["scorecard_fields.legacy_id"], scorecard_id: ["scorecard_fields.scorecard_id → scorecards (legacy_id)"],
      field_key: ["scorecard_fields.field_key", "the key in audits.parameter_scores"], column_name: ["scorecard_fields.column_name"],
      label: ["scorecard_fields.label"], max_score: ["scorecard_fields.max_score"], weight: ["scorecard_fields.weight"], position: ["scorecard_fields.position"],
    },
  },
  {
    table: "audit_assignments", phase: 3, target: "audit_assignments", compat: "audit_assignments_compat",
    rule: {
      id: ["audit_assignments.legacy_id"], auditor_email: ["audit_assignments.auditor_id → employees"],
      employee_email: ["audit_assignments.employee_id → employees"], scorecard_table: ["audit_assignments.scorecard_id → scorecards.source_table"],
      due_date: ["audit_assignments.due_date"], status: ["audit_assignments.status"], created_at: ["audit_assignments.created_at"],
    },
  },
  {
    table: "notifications", phase: 3, target: "notifications", compat: "notifications_compat",
    rule: {
      id: ["notifications.legacy_id"], recipient_email: ["notifications.recipient_id → employees"], type: ["notifications.type"],
      message: ["notifications.message"], read_at: ["notifications.read_at"],
      audit_table: ["notifications.audit_id → audits.source_table"], audit_id: ["notifications.audit_id → audits.source_id"],
      created_at: ["notifications.created_at"],
    },
  },
];

async function relationColumns(db: Queryable, schema: string): Promise<Map<string, { kind: string; columns: { name: string; type: string }[] }>> {
  const { rows } = await db.query<{ relation: string; kind: string; name: string; type: string }>(
    `SELECT c.relname AS relation, c.relkind::text AS kind, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'p')
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
  const out = new Map<string, { kind: string; columns: { name: string; type: string }[] }>();
  for (const r of rows) {
    const entry = out.get(r.relation) ?? { kind: r.kind, columns: [] };
    entry.columns.push({ name: r.name, type: r.type });
    out.set(r.relation, entry);
  }
  return out;
}

export async function schemaMapping(db: Queryable = pool()): Promise<{ legacySchema: string; legacy: TableMapping[]; unified: UnifiedRelation[] }> {
  const { schema } = await legacyLocation(db);
  const legacyColumns = await relationColumns(db, schema);
  const unifiedColumns = await relationColumns(db, UNIFIED_SCHEMA);
  const discovery = await discoverLegacy(db, schema);
  const legacy: TableMapping[] = [];
  for (const fixed of FIXED) {
    const live = legacyColumns.get(fixed.table);
    if (!live) continue;
    legacy.push({
      table: fixed.table,
      phase: fixed.phase,
      target: fixed.target,
      compat: fixed.compat,
      migrated: unifiedColumns.has(fixed.target),
      columns: live.columns.map((c) => {
        const [destination, note] = fixed.rule[c.name] ?? ["not migrated", "not a column of the legacy contract"];
        return { column: c.name, type: c.type, destination, note };
      }),
    });
  }
  for (const scorecard of [...discovery.scorecards].sort((a, b) => a.tableName.localeCompare(b.tableName))) {
    const columns = await readAuditColumns(db, schema, scorecard.tableName, scorecard);
    legacy.push({
      table: scorecard.tableName,
      phase: 2,
      target: `audits (source_table = '${scorecard.tableName}')`,
      compat: compatViewName(scorecard.tableName),
      migrated: unifiedColumns.has("audits"),
      columns: columns.map((c): ColumnMapping => {
        if (c.name === "id") return { column: c.name, type: c.type, destination: "audits.source_id" };
        if (c.name === "employee_email" || c.name === "auditor_email") {
          const key = c.name === "employee_email" ? "employee" : "auditor";
          return { column: c.name, type: c.type, destination: `audits.${key}_id → employees`, note: `spelling kept in audits.${key}_email_legacy where it differs` };
        }
        switch (c.home.kind) {
          case "score":
            return { column: c.name, type: c.type, destination: `audits.parameter_scores->'${c.home.fieldKey}'` };
          case "base":
            return { column: c.name, type: c.type, destination: `audits.${c.home.column}` };
          case "base+extra":
            return { column: c.name, type: c.type, destination: `audits.${c.home.column}`, note: `as written in audits.legacy_extra->'${c.name}'` };
          case "extra":
            return { column: c.name, type: c.type, destination: `audits.legacy_extra->'${c.name}'`, note: "not a registered score: kept as written" };
        }
      }),
    });
  }
  const unified = [...unifiedColumns.entries()]
    .filter(([name]) => !legacy.some((l) => l.compat === name && l.phase === 2))
    .map(([name, v]) => ({ name, kind: v.kind === "r" || v.kind === "p" ? ("table" as const) : ("view" as const), columns: v.columns }));
  return { legacySchema: schema, legacy, unified };
}
