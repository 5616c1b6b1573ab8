import { expect } from "vitest";
import { pool } from "@/lib/db/pool";
import { qualified } from "@/lib/db/sql";
import { getAuditReport, getEmployee, getScorecardSummary, type DateRange } from "../adapter";

export const EVERYTHING: DateRange = { from: "1900-01-01", to: "2100-12-31" };

/** Every email spelling the legacy tables hold, as people would type them (raw, not normalised). */
export async function legacySpellings(auditTables: string[], limit = 100000): Promise<string[]> {
  const audits = auditTables.map((t) => `SELECT employee_email AS e FROM ${qualified("public", t)}`).join(" UNION ");
  const { rows } = await pool().query<{ e: string }>(
    `SELECT e FROM (SELECT email AS e FROM public.users UNION SELECT email FROM public.people ${audits ? `UNION ${audits}` : ""}) x
      WHERE e IS NOT NULL AND btrim(e) <> '' ORDER BY e LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.e);
}

/** For each email: the legacy and the unified answers of the adapter are equal, and say which side answered. */
export async function expectBothPathsEqual(emails: string[], ranges: DateRange[] = [EVERYTHING]) {
  let employees = 0;
  let audits = 0;
  for (const email of emails) {
    const [legacy, unified] = await Promise.all([getEmployee(email, { source: "legacy" }), getEmployee(email, { source: "unified" })]);
    expect([legacy.source, unified.source]).toEqual(["legacy", "unified"]);
    expect({ email, record: unified.data }).toEqual({ email, record: legacy.data });
    if (legacy.data) employees++;
    for (const range of ranges) {
      const [l, u] = await Promise.all([getAuditReport(email, range, { source: "legacy" }), getAuditReport(email, range, { source: "unified" })]);
      expect({ email, range, audits: u.data.audits }).toEqual({ email, range, audits: l.data.audits });
      audits += l.data.audits.length;
    }
  }
  for (const range of ranges) {
    const [l, u] = await Promise.all([getScorecardSummary(range, { source: "legacy" }), getScorecardSummary(range, { source: "unified" })]);
    expect({ range, summary: u.data }).toEqual({ range, summary: l.data });
  }
  return { employees, audits };
}
