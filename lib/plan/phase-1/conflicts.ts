import { recordActivity } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { qualified } from "@/lib/db/sql";
import { relationExists } from "../catalog";
import { UNIFIED_SCHEMA } from "@/lib/plan/plan";
import { mergeIdentities } from "./merge-identities";
import { EngineError } from "@/lib/engine/errors";

/**
 * The merge conflicts of Phase 1 as people review them, and the leads' overrides of the merge
 * rules. Conflicts live in unified.merge_conflicts, which exists only while Phase 1's objects do;
 * overrides live in the console's own schema so they survive a rollback and apply on the next run
 * of the merge step.
 */

/** The employee fields the merge step lets a lead's override decide. */
export const OVERRIDABLE_FIELDS = [
  "full_name", "role", "department", "team", "country", "manager_email", "hire_date", "is_active",
] as const;
export type OverridableField = (typeof OVERRIDABLE_FIELDS)[number];

// Manager problems are reported under their own names, but a lead settles them by choosing the
// manager's email.
const OVERRIDE_FIELD_OF_CONFLICT: Record<string, OverridableField> = {
  ...Object.fromEntries(OVERRIDABLE_FIELDS.map((f) => [f, f])),
  manager: "manager_email",
  manager_cycle: "manager_email",
};

/** Which override settles a conflict of `field`, or null when no override can (duplicate rows, missing emails). */
export function overrideFieldFor(conflictField: string): OverridableField | null {
  return OVERRIDE_FIELD_OF_CONFLICT[conflictField] ?? null;
}

function conflictFieldsSettledBy(field: OverridableField): string[] {
  return Object.entries(OVERRIDE_FIELD_OF_CONFLICT).filter(([, f]) => f === field).map(([c]) => c);
}

export class ConflictOverrideError extends EngineError {
  override name = "ConflictOverrideError";
}

export const CONFLICTS_PAGE_SIZE = 50;

export interface ConflictOverrideView {
  value: string | null;
  comment: string;
  decidedBy: string;
  decidedAt: Date;
  /** Decided after the latest merge step began, so not yet applied to employees. */
  pending: boolean;
}

export interface ConflictRow {
  id: string;
  emailNormalized: string | null;
  field: string;
  chosenValue: string | null;
  chosenSource: string | null;
  alternativeValue: string | null;
  alternativeSource: string;
  rule: string;
  overrideField: OverridableField | null;
  override: ConflictOverrideView | null;
}

export interface ConflictPage {
  /** False while unified.merge_conflicts does not exist: Phase 1 has not run, or was rolled back. */
  available: boolean;
  rows: ConflictRow[];
  total: number;
  /** Where the next page starts (an opaque cursor), or null on the last page. */
  next: string | null;
}

/** A keyset cursor over (email_normalized NULLS LAST, field, alternative_source): the last row shown. */
type Cursor = [email: string | null, field: string, source: string];

export function encodeConflictCursor(row: { email_normalized: string | null; field: string; alternative_source: string }): string {
  return Buffer.from(JSON.stringify([row.email_normalized, row.field, row.alternative_source])).toString("base64url");
}

export class ConflictCursorError extends EngineError {
  override name = "ConflictCursorError";
}

function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(value) && value.length === 3 && (value[0] === null || typeof value[0] === "string") && typeof value[1] === "string" && typeof value[2] === "string") {
      return value as Cursor;
    }
  } catch {
    // fall through
  }
  throw new ConflictCursorError("This page of conflicts does not exist: start from the first page");
}

const CONFLICTS = qualified(UNIFIED_SCHEMA, "merge_conflicts");

function isMissingRelation(error: unknown): boolean {
  return (error as { code?: string })?.code === "42P01";
}

/** Runs a read of merge_conflicts, or returns null when the table is absent (even if dropped mid-read). */
async function whileConflictsExist<T>(read: () => Promise<T>): Promise<T | null> {
  if (!(await relationExists(pool(), UNIFIED_SCHEMA, "merge_conflicts"))) return null;
  try {
    return await read();
  } catch (error) {
    if (isMissingRelation(error)) return null;
    throw error;
  }
}

/**
 * When the latest merge step that completed began: overrides decided before it are in employees,
 * later ones wait for the next run. (Its start, not its end: a bucket merged before the decision
 * did not see it.)
 */
export async function lastMergeStartedAt(): Promise<Date | null> {
  const step = await prisma().stepRun.findFirst({
    where: { stepId: mergeIdentities.id, status: "succeeded", startedAt: { not: null }, run: { kind: "run" } },
    orderBy: { startedAt: "desc" },
    select: { startedAt: true },
  });
  return step?.startedAt ?? null;
}

export function isPending(decidedAt: Date, mergeStartedAt: Date | null): boolean {
  return mergeStartedAt === null || decidedAt.getTime() > mergeStartedAt.getTime();
}

/** Overrides not yet applied to employees: they take effect on the next run of the merge step. */
export async function pendingOverrides() {
  const since = await lastMergeStartedAt();
  return prisma().conflictOverride.findMany({
    where: since ? { decidedAt: { gt: since } } : {},
    orderBy: [{ emailNormalized: "asc" }, { field: "asc" }],
  });
}

function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

interface ConflictDbRow {
  id: string;
  email_normalized: string | null;
  field: string;
  chosen_value: string | null;
  chosen_source: string | null;
  alternative_value: string | null;
  alternative_source: string;
  rule: string;
}

/** One page of conflicts, filtered by field and by a part of the normalised email. */
/**
 * One page of conflicts, filtered by field and by a part of the normalised email, a person's
 * conflicts together. Keyset-paged: each page continues after the last row of the previous one,
 * read through the unique index on (email_normalized, field, alternative_source), so a page costs
 * the same at any depth; the rows without an email come last.
 */
export async function listConflicts(filter: { field?: string; search?: string; after?: string }): Promise<ConflictPage> {
  const field = filter.field?.trim() || null;
  const search = filter.search?.trim().toLowerCase() || null;
  const cursor = filter.after ? decodeCursor(filter.after) : null;
  const inNullSection = cursor !== null && cursor[0] === null;
  const params = [field, search ? likePattern(search) : null];
  const where = `($1::text IS NULL OR field = $1) AND ($2::text IS NULL OR email_normalized LIKE $2 ESCAPE '\\')`;
  const columns = "id::text, email_normalized, field, chosen_value, chosen_source, alternative_value, alternative_source, rule";
  const found = await whileConflictsExist(async () => {
    const counted = await pool().query<{ n: string }>(`SELECT count(*) AS n FROM ${CONFLICTS} WHERE ${where}`, params);
    const { rows } = await pool().query<ConflictDbRow>(
      `SELECT * FROM (
         (SELECT ${columns} FROM ${CONFLICTS}
           WHERE ${where} AND email_normalized IS NOT NULL AND NOT $7::boolean
             AND ($3::text IS NULL OR (email_normalized, field, alternative_source) > ($3, $4, $5))
           ORDER BY email_normalized, field, alternative_source LIMIT $6)
         UNION ALL
         (SELECT ${columns} FROM ${CONFLICTS}
           WHERE ${where} AND email_normalized IS NULL AND (NOT $7::boolean OR (field, alternative_source) > ($4, $5))
           ORDER BY field, alternative_source LIMIT $6)
       ) page ORDER BY email_normalized NULLS LAST, field, alternative_source LIMIT $6`,
      [...params, cursor?.[0] ?? null, cursor?.[1] ?? null, cursor?.[2] ?? null, CONFLICTS_PAGE_SIZE + 1, inNullSection],
    );
    return { total: Number(counted.rows[0]?.n ?? 0), rows: rows.slice(0, CONFLICTS_PAGE_SIZE), more: rows.length > CONFLICTS_PAGE_SIZE };
  });
  if (!found) return { available: false, rows: [], total: 0, next: null };

  const emails = [...new Set(found.rows.map((r) => r.email_normalized).filter((e): e is string => e !== null))];
  const [overrides, mergeStartedAt] = await Promise.all([
    emails.length ? prisma().conflictOverride.findMany({ where: { emailNormalized: { in: emails } } }) : Promise.resolve([]),
    lastMergeStartedAt(),
  ]);
  const overrideOf = new Map(overrides.map((o) => [`${o.emailNormalized}\u0000${o.field}`, o]));
  const last = found.rows[found.rows.length - 1];
  return {
    available: true,
    total: found.total,
    next: found.more && last ? encodeConflictCursor(last) : null,
    rows: found.rows.map((r) => {
      const overrideField = r.email_normalized === null ? null : overrideFieldFor(r.field);
      const o = overrideField ? overrideOf.get(`${r.email_normalized}\u0000${overrideField}`) : undefined;
      return {
        id: r.id,
        emailNormalized: r.email_normalized,
        field: r.field,
        chosenValue: r.chosen_value,
        chosenSource: r.chosen_source,
        alternativeValue: r.alternative_value,
        alternativeSource: r.alternative_source,
        rule: r.rule,
        overrideField,
        override: o
          ? { value: o.value, comment: o.comment, decidedBy: o.decidedBy, decidedAt: o.decidedAt, pending: isPending(o.decidedAt, mergeStartedAt) }
          : null,
      };
    }),
  };
}

/** The fields that have conflicts, with how many each: the filter's choices. */
export async function conflictFields(): Promise<{ field: string; count: number }[]> {
  const found = await whileConflictsExist(async () => {
    const { rows } = await pool().query<{ field: string; n: string }>(
      `SELECT field, count(*) AS n FROM ${CONFLICTS} GROUP BY field ORDER BY field`,
    );
    return rows.map((r) => ({ field: r.field, count: Number(r.n) }));
  });
  return found ?? [];
}

/** How many conflicts each field and rule produced: the workbench's summary, largest first. */
export async function conflictSummary(): Promise<{ field: string; rule: string; count: number }[]> {
  const found = await whileConflictsExist(async () => {
    const { rows } = await pool().query<{ field: string; rule: string; n: string }>(
      `SELECT field, rule, count(*) AS n FROM ${CONFLICTS} GROUP BY field, rule ORDER BY count(*) DESC, field, rule`,
    );
    return rows.map((r) => ({ field: r.field, rule: r.rule, count: Number(r.n) }));
  });
  return found ?? [];
}

const CSV_COLUMNS = ["email_normalized", "field", "chosen_value", "chosen_source", "alternative_value", "alternative_source", "rule"] as const;

/**
 * One CSV cell: quoted when it must be, quotes doubled, and a leading =, +, - or @ defused so a
 * spreadsheet never runs a legacy value as a formula.
 */
function csvCell(value: string | null): string {
  if (value === null) return "";
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Every conflict matching the filters as CSV lines (header first), read page by page. */
export async function* conflictsCsv(filter: { field?: string; search?: string }): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(",")}\n`;
  let after: string | undefined;
  for (;;) {
    const page = await listConflicts({ ...filter, after });
    for (const r of page.rows) {
      const cells = [r.emailNormalized, r.field, r.chosenValue, r.chosenSource, r.alternativeValue, r.alternativeSource, r.rule];
      yield `${cells.map(csvCell).join(",")}\n`;
    }
    if (!page.next) return;
    after = page.next;
  }
}

const MAX_VALUE_LENGTH = 500;

/** The value as the merge step will cast it, or a refusal a lead can act on. */
function checkedValue(field: OverridableField, raw: string): string {
  const value = raw.trim();
  if (!value) throw new ConflictOverrideError("Choose one of the recorded values or type the value the merge should use");
  if (value.length > MAX_VALUE_LENGTH) throw new ConflictOverrideError(`A value is at most ${MAX_VALUE_LENGTH} characters`);
  if (field === "is_active") {
    const normalised = value.toLowerCase();
    if (normalised !== "true" && normalised !== "false") throw new ConflictOverrideError("is_active is true or false");
    return normalised;
  }
  if (field === "hire_date") {
    const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : null;
    if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
      throw new ConflictOverrideError("hire_date is a date written YYYY-MM-DD");
    }
  }
  if (field === "manager_email" && !/^[^\s@]+@[^\s@]+$/.test(value)) {
    throw new ConflictOverrideError("manager_email is an email address");
  }
  return value;
}

/**
 * A lead decides a conflicted field for one person. The decision is recorded (and logged) now and
 * applied to employees by the next run of the merge step, where an override beats every rule.
 */
export async function overrideConflict(input: {
  emailNormalized: string;
  field: string;
  value: string;
  comment: string;
  actor: Principal;
}) {
  await authorize(input.actor, "conflict.override", `${input.emailNormalized} ${input.field}`);
  const field = OVERRIDABLE_FIELDS.find((f) => f === input.field);
  if (!field) {
    throw new ConflictOverrideError(`"${input.field}" cannot be overridden: the merge applies overrides to ${OVERRIDABLE_FIELDS.join(", ")}`);
  }
  const email = input.emailNormalized.trim().toLowerCase();
  const comment = input.comment.trim();
  if (!comment) throw new ConflictOverrideError("Say why you override the merge rule: a comment is required");
  const value = checkedValue(field, input.value);
  const recorded = await whileConflictsExist(async () => {
    const { rows } = await pool().query<{ n: string }>(
      `SELECT count(*) AS n FROM ${CONFLICTS} WHERE email_normalized = $1 AND field = ANY($2::text[])`,
      [email, conflictFieldsSettledBy(field)],
    );
    return Number(rows[0]?.n ?? 0);
  });
  if (recorded === null) {
    throw new ConflictOverrideError("There are no merge conflicts to override: Phase 1 has not run, or was rolled back");
  }
  if (recorded === 0) throw new ConflictOverrideError(`No conflict is recorded for ${field} of ${email}`);

  const previous = await prisma().conflictOverride.findUnique({ where: { emailNormalized_field: { emailNormalized: email, field } } });
  const decidedBy = input.actor.email ?? "unknown";
  const saved = await prisma().conflictOverride.upsert({
    where: { emailNormalized_field: { emailNormalized: email, field } },
    create: { emailNormalized: email, field, value, comment, decidedBy },
    update: { value, comment, decidedBy, decidedAt: new Date() },
  });
  await recordActivity({
    actor: input.actor,
    action: "conflict.override",
    target: `${email} ${field}`,
    outcome: "ok",
    detail: { value, comment, previous: previous?.value ?? null },
  });
  return saved;
}

/**
 * A lead takes back an override: the rule decides again from the next run of the merge step
 * (until then the employee keeps the value the override set).
 */
export async function withdrawOverride(input: { emailNormalized: string; field: string; actor: Principal }) {
  await authorize(input.actor, "conflict.withdraw", `${input.emailNormalized} ${input.field}`);
  const email = input.emailNormalized.trim().toLowerCase();
  const existing = await prisma().conflictOverride.findUnique({
    where: { emailNormalized_field: { emailNormalized: email, field: input.field } },
  });
  if (!existing) throw new ConflictOverrideError(`There is no override of ${input.field} for ${email} to withdraw`);
  await prisma().conflictOverride.delete({ where: { emailNormalized_field: { emailNormalized: email, field: input.field } } });
  await recordActivity({
    actor: input.actor,
    action: "conflict.withdraw",
    target: `${email} ${input.field}`,
    outcome: "ok",
    detail: { value: existing.value, comment: existing.comment, decidedBy: existing.decidedBy },
  });
}
