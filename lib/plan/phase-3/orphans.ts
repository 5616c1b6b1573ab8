import { prisma } from "@/lib/db/prisma";
import { pool } from "@/lib/db/pool";
import { UNIFIED_SCHEMA } from "../plan";
import { relationExists } from "../catalog";

/**
 * The orphan report of Phase 3: every reference of an assignment or a notification that resolves
 * to nothing (an email no employee has, a table that is no scorecard's, an audit past the last
 * one), read live from `unified.link_orphans`. Nothing here changes data.
 */
export const ORPHAN_PAGE_SIZE = 100;

export const ORPHAN_REFERENCES: Record<string, string> = {
  auditor_email: "auditor's email matches no employee",
  employee_email: "employee's email matches no employee",
  scorecard_table: "names a table that is no scorecard's",
  recipient_email: "recipient's email matches no employee",
  audit_id: "points past the last audit of its table",
  audit_table: "points at a table that is no scorecard's",
};

export interface OrphanFilter {
  table?: string;
  reference?: string;
  /** Keyset: the (source_table, legacy_id, reference) of the last row of the previous page. */
  after?: { table: string; legacyId: number; reference: string };
}

export interface OrphanPage {
  available: boolean;
  summary: { table: string; reference: string; count: number }[];
  rows: { table: string; legacyId: number; reference: string; value: string | null }[];
  next: OrphanFilter["after"] | null;
}

export async function listOrphans(filter: OrphanFilter = {}): Promise<OrphanPage> {
  if (!(await relationExists(pool(), UNIFIED_SCHEMA, "link_orphans"))) return { available: false, summary: [], rows: [], next: null };
  const grouped = await prisma().linkOrphan.groupBy({ by: ["sourceTable", "reference"], _count: { _all: true }, orderBy: [{ sourceTable: "asc" }, { reference: "asc" }] });
  const where = {
    ...(filter.table ? { sourceTable: filter.table } : {}),
    ...(filter.reference ? { reference: filter.reference } : {}),
    ...(filter.after
      ? {
          OR: [
            { sourceTable: { gt: filter.after.table } },
            { sourceTable: filter.after.table, legacyId: { gt: filter.after.legacyId } },
            { sourceTable: filter.after.table, legacyId: filter.after.legacyId, reference: { gt: filter.after.reference } },
          ],
        }
      : {}),
  };
  const found = await prisma().linkOrphan.findMany({
    where,
    orderBy: [{ sourceTable: "asc" }, { legacyId: "asc" }, { reference: "asc" }],
    take: ORPHAN_PAGE_SIZE + 1,
  });
  const rows = found.slice(0, ORPHAN_PAGE_SIZE).map((o) => ({ table: o.sourceTable ?? "", legacyId: o.legacyId ?? 0, reference: o.reference ?? "", value: o.value }));
  const last = rows.at(-1);
  return {
    available: true,
    summary: grouped.map((g) => ({ table: g.sourceTable ?? "", reference: g.reference ?? "", count: g._count._all })),
    rows,
    next: found.length > ORPHAN_PAGE_SIZE && last ? { table: last.table, legacyId: last.legacyId, reference: last.reference } : null,
  };
}
