import type pg from "pg";
import { recordActivity } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { qualified } from "@/lib/db/sql";
import { normalisedEmailSql } from "./contract";
import { legacyLocation } from "./location";
import { discoverLegacy, type Anomaly, type LegacyDiscovery } from "./discovery";

/**
 * The Source inventory: what the legacy database holds, counted in one set-based pass per table
 * and cached in console.inventory_snapshots with the time it was computed, because at 10M audits
 * the counting takes seconds and the page must not.
 */

export const INVENTORY_VERSION = 1;

export interface ScorecardInventory {
  id: number;
  name: string | null;
  table: string;
  channel: string | null;
  fields: number;
  rows: number;
  firstAuditDate: string | null;
  lastAuditDate: string | null;
  /** Rows whose email, normalised with lower(btrim()), is in neither users nor people (NULL included). */
  employeeEmailsMatchingNobody: number;
  auditorEmailsMatchingNobody: number;
}

/** Counts of distinct normalised emails unless the name says rows. */
export interface IdentityInventory {
  usersRows: number;
  peopleRows: number;
  usersEmails: number;
  peopleEmails: number;
  onlyInUsers: number;
  onlyInPeople: number;
  inBoth: number;
  /** Normalised emails held by more than one row of the table. */
  usersDuplicateEmails: number;
  peopleDuplicateEmails: number;
  /** Rows whose email is NULL or blank. */
  usersWithoutEmail: number;
  peopleWithoutEmail: number;
}

export interface AssignmentsInventory {
  rows: number;
  auditorEmailsMatchingNobody: number;
  employeeEmailsMatchingNobody: number;
  /** Rows whose scorecard_table is not the table of a usable scorecard (exact name). */
  unknownScorecardTable: number;
}

export interface NotificationsInventory {
  rows: number;
  recipientEmailsMatchingNobody: number;
  /** Rows naming an audit_table that is not the table of a usable scorecard. */
  unknownAuditTable: number;
}

export interface Inventory {
  version: typeof INVENTORY_VERSION;
  schema: string;
  computedAt: string;
  durationMs: number;
  audits: number;
  scorecards: ScorecardInventory[];
  identity: IdentityInventory | null;
  assignments: AssignmentsInventory | null;
  notifications: NotificationsInventory | null;
  anomalies: Anomaly[];
}

type Queryable = pg.Pool | pg.PoolClient;
type Counts = Record<string, string | null>;

const norm = (column: string) => normalisedEmailSql(column);

/** The normalised emails of the identity tables that can be read; NULL and blank left out. */
function knownEmails(d: LegacyDiscovery): string {
  const sources = (["users", "people"] as const)
    .filter((t) => d.conformingTables.includes(t))
    .map((t) => `SELECT ${norm("email")} AS email FROM ${qualified(d.schema, t)}`);
  if (!sources.length) return `known AS MATERIALIZED (SELECT NULL::text AS email WHERE false)`;
  return `known AS MATERIALIZED (SELECT email FROM (${sources.join(" UNION ")}) e WHERE email <> '')`;
}

const matchesNobody = (column: string) =>
  `count(*) FILTER (WHERE ${norm(column)} IS NULL OR ${norm(column)} NOT IN (SELECT email FROM known))`;

async function scorecardCounts(db: Queryable, d: LegacyDiscovery): Promise<ScorecardInventory[]> {
  if (!d.scorecards.length) return [];
  const branches = d.scorecards.map(
    (s, k) => `SELECT ${k} AS k, count(*) AS rows, min(audit_date)::text AS first, max(audit_date)::text AS last,
                      ${matchesNobody("employee_email")} AS employee_nobody, ${matchesNobody("auditor_email")} AS auditor_nobody
                 FROM ${qualified(d.schema, s.tableName)}`,
  );
  const { rows } = await db.query<Counts>(`WITH ${knownEmails(d)} ${branches.join("\nUNION ALL ")}`);
  const byIndex = new Map(rows.map((r) => [Number(r.k), r]));
  return d.scorecards.map((s, k) => {
    const r = byIndex.get(k)!;
    return {
      id: s.id,
      name: s.name,
      table: s.tableName,
      channel: s.channel,
      fields: s.fields.length,
      rows: Number(r.rows),
      firstAuditDate: r.first,
      lastAuditDate: r.last,
      employeeEmailsMatchingNobody: Number(r.employee_nobody),
      auditorEmailsMatchingNobody: Number(r.auditor_nobody),
    };
  });
}

async function identityCounts(db: Queryable, d: LegacyDiscovery): Promise<IdentityInventory | null> {
  if (!d.conformingTables.includes("users") || !d.conformingTables.includes("people")) return null;
  const perEmail = (t: string) =>
    `SELECT nullif(${norm("email")}, '') AS email, count(*) AS n FROM ${qualified(d.schema, t)} GROUP BY 1`;
  const { rows } = await db.query<Counts>(
    `WITH u AS (${perEmail("users")}), p AS (${perEmail("people")})
     SELECT coalesce(sum(u.n), 0) AS users_rows, coalesce(sum(p.n), 0) AS people_rows,
            count(u.email) AS users_emails, count(p.email) AS people_emails,
            count(*) FILTER (WHERE u.email IS NOT NULL AND p.n IS NULL) AS only_users,
            count(*) FILTER (WHERE p.email IS NOT NULL AND u.n IS NULL) AS only_people,
            count(*) FILTER (WHERE u.email IS NOT NULL AND p.email IS NOT NULL) AS in_both,
            count(*) FILTER (WHERE u.email IS NOT NULL AND u.n > 1) AS users_duplicates,
            count(*) FILTER (WHERE p.email IS NOT NULL AND p.n > 1) AS people_duplicates,
            coalesce(sum(u.n) FILTER (WHERE u.n IS NOT NULL AND u.email IS NULL), 0) AS users_without,
            coalesce(sum(p.n) FILTER (WHERE p.n IS NOT NULL AND p.email IS NULL), 0) AS people_without
       FROM u FULL JOIN p ON p.email = u.email`,
  );
  const r = rows[0]!;
  return {
    usersRows: Number(r.users_rows),
    peopleRows: Number(r.people_rows),
    usersEmails: Number(r.users_emails),
    peopleEmails: Number(r.people_emails),
    onlyInUsers: Number(r.only_users),
    onlyInPeople: Number(r.only_people),
    inBoth: Number(r.in_both),
    usersDuplicateEmails: Number(r.users_duplicates),
    peopleDuplicateEmails: Number(r.people_duplicates),
    usersWithoutEmail: Number(r.users_without),
    peopleWithoutEmail: Number(r.people_without),
  };
}

async function assignmentCounts(db: Queryable, d: LegacyDiscovery): Promise<AssignmentsInventory | null> {
  if (!d.conformingTables.includes("audit_assignments")) return null;
  const { rows } = await db.query<Counts>(
    `WITH ${knownEmails(d)}
     SELECT count(*) AS rows, ${matchesNobody("auditor_email")} AS auditor_nobody,
            ${matchesNobody("employee_email")} AS employee_nobody,
            count(*) FILTER (WHERE scorecard_table IS NULL OR NOT (scorecard_table = ANY ($1::text[]))) AS unknown_table
       FROM ${qualified(d.schema, "audit_assignments")}`,
    [d.scorecards.map((s) => s.tableName)],
  );
  const r = rows[0]!;
  return {
    rows: Number(r.rows),
    auditorEmailsMatchingNobody: Number(r.auditor_nobody),
    employeeEmailsMatchingNobody: Number(r.employee_nobody),
    unknownScorecardTable: Number(r.unknown_table),
  };
}

async function notificationCounts(db: Queryable, d: LegacyDiscovery): Promise<NotificationsInventory | null> {
  if (!d.conformingTables.includes("notifications")) return null;
  const { rows } = await db.query<Counts>(
    `WITH ${knownEmails(d)}
     SELECT count(*) AS rows, ${matchesNobody("recipient_email")} AS recipient_nobody,
            count(*) FILTER (WHERE audit_table IS NOT NULL AND NOT (audit_table = ANY ($1::text[]))) AS unknown_table
       FROM ${qualified(d.schema, "notifications")}`,
    [d.scorecards.map((s) => s.tableName)],
  );
  const r = rows[0]!;
  return {
    rows: Number(r.rows),
    recipientEmailsMatchingNobody: Number(r.recipient_nobody),
    unknownAuditTable: Number(r.unknown_table),
  };
}

/** Counts everything afresh (one statement per kind of table, run side by side) and caches it. */
export async function computeInventory(db: Queryable, at?: string): Promise<Inventory> {
  const schema = at ?? (await legacyLocation(db)).schema;
  const started = performance.now();
  const computedAt = new Date();
  const discovery = await discoverLegacy(db, schema);
  const [scorecards, identity, assignments, notifications] = await Promise.all([
    scorecardCounts(db, discovery),
    identityCounts(db, discovery),
    assignmentCounts(db, discovery),
    notificationCounts(db, discovery),
  ]);
  const inventory: Inventory = {
    version: INVENTORY_VERSION,
    schema,
    computedAt: computedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    audits: scorecards.reduce((n, s) => n + s.rows, 0),
    scorecards,
    identity,
    assignments,
    notifications,
    anomalies: discovery.anomalies,
  };
  await prisma().inventorySnapshot.create({
    data: { computedAt, durationMs: inventory.durationMs, legacySchema: schema, data: JSON.parse(JSON.stringify(inventory)) },
  });
  return inventory;
}

/** The latest cached inventory of the schema, or null when none was computed (by this version). */
export async function readInventory(at?: string): Promise<Inventory | null> {
  const schema = at ?? (await legacyLocation(pool())).schema;
  const row = await prisma().inventorySnapshot.findFirst({
    where: { legacySchema: schema },
    orderBy: [{ computedAt: "desc" }, { id: "desc" }],
  });
  const data = row?.data as Inventory | undefined;
  if (!row || !data || data.version !== INVENTORY_VERSION) return null;
  return { ...data, computedAt: row.computedAt.toISOString() };
}

/** A person asks for fresh counts: the same computation, checked and logged like every action. */
export async function recountInventory(actor: Principal): Promise<Inventory> {
  await authorize(actor, "inventory.recompute");
  const inventory = await computeInventory(pool());
  await recordActivity({
    actor,
    action: "inventory.recompute",
    target: inventory.schema,
    outcome: "ok",
    detail: { durationMs: inventory.durationMs, audits: inventory.audits },
  });
  return inventory;
}
