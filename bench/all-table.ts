import type { RefreshOutcome } from "@/lib/analytics/refresh";
import type { RehearsedStep } from "@/lib/engine/rehearsal";
import type { Source } from "@/lib/flags/adapter";
import { PAGE_TARGET, pageTargetMet, type PageLatency } from "./analytics-pages";
import { quantile, type RssSummary } from "./cluster";
import type { ConsolePages } from "./console-pages";
import type { StepRunTimes } from "./step-runs";

/** The same-run limits of `npm run bench -- all`, in seconds (bench/all.ts says when each is measured). */
export interface Limits {
  emails: number;
  raw: number;
  jsonb: number;
  indexes: number;
  linksRaw: number;
  linksKeys: number;
  analyticsIndex: number;
  analyticsViews: number;
  checksum: number;
}

export interface PhaseOutcome {
  phase: number;
  runId: number;
  /** The run, request to succeeded, post-run validation included. */
  seconds: number;
  /** Its steps' own times: what the rehearsal predicts (as the phase page compares them). */
  stepsSeconds: number;
  postValidationSeconds: number;
  steps: StepRunTimes[];
  rehearsal: { predictedSeconds: number | null; auditsSampled: number | null; steps: RehearsedStep[]; error: string | null };
}

export interface Journey {
  audits: number;
  links: number;
  limits: Limits;
  phases: PhaseOutcome[];
  validation: { suites: Record<string, number>; total: number; failures: number };
  arrival: { rows: number; seconds: number };
  refresh: RefreshOutcome & { seconds: number; readerMs: number[] };
  analyticsPages: { range: { from: string; to: string }; pages: PageLatency[] };
  employeeLookups: Record<Source, number[]>;
  adapterReports: Record<Source, number[]>;
  consolePages: ConsolePages;
  flagRollbacks: { storeMs: number; endToEndMs: number }[];
  rollbacks: { phase: number; seconds: number }[];
  rss: RssSummary;
}

/** One row of the table; ratio is seconds ÷ limit. */
export interface Line {
  what: string;
  rows?: number;
  seconds?: number;
  limit?: number;
  target?: { text: string; met: boolean };
}

const LIMIT_LABELS: Record<keyof Limits, string> = {
  emails: "limit: distinct normalised emails of every audit table, 2 sessions",
  raw: "limit: raw INSERT … SELECT of the audits, 2 sessions",
  jsonb: "limit: jsonb_build_object load of the audits, 2 sessions",
  indexes: "limit: audits' 5 index builds + FK scans + ANALYZE",
  linksRaw: "limit: raw INSERT … SELECT of assignments + notifications",
  linksKeys: "limit: their index and FK builds + ANALYZE",
  analyticsIndex: "limit: Phase 4's index on audits",
  analyticsViews: "limit: CREATE MATERIALIZED VIEW of both summaries, 2 sessions",
  checksum: "limit: order-independent checksum legacy ∥ unified",
};

/** Which limit a step of Unify's is measured against, and the target the issues set for it. */
const STEP_LIMITS: Record<string, { limit: keyof Limits; atMost?: number }> = {
  "referenced-humans": { limit: "emails" },
  // Issue #16: the load at ≥ 90% of the jsonb limit's rows/s.
  "load-audits": { limit: "jsonb", atMost: 1 / 0.9 },
  "audit-indexes": { limit: "indexes" },
  "load-links": { limit: "linksRaw" },
  "links-keys": { limit: "linksKeys" },
  "analytics-indexes": { limit: "analyticsIndex" },
  "analytics-load": { limit: "analyticsViews" },
};
/** What each whole phase (post-validation included) is measured against; Phase 2's post-validation reads both sides as the checksum does. */
const PHASE_LIMITS: Record<number, (keyof Limits)[]> = { 1: ["emails"], 2: ["jsonb", "indexes", "checksum"], 3: ["linksRaw", "linksKeys"], 4: ["analyticsIndex", "analyticsViews"] };
/** Issue #14 (Phase 1 ≤ 1.5× its floor) and #16 (Phase 2 ≤ 1.2× its limits). */
const PHASE_TARGETS: Record<number, number> = { 1: 1.5, 2: 1.2 };

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function atMost(seconds: number, limit: number, ratio: number): Line["target"] {
  return { text: `≤ ${ratio.toFixed(2)}×`, met: seconds <= limit * ratio };
}

function underSeconds(seconds: number, bound: number, text = `≤ ${bound} s`): Line["target"] {
  return { text, met: seconds <= bound };
}

function limitLines(j: Journey): Line[] {
  return (Object.keys(LIMIT_LABELS) as (keyof Limits)[]).map((k) => ({
    what: LIMIT_LABELS[k],
    rows: k === "linksRaw" || k === "linksKeys" ? j.links : j.audits,
    seconds: j.limits[k],
  }));
}

function phaseLines(p: PhaseOutcome, limits: Limits): Line[] {
  const lines: Line[] = [];
  if (p.rehearsal.error !== null) {
    lines.push({ what: `phase ${p.phase} rehearsal: ${p.rehearsal.error}`, target: { text: "within 25%", met: false } });
  } else if (p.rehearsal.predictedSeconds !== null) {
    const off = Math.abs(p.rehearsal.predictedSeconds / p.stepsSeconds - 1);
    lines.push({
      what: `phase ${p.phase} rehearsal on ${p.rehearsal.auditsSampled ?? 0} sampled audits: predicted s; limit = the steps' actual s`,
      seconds: p.rehearsal.predictedSeconds,
      limit: p.stepsSeconds,
      target: { text: "within 25%", met: off <= 0.25 },
    });
  }
  for (const s of p.steps) {
    const match = STEP_LIMITS[s.step];
    const limit = match ? limits[match.limit] : undefined;
    const target = match?.atMost && limit !== undefined ? atMost(s.seconds, limit, match.atMost) : undefined;
    lines.push({ what: `phase ${p.phase} step ${s.step}${s.units ? ` (${s.units} units)` : ""}`, rows: s.rows || undefined, seconds: s.seconds, limit, target });
  }
  lines.push({ what: `phase ${p.phase} post-validation`, seconds: p.postValidationSeconds, limit: p.phase === 2 ? limits.checksum : undefined });
  const limit = sum(PHASE_LIMITS[p.phase]!.map((k) => limits[k]));
  const bound = PHASE_TARGETS[p.phase];
  lines.push({ what: `phase ${p.phase} (whole run) vs the sum of its limits`, seconds: p.seconds, limit, target: bound ? atMost(p.seconds, limit, bound) : undefined });
  return lines;
}

function validationLines(j: Journey): Line[] {
  const total = sum(j.phases.map((p) => p.seconds));
  const limit = sum(j.phases.flatMap((p) => PHASE_LIMITS[p.phase]!.map((k) => j.limits[k])));
  return [
    { what: "phases 1–4 vs the sum of all their limits", rows: j.audits, seconds: total, limit, target: atMost(total, limit, 1.2) },
    ...Object.entries(j.validation.suites).map(([suite, seconds]) => ({ what: `post-run suite, ${suite}`, seconds })),
    {
      what: `full validation (suites 1–4, ${j.validation.failures} failing checks) vs checksum`,
      rows: j.audits,
      seconds: j.validation.total,
      limit: j.limits.checksum,
      target: atMost(j.validation.total, j.limits.checksum, 1.25),
    },
  ];
}

function analyticsLines(j: Journey): Line[] {
  const r = j.refresh;
  const reader = r.readerMs;
  return [
    { what: "1% new audits into the legacy tables (live sync on)", rows: j.arrival.rows, seconds: j.arrival.seconds },
    {
      what: `incremental refresh: ${r.changes} log rows, ${r.statisticsGroups} groups, ${r.auditorMonths} auditor months`,
      rows: j.arrival.rows,
      seconds: r.seconds,
      target: underSeconds(r.seconds, 20),
    },
    { what: `a reader during that refresh, p95 of ${reader.length} reads (max ${Math.max(...reader).toFixed(1)} ms)`, seconds: quantile(reader, 0.95) / 1000 },
    ...j.analyticsPages.pages.map((p) => ({
      what: `analytics p95 ${p.page} (p50 ${p.unified.p50.toFixed(2)} ms)${p.worstCase ? `, worst case: ${p.worstCase}` : ""}; limit = legacy p95`,
      seconds: p.unified.p95 / 1000,
      limit: p.legacy.p95 / 1000,
      target: p.worstCase ? undefined : { text: PAGE_TARGET, met: pageTargetMet(p)! },
    })),
  ];
}

function versusLegacy(what: string, times: Record<Source, number[]>, boundMs?: number): Line {
  const p95 = quantile(times.unified, 0.95);
  return {
    what: `${what} p95, unified (p50 ${quantile(times.unified, 0.5).toFixed(2)} ms); limit = legacy p95`,
    seconds: p95 / 1000,
    limit: quantile(times.legacy, 0.95) / 1000,
    target: boundMs === undefined ? undefined : { text: `≤ ${boundMs} ms`, met: p95 <= boundMs },
  };
}

function consoleLines(pages: ConsolePages): Line[] {
  if ("skipped" in pages) return [{ what: `console pages over HTTP: ${pages.skipped}` }];
  return pages.pages.map((p) => ({
    what: `HTTP p95 ${p.page} (p50 ${p.p50.toFixed(1)} ms, ${p.loads} loads); limit = ${pages.floor.path}`,
    seconds: p.p95 / 1000,
    limit: pages.floor.p95 / 1000,
    target: { text: "< 300 ms", met: p.p95 < 300 },
  }));
}

function rollbackLines(j: Journey): Line[] {
  const slowest = Math.max(...j.flagRollbacks.map((r) => r.endToEndMs)) / 1000;
  return [
    { what: `flag rollback to legacy until OFREP reads both off, slowest of ${j.flagRollbacks.length}`, seconds: slowest, target: underSeconds(slowest, 1) },
    ...j.rollbacks.map((r) => ({ what: `phase ${r.phase} rollback`, seconds: r.seconds, target: underSeconds(r.seconds, 60) })),
  ];
}

const MB = 2 ** 20;
/**
 * "Flat": the peak within this of the start (after Prisma's first query). Each new code path warms
 * up some memory (≈ 200 MB over the whole journey at 20,000 audits); buffering rows would pass it
 * fast — 1% of 10M audits at ~300 bytes a row is about 300 MB.
 */
const RSS_GROWTH_BOUND_MB = 256;

function rssLine(rss: RssSummary): Line {
  const growth = (rss.peakBytes - rss.startBytes) / MB;
  return {
    what: `Node RSS: start ${(rss.startBytes / MB).toFixed(0)} MB, end ${(rss.endBytes / MB).toFixed(0)} MB, peak ${(rss.peakBytes / MB).toFixed(0)} MB`,
    target: { text: `flat: peak ≤ start + ${RSS_GROWTH_BOUND_MB} MB`, met: growth <= RSS_GROWTH_BOUND_MB },
  };
}

export function journeyLines(j: Journey): Line[] {
  return [
    ...limitLines(j),
    ...j.phases.flatMap((p) => phaseLines(p, j.limits)),
    ...validationLines(j),
    ...analyticsLines(j),
    versusLegacy("employee lookup", j.employeeLookups, 1),
    versusLegacy("adapter's audit report", j.adapterReports),
    ...consoleLines(j.consolePages),
    ...rollbackLines(j),
    rssLine(j.rss),
  ];
}

/** Seconds as a person reads them, from minutes down to fractions of a millisecond. */
function formatSeconds(s: number): string {
  if (s >= 100) return s.toFixed(1);
  if (s >= 1) return s.toFixed(2);
  return String(Number(s.toPrecision(3)));
}

/** seconds ÷ limit; a small one as a fraction ("1/312": a three-hundredth of the limit's time). */
function formatRatio(ratio: number): string {
  return ratio < 0.1 ? `1/${Math.round(1 / ratio)}` : `${ratio.toFixed(2)}×`;
}

export function tableRows(lines: Line[]): Record<string, string>[] {
  return lines.map((l) => ({
    what: l.what,
    rows: l.rows === undefined ? "" : l.rows.toLocaleString("en-US"),
    seconds: l.seconds === undefined ? "" : formatSeconds(l.seconds),
    "rows/s": l.rows !== undefined && l.seconds ? Math.round(l.rows / l.seconds).toLocaleString("en-US") : "",
    "limit s": l.limit === undefined ? "" : formatSeconds(l.limit),
    ratio: l.limit && l.seconds !== undefined ? formatRatio(l.seconds / l.limit) : "",
    target: l.target?.text ?? "",
    met: l.target ? (l.target.met ? "yes" : "no") : "",
  }));
}
