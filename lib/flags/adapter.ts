import { legacyAuditReport, legacyEmployee, legacyScorecardSummary } from "./adapter-legacy";
import type { Answered, AuditReport, DateRange, EmployeeRecord, ScorecardSummary, Source } from "./adapter-types";
import { unifiedAuditReport, unifiedEmployee, unifiedScorecardSummary } from "./adapter-unified";
import { FLAG_KEYS } from "./keys";
import { effectiveFlags } from "./store";

export type { Answered, AuditEntry, AuditReport, DateRange, EmployeeRecord, ScorecardSummary, Source } from "./adapter-types";

/**
 * The application adapter of the migration plan: the same three questions answered from the legacy
 * tables or the unified ones, as the flags say, in the same shape either way. Employees follow
 * USE_UNIFIED_EMPLOYEES_TABLE; audits follow USE_UNIFIED_AUDITS_TABLE. A caller (a test, a
 * comparison) may name the source instead.
 */
export class AdapterInputError extends Error {
  override name = "AdapterInputError";
  readonly expected = true;
}

async function sourceFor(key: string, chosen?: Source): Promise<Answered<null>["flag"] & { source: Source }> {
  if (chosen) return { key, on: chosen === "unified", from: "caller", source: chosen };
  const flag = (await effectiveFlags()).get(key);
  const on = flag?.value ?? false;
  return { key, on, from: flag?.source ?? "database", source: on ? "unified" : "legacy" };
}

async function answer<T>(key: string, chosen: Source | undefined, run: (source: Source) => Promise<T>): Promise<Answered<T>> {
  const { source, ...flag } = await sourceFor(key, chosen);
  const started = performance.now();
  const data = await run(source);
  return { data, source, flag, durationMs: Math.round((performance.now() - started) * 100) / 100 };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function checkEmail(email: string): string {
  if (typeof email !== "string" || !email.trim()) throw new AdapterInputError("Give an email to look up");
  if (email.length > 320 || email.includes("\u0000")) throw new AdapterInputError("That is not an email address");
  return email;
}

function checkRange(range: DateRange): DateRange {
  if (!DAY.test(range.from) || !DAY.test(range.to) || Number.isNaN(Date.parse(range.from)) || Number.isNaN(Date.parse(range.to))) {
    throw new AdapterInputError("Dates are YYYY-MM-DD");
  }
  if (range.from > range.to) throw new AdapterInputError("The range starts after it ends");
  return range;
}

export async function getEmployee(email: string, options: { source?: Source } = {}): Promise<Answered<EmployeeRecord | null>> {
  const e = checkEmail(email);
  return answer(FLAG_KEYS.employees, options.source, (s) => (s === "unified" ? unifiedEmployee(e) : legacyEmployee(e)));
}

export async function getAuditReport(employeeEmail: string, range: DateRange, options: { source?: Source } = {}): Promise<Answered<AuditReport>> {
  const e = checkEmail(employeeEmail);
  const r = checkRange(range);
  return answer(FLAG_KEYS.audits, options.source, async (s) => ({
    employeeEmail: e,
    range: r,
    audits: s === "unified" ? await unifiedAuditReport(e, r) : await legacyAuditReport(e, r),
  }));
}

/** The cross-scorecard question the legacy schema made hard: every scorecard side by side over a range. */
export async function getScorecardSummary(range: DateRange, options: { source?: Source } = {}): Promise<Answered<ScorecardSummary[]>> {
  const r = checkRange(range);
  return answer(FLAG_KEYS.audits, options.source, (s) => (s === "unified" ? unifiedScorecardSummary(r) : legacyScorecardSummary(r)));
}
