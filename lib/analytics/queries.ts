import { prisma } from "@/lib/db/prisma";
import { auditorsFromVectors, type AuditorsResult } from "./auditor-vectors";
import { histogramMedian } from "./median";
import { servedRange } from "./prewarm";
import { summariesExist } from "./refresh";
import type { AnalyticsFilters } from "./filters";
import {
  auditorMonthsQuery,
  AUDITORS_PAGE,
  auditorsPageQuery,
  auditorTotalQuery,
  byChannelQuery,
  byScorecardQuery,
  employeeQuery,
  scorecardByMonthQuery,
  SETTLED_AUDITS,
  turnaroundQuery,
  volumeByMonthQuery,
  type AnalyticsQuery,
} from "./sql";
import {
  AUDITOR_SORTS,
  type AuditorData,
  type AuditorRow,
  type AuditorSort,
  type AuditorsData,
  type EmployeeData,
  type Freshness,
  type Loaded,
  type NotReady,
  type Options,
  type OverviewData,
} from "./types";

/**
 * The analytics pages' reads, through the Prisma client over audit_statistics and
 * auditor_performance (the SQL and its parameters in ./sql.ts, explained by Phase 4's index review).
 */
async function rows<T>(query: AnalyticsQuery): Promise<T[]> {
  return prisma().$queryRawUnsafe<T[]>(query.sql, ...query.params);
}

/** Before Phase 4 has run: what is missing and who can fix it. */
export async function readiness(): Promise<NotReady | null> {
  if (await summariesExist()) return null;
  const last = await prisma().phaseRun.findFirst({ where: { phase: 4, kind: "run" }, orderBy: { id: "desc" }, select: { status: true } });
  const state = last ? `Phase 4's last run ${last.status.replace("_", " ")}` : "Phase 4 has not run yet";
  return {
    ready: false,
    missing: `${state}: the analytics read audit_statistics and auditor_performance, which Phase 4 creates.`,
    who: "A team lead approves Phase 4's plan and an admin runs it, on the Phases page (Phases 1–3 first).",
  };
}

export async function freshness(): Promise<Freshness> {
  const last = await prisma().analyticsRefresh.findFirst({ where: { status: "succeeded" }, orderBy: { id: "desc" } });
  const running = await prisma().analyticsRefresh.count({ where: { status: "running" } });
  const loaded = await prisma().phaseRun.findFirst({ where: { phase: 4, kind: "run", status: "succeeded" }, orderBy: { id: "desc" }, select: { startedAt: true } });
  const pending = await prisma().analyticsChange.count();
  const candidates = [last?.startedAt, loaded?.startedAt].filter((d): d is Date => Boolean(d));
  const asOf = candidates.length ? new Date(Math.max(...candidates.map((d) => d.getTime()))).toISOString() : null;
  return {
    asOf,
    pendingChanges: pending,
    refreshing: running > 0,
    last: last
      ? { id: last.id, mode: last.mode, durationMs: last.durationMs, statisticsGroups: last.statisticsGroups, auditorMonths: last.auditorMonths, finishedAt: last.finishedAt?.toISOString() ?? null }
      : null,
  };
}

const NO_OPTIONS: Options = { scorecards: [], channels: [], departments: [], teams: [], months: { first: null, last: null } };

export async function filterOptions(): Promise<Options> {
  // Before Phase 4 some of the reference tables may not exist yet: the pages then show what is missing.
  if (!(await summariesExist())) return NO_OPTIONS;
  const db = prisma();
  const [scorecards, channels, departments, teams] = await Promise.all([
    db.scorecard.findMany({ select: { id: true, name: true, sourceTable: true }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
    db.channel.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
    db.department.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
    db.team.findMany({ select: { id: true, name: true, departmentId: true }, orderBy: { name: "asc" } }),
  ]);
  // The months the summaries span, from the totals (a few hundred rows, the same months: they are
  // audit_statistics summed): min/max over audit_statistics itself read every group, ≈ 1 s at 10M.
  const span = await db.scorecardMonthTotal.aggregate({ _min: { month: true }, _max: { month: true } });
  const month = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 7) : null);
  return {
    scorecards: scorecards.map((s) => ({ id: s.id, name: s.name ?? s.sourceTable })),
    channels,
    departments,
    teams,
    months: { first: month(span?._min.month), last: month(span?._max.month) },
  };
}

interface SummaryRow {
  audits: number;
  avg_score: number | null;
  pass_rate: number | null;
}
const summary = (r: SummaryRow) => ({ audits: r.audits, avgScore: r.avg_score, passRate: r.pass_rate });

export async function overview(filters: AnalyticsFilters): Promise<Loaded<OverviewData>> {
  const missing = await readiness();
  if (missing) return missing;
  const [months, scorecards, channels, comparison, fresh] = await Promise.all([
    rows<SummaryRow & { month: string }>(volumeByMonthQuery(filters)),
    rows<SummaryRow & { id: number; name: string }>(byScorecardQuery(filters)),
    rows<SummaryRow & { id: number | null; name: string }>(byChannelQuery(filters)),
    rows<SummaryRow & { month: string; id: number }>(scorecardByMonthQuery(filters)),
    freshness(),
  ]);
  const byMonth = new Map<string, Record<string, number | null>>();
  for (const r of comparison) {
    const scores = byMonth.get(r.month) ?? {};
    scores[String(r.id)] = r.avg_score;
    byMonth.set(r.month, scores);
  }
  return {
    ready: true,
    filters,
    freshness: fresh,
    months: months.map((r) => ({ month: r.month, ...summary(r) })),
    scorecards: scorecards.map((r) => ({ id: r.id, name: r.name, ...summary(r) })),
    channels: channels.map((r) => ({ id: r.id, name: r.name, ...summary(r) })),
    comparison: [...byMonth.entries()].map(([month, scores]) => ({ month, scores })),
  };
}

interface PerformanceRow {
  audits: number;
  scored: number;
  avg_score: number | null;
  spread: number | null;
  deviation: number | null;
  matched: number;
}

async function medians(filters: AnalyticsFilters, auditor?: number | string[]): Promise<Map<string, number | null>> {
  const found = await rows<{ id: string; days: number; n: number }>(turnaroundQuery(filters, auditor));
  const byAuditor = new Map<string, { days: number; n: number }[]>();
  for (const r of found) byAuditor.set(r.id, [...(byAuditor.get(r.id) ?? []), { days: r.days, n: r.n }]);
  return new Map([...byAuditor.entries()].map(([id, entries]) => [id, histogramMedian(entries)]));
}

export function sortAuditors(list: AuditorRow[], sort: AuditorSort, dir: "asc" | "desc"): AuditorRow[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...list].sort((a, b) => {
    const x = a[sort];
    const y = b[sort];
    if (x === y) return a.id.localeCompare(b.id);
    if (x === null) return 1;
    if (y === null) return -1;
    return (typeof x === "string" ? x.localeCompare(String(y)) : x - Number(y)) * sign;
  });
}

export function parseSort(params: URLSearchParams | Record<string, string | string[] | undefined>): { sort: AuditorSort; dir: "asc" | "desc" } {
  const get = (k: string) => (params instanceof URLSearchParams ? params.get(k) : ([params[k]].flat()[0] ?? null));
  const sort = (AUDITOR_SORTS as readonly string[]).includes(get("sort") ?? "") ? (get("sort") as AuditorSort) : "audits";
  const dir = get("dir") === "asc" ? "asc" : get("dir") === "desc" ? "desc" : sort === "name" ? "asc" : "desc";
  return { sort, dir };
}

export function parsePage(params: URLSearchParams | Record<string, string | string[] | undefined>): number {
  const raw = params instanceof URLSearchParams ? params.get("page") : ([params.page].flat()[0] ?? null);
  return raw && /^\d{1,6}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : 1;
}

/**
 * Every auditor over the range, one page of them in the order asked, from the running totals (two
 * rows per auditor whatever the range). The turnaround medians are merged from the monthly
 * histograms of the page's auditors only — unless the table is ordered by turnaround, which needs
 * every auditor's median first.
 */
export async function auditors(filters: AnalyticsFilters, order: { sort: AuditorSort; dir: "asc" | "desc" }, page = 1, pageSize = AUDITORS_PAGE): Promise<Loaded<AuditorsData>> {
  const missing = await readiness();
  if (missing) return missing;
  const { sort, dir } = order;
  const offset = (page - 1) * pageSize;
  // Every order comes from the packed months (auditor-vectors.ts), the shown rows' turnaround medians merged in the query that
  // names them (by turnaround, every timed auditor's first); a page the packed months cannot serve from the statement.
  const fromVectors = auditorsFromVectors(filters, { sort, dir }, { limit: pageSize, offset }, SETTLED_AUDITS);
  const [packed, fresh] = await Promise.all([fromVectors, freshness()]);
  let result: AuditorsResult;
  let shown: AuditorRow[];
  if (packed) {
    // Decoded again by this process when a refresh commits (./prewarm.ts): the next reader of the range finds it warm.
    servedRange(filters, "unified");
    result = packed;
    shown = packed.rows.map((r) => ({ ...r, turnaround: packed.turnaround.get(r.id) ?? null }));
  } else if (sort === "turnaround") {
    // By turnaround: every row (its SQL order is irrelevant), sorted here once the medians are known.
    result = (await rows<AuditorsResult>(auditorsPageQuery(filters, { sort: "audits", dir: "desc" }, null, SETTLED_AUDITS)))[0]!;
    const turnaround = await medians(filters);
    const every = result.rows.map((r) => ({ ...r, turnaround: turnaround.get(r.id) ?? null }));
    shown = sortAuditors(every, sort, dir).slice(offset, offset + pageSize);
  } else {
    result = (await rows<AuditorsResult>(auditorsPageQuery(filters, { sort, dir }, { limit: pageSize, offset }, SETTLED_AUDITS)))[0]!;
    const turnaround = result.rows.length ? await medians(filters, result.rows.map((r) => r.id)) : new Map<string, number | null>();
    shown = result.rows.map((r) => ({ ...r, turnaround: turnaround.get(r.id) ?? null }));
  }
  // The band: the middle half of the auditors with enough audits for a deviation to mean something.
  const quartiles = result.settled ? result.settled_band : result.every_band;
  return {
    ready: true,
    filters,
    freshness: fresh,
    ...order,
    rows: shown,
    total: result.total,
    page,
    pageSize,
    busiest: result.busiest.map((r) => ({ ...r, turnaround: null })),
    band: quartiles && quartiles[0] !== null && quartiles[0] !== undefined ? { low: quartiles[0], high: quartiles[1]! } : null,
  };
}

export async function auditor(filters: AnalyticsFilters, id: number): Promise<Loaded<AuditorData>> {
  const missing = await readiness();
  if (missing) return missing;
  const person = await prisma().employee.findUnique({ where: { id: BigInt(id) }, select: { id: true, fullName: true, email: true } });
  const [months, turnaround, totals, fresh] = await Promise.all([
    rows<PerformanceRow & { month: string; turnaround: number | null }>(auditorMonthsQuery(filters, id)),
    medians(filters, id),
    rows<PerformanceRow & { id: string; name: string; email: string }>(auditorTotalQuery(filters, id)).then((all) => all[0] ?? null),
    freshness(),
  ]);
  return {
    ready: true,
    filters,
    freshness: fresh,
    auditor: person ? { id: String(person.id), name: person.fullName?.trim() || person.email, email: person.email } : null,
    total: totals
      ? { id: totals.id, name: totals.name, email: totals.email, audits: totals.audits, avgScore: totals.avg_score, spread: totals.spread, deviation: totals.deviation, turnaround: turnaround.get(totals.id) ?? null, matched: totals.matched }
      : null,
    months: months.map((m) => ({ month: m.month, audits: m.audits, avgScore: m.avg_score, spread: m.spread, deviation: m.deviation, turnaround: m.turnaround })),
  };
}

export async function employee(filters: AnalyticsFilters, id: number | null, search: string | null): Promise<Loaded<EmployeeData>> {
  const missing = await readiness();
  if (missing) return missing;
  const fresh = await freshness();
  const term = search?.trim().toLowerCase() ?? "";
  const matches = term
    ? (
        await prisma().employee.findMany({
          where: { OR: [{ emailNormalized: { contains: term } }, { fullName: { contains: term, mode: "insensitive" } }] },
          select: { id: true, fullName: true, email: true },
          orderBy: { emailNormalized: "asc" },
          take: 12,
        })
      ).map((e) => ({ id: String(e.id), name: e.fullName?.trim() || e.email, email: e.email }))
    : [];
  const person = id ? await prisma().employee.findUnique({ where: { id: BigInt(id) }, select: { id: true, fullName: true, email: true } }) : null;
  if (!person) return { ready: true, filters, freshness: fresh, employee: null, scorecards: [], months: [], matches };
  type Group = [
    month: string, scorecard: number, audits: number, scored: number, sum: number | null, passed: number, judged: number, min: number | null, max: number | null,
    keys: string[], sums: (number | null)[], counts: number[],
  ];
  type Field = [scorecard: number, key: string, label: string, maxScore: number | null];
  const [found] = await rows<{ groups: Group[]; cards: [id: number, name: string][]; fields: Field[] }>(employeeQuery(filters, Number(person.id)));
  const cards = new Map((found?.cards ?? []).map(([id, name]) => [id, { id, name, audits: 0, scored: 0, sum: 0, passed: 0, judged: 0, min: null as number | null, max: null as number | null, sums: new Map<string, number>(), counts: new Map<string, number>() }]));
  const months = new Map<string, { audits: number; sums: Map<string, [number, number]> }>();
  for (const [month, id, audits, scored, sum, passed, judged, min, max, keys, sums, counts] of found?.groups ?? []) {
    const card = cards.get(id)!;
    card.audits += audits;
    card.scored += scored;
    card.sum += sum ?? 0;
    card.passed += passed;
    card.judged += judged;
    if (min !== null) card.min = card.min === null ? min : Math.min(card.min, min);
    if (max !== null) card.max = card.max === null ? max : Math.max(card.max, max);
    keys.forEach((key, i) => {
      card.sums.set(key, (card.sums.get(key) ?? 0) + (sums[i] ?? 0));
      card.counts.set(key, (card.counts.get(key) ?? 0) + (counts[i] ?? 0));
    });
    const m = months.get(month) ?? { audits: 0, sums: new Map() };
    m.audits += audits;
    const [s, n] = m.sums.get(String(id)) ?? [0, 0];
    m.sums.set(String(id), [s + (sum ?? 0), n + scored]);
    months.set(month, m);
  }
  return {
    ready: true,
    filters,
    freshness: fresh,
    employee: { id: String(person.id), name: person.fullName?.trim() || person.email, email: person.email },
    matches,
    scorecards: [...cards.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => ({
        id: c.id,
        name: c.name,
        audits: c.audits,
        avgScore: c.scored ? c.sum / c.scored : null,
        passRate: c.judged ? c.passed / c.judged : null,
        minScore: c.min,
        maxScore: c.max,
        fields: (found?.fields ?? [])
          .filter(([card]) => card === c.id)
          .map(([, key, label, maxScore]) => {
            const scored = c.counts.get(key) ?? 0;
            return { key, label, maxScore, scored, average: scored ? (c.sums.get(key) ?? 0) / scored : null };
          }),
      })),
    months: [...months.entries()].map(([month, m]) => ({
      month,
      audits: m.audits,
      scores: Object.fromEntries([...m.sums.entries()].map(([k, [s, n]]) => [k, n ? s / n : null])),
    })),
  };
}
