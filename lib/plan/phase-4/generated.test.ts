import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { refreshAnalytics, RefreshRunningError } from "@/lib/analytics/refresh";
import type { AnalyticsFilters } from "@/lib/analytics/filters";
import type { AuditorRow } from "@/lib/analytics/types";
import { pool } from "@/lib/db/pool";
import { withTestDatabase } from "@/lib/db/testing/database";
import { stopQueue } from "@/lib/engine/queue";
import { approveAndRun } from "@/lib/engine/testing/phases";
import { seedLegacy } from "@/lib/legacy/generator";
import { PERFORMANCE_COLUMNS, ROLLUP_COLUMNS, RUNNING_COLUMNS, STATISTICS_COLUMNS, TOTALS_COLUMNS } from "./aggregates";
import { runSuite } from "./testing";

const database = withTestDatabase();
afterAll(() => stopQueue());

/** Both summaries as rows of text, for an exact comparison of two states. */
async function snapshot(): Promise<{ statistics: string[]; rollup: string[]; totals: string[]; performance: string[]; running: string[]; vectors: string[] }> {
  const s = await pool().query<{ r: string }>(`SELECT row(${STATISTICS_COLUMNS.join(", ")})::text AS r FROM unified.audit_statistics ORDER BY 1`);
  const p = await pool().query<{ r: string }>(`SELECT row(${PERFORMANCE_COLUMNS.join(", ")})::text AS r FROM unified.auditor_performance ORDER BY 1`);
  const r = await pool().query<{ r: string }>(`SELECT row(${ROLLUP_COLUMNS.join(", ")})::text AS r FROM unified.scorecard_month_statistics ORDER BY 1`);
  const t = await pool().query<{ r: string }>(`SELECT row(${TOTALS_COLUMNS.join(", ")})::text AS r FROM unified.scorecard_month_totals ORDER BY 1`);
  const u = await pool().query<{ r: string }>(`SELECT row(${RUNNING_COLUMNS.join(", ")})::text AS r FROM unified.auditor_running_totals ORDER BY 1`);
  const v = await pool().query<{ r: string }>(`SELECT month::text || ' ' || auditors || ' ' || encode(data, 'hex') AS r FROM unified.auditor_month_vectors ORDER BY 1`);
  return {
    statistics: s.rows.map((x) => x.r),
    rollup: r.rows.map((x) => x.r),
    totals: t.rows.map((x) => x.r),
    performance: p.rows.map((x) => x.r),
    running: u.rows.map((x) => x.r),
    vectors: v.rows.map((x) => x.r),
  };
}

describe("Phase 4 on generated data", () => {
  let run: Awaited<ReturnType<typeof approveAndRun>>;
  beforeAll(async () => {
    await seedLegacy(pool(), { audits: 20_000, scorecards: 8, seed: "phase-4-generated" });
    for (const phase of [1, 2, 3]) expect((await approveAndRun(phase)).status).toBe("succeeded");
    run = await approveAndRun(4);
  });

  it("the analytics filters span exactly the months of audit_statistics (read from the totals)", async () => {
    const { filterOptions } = await import("@/lib/analytics/queries");
    const { rows } = await pool().query(`SELECT to_char(min(month), 'YYYY-MM') AS first, to_char(max(month), 'YYYY-MM') AS last FROM unified.audit_statistics`);
    expect(rows[0].first).not.toBeNull();
    expect((await filterOptions()).months).toEqual(rows[0]);
  });

  it("succeeds, and every figure of both summaries equals the aggregate computed directly from audits", async () => {
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.verification?.filter((c) => c.status === "fail")).toEqual([]);
    expect(await runSuite()).toEqual([]);
    const { rows } = await pool().query(`SELECT (SELECT count(*) FROM unified.audit_statistics)::int AS s, (SELECT count(*) FROM unified.auditor_performance)::int AS p,
      (SELECT count(*) FROM unified.auditor_performance WHERE turnaround_count > 0)::int AS t`);
    expect(rows[0].s).toBeGreaterThan(1000);
    expect(rows[0].p).toBeGreaterThan(10);
    expect(rows[0].t).toBeGreaterThan(0); // the generator's assignments meet audits
  });

  it("the auditors page, page by page and in every order, equals the aggregate computed directly from audits", async () => {
    const { auditors } = await import("@/lib/analytics/queries");
    // The generator gives one auditor per 16 people (two at this size): a third of the audits go to every employee in turn, through an
    // incremental refresh, so the cases run over many pages of 4.
    await pool().query(`UPDATE unified.audits a SET auditor_id = e.id
      FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n FROM unified.employees) e WHERE a.id % 3 = 0 AND e.k = a.id % e.n`);
    await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli" });
    expect(await runSuite()).toEqual([]);
    const size = 4;
    const { rows: span } = await pool().query(
      `SELECT to_char(max(month) - interval '5 months', 'YYYY-MM') AS from, to_char(max(month), 'YYYY-MM') AS to, min(month)::text AS first FROM unified.auditor_performance`,
    );
    const { rows: departments } = await pool().query(`SELECT department_id AS id FROM unified.employees WHERE department_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
    const cases = [
      { from: span[0].from, to: span[0].to, department: null },
      { from: null, to: null, department: null },
      { from: span[0].from, to: span[0].to, department: departments[0]?.id ?? null },
    ];
    for (const c of cases) {
      const { rows: direct } = await pool().query(
        `WITH given AS (
           SELECT a.auditor_id, a.audit_date, a.total_score,
                  a.total_score - avg(a.total_score) OVER (PARTITION BY a.scorecard_id, date_trunc('month', a.audit_date)) AS deviation
             FROM unified.audits a WHERE a.deleted_at IS NULL AND a.auditor_id IS NOT NULL AND a.audit_date IS NOT NULL)
         SELECT g.auditor_id::text AS id, count(*)::int AS audits, avg(g.total_score)::float8 AS avg, stddev_pop(g.total_score)::float8 AS spread,
                avg(g.deviation)::float8 AS deviation
           FROM given g JOIN unified.employees e ON e.id = g.auditor_id
          WHERE g.audit_date >= COALESCE($1::date, '-infinity') AND g.audit_date < COALESCE($2::date + interval '1 month', 'infinity')
            AND ($3::int IS NULL OR e.department_id = $3::int)
          GROUP BY 1`,
        [c.from && `${c.from}-01`, c.to && `${c.to}-01`, c.department],
      );
      expect(direct.length).toBeGreaterThan(3 * size);
      const filters = { from: c.from, to: c.to, scorecard: null, channel: null, department: c.department, team: null };
      for (const order of [
        { sort: "audits", dir: "desc" },
        { sort: "avgScore", dir: "asc" },
        { sort: "spread", dir: "desc" },
        { sort: "deviation", dir: "asc" },
        { sort: "name", dir: "asc" },
        { sort: "turnaround", dir: "desc" },
      ] as const) {
        const seen: NonNullable<Extract<Awaited<ReturnType<typeof auditors>>, { ready: true }>>["rows"] = [];
        for (let page = 1; ; page++) {
          const data = await auditors(filters, order, page, size);
          if (!data.ready) throw new Error(data.missing);
          expect(data.total).toBe(direct.length);
          expect(data.rows.length).toBe(Math.min(size, Math.max(direct.length - (page - 1) * size, 0)));
          seen.push(...data.rows);
          if (data.rows.length < size) break;
        }
        expect(seen.map((r) => r.id).sort()).toEqual(direct.map((r) => r.id).sort());
        for (const d of direct) {
          const shown = seen.find((r) => r.id === d.id)!;
          expect(shown.audits).toBe(d.audits);
          expect(shown.avgScore).toBeCloseTo(d.avg, 9);
          expect(shown.spread).toBeCloseTo(d.spread, 6);
          expect(shown.deviation).toBeCloseTo(d.deviation, 9);
        }
        // Each page continues the one before it, in the order asked (nulls last).
        const key = (r: (typeof seen)[number]) => r[order.sort];
        for (let i = 1; i < seen.length; i++) {
          const [a, b] = [key(seen[i - 1]!), key(seen[i]!)];
          if (a === null || b === null) expect(b).toBeNull();
          else if (typeof a === "string") expect(order.dir === "asc" ? a.localeCompare(String(b), undefined, { sensitivity: "base" }) <= 0 || a <= String(b) : true).toBe(true);
          else expect(order.dir === "asc" ? a <= Number(b) : a >= Number(b)).toBe(true);
        }
      }
    }
  });

  it("the employee page, per scorecard, field and month, equals the aggregate computed directly from audits", async () => {
    const { employee } = await import("@/lib/analytics/queries");
    // The busiest employee, and one on the most scorecards (ties by id): over everything, six months, and one scorecard.
    const { rows: people } = await pool().query<{ id: string }>(
      `(SELECT employee_id::text AS id FROM unified.audits WHERE deleted_at IS NULL AND audit_date IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1)
       UNION (SELECT employee_id::text FROM unified.audits WHERE deleted_at IS NULL AND audit_date IS NOT NULL GROUP BY 1 ORDER BY count(DISTINCT scorecard_id) DESC, 1 LIMIT 1)`,
    );
    const { rows: span } = await pool().query<{ last: string; first: string }>(
      `SELECT to_char(max(audit_date), 'YYYY-MM') AS last, to_char(max(audit_date) - interval '5 months', 'YYYY-MM') AS first FROM unified.audits`,
    );
    const { rows: cards } = await pool().query<{ id: number }>(`SELECT scorecard_id AS id FROM unified.audits GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
    const every: AnalyticsFilters = { from: null, to: null, scorecard: null, channel: null, department: null, team: null };
    const ranges: AnalyticsFilters[] = [every, { ...every, from: span[0]!.first, to: span[0]!.last }, { ...every, scorecard: cards[0]!.id }];
    let compared = 0;
    for (const person of people) {
      for (const f of ranges) {
        const range = `a.employee_id = $1 AND a.deleted_at IS NULL AND a.audit_date IS NOT NULL
          AND ($2::date IS NULL OR a.audit_date >= $2::date) AND ($3::date IS NULL OR a.audit_date < $3::date + interval '1 month')
          AND ($4::int IS NULL OR a.scorecard_id = $4)`;
        const params = [person.id, f.from && `${f.from}-01`, f.to && `${f.to}-01`, f.scorecard];
        const { rows: direct } = await pool().query(
          `SELECT a.scorecard_id AS id, COALESCE(c.name, c.source_table) AS name, count(*)::int AS audits, avg(a.total_score)::float8 AS avg,
                  avg(CASE WHEN a.passed THEN 1.0 WHEN NOT a.passed THEN 0.0 END)::float8 AS pass_rate, min(a.total_score)::float8 AS min, max(a.total_score)::float8 AS max
             FROM unified.audits a JOIN unified.scorecards c ON c.id = a.scorecard_id WHERE ${range} GROUP BY 1, 2 ORDER BY 2`,
          params,
        );
        const { rows: fields } = await pool().query(
          `SELECT d.scorecard_id AS id, d.field_key AS key, count(v.value)::int AS scored, avg(v.value)::float8 AS average
             FROM unified.audits a JOIN unified.scorecard_fields d ON d.scorecard_id = a.scorecard_id
             LEFT JOIN LATERAL (SELECT (a.parameter_scores ->> d.field_key)::numeric AS value) v ON true
            WHERE ${range} GROUP BY 1, 2`,
          params,
        );
        const { rows: months } = await pool().query(
          `SELECT to_char(a.audit_date, 'YYYY-MM') AS month, a.scorecard_id AS id, count(*)::int AS audits, avg(a.total_score)::float8 AS avg
             FROM unified.audits a WHERE ${range} GROUP BY 1, 2 ORDER BY 1, 2`,
          params,
        );
        const page = await employee(f, Number(person.id), null);
        if (!page.ready) throw new Error("the employee page is not ready after Phase 4");
        expect(page.employee?.id).toBe(person.id);
        expect(page.scorecards.map((c) => [c.id, c.name, c.audits, c.minScore, c.maxScore])).toEqual(direct.map((d) => [d.id, d.name, d.audits, d.min, d.max]));
        for (const [i, d] of direct.entries()) {
          const card = page.scorecards[i]!;
          for (const [shown, expected] of [[card.avgScore, d.avg], [card.passRate, d.pass_rate]] as const) {
            if (expected === null) expect(shown).toBeNull();
            else expect(shown).toBeCloseTo(expected, 9);
          }
          const own = fields.filter((x) => x.id === d.id);
          expect(card.fields.map((x) => x.key).sort()).toEqual(own.map((x) => x.key).sort());
          for (const x of own) {
            const field = card.fields.find((y) => y.key === x.key)!;
            expect(field.scored).toBe(x.scored);
            if (x.average === null) expect(field.average).toBeNull();
            else expect(field.average).toBeCloseTo(x.average, 9);
          }
        }
        const byMonth = new Map<string, number>();
        for (const m of months) byMonth.set(m.month, (byMonth.get(m.month) ?? 0) + m.audits);
        expect(page.months.map((m) => [m.month, m.audits])).toEqual([...byMonth.entries()]);
        for (const m of months) {
          const shown = page.months.find((x) => x.month === m.month)!.scores[String(m.id)];
          if (m.avg === null) expect(shown).toBeNull();
          else expect(shown).toBeCloseTo(m.avg, 9);
        }
        compared += direct.length;
      }
    }
    expect(compared).toBeGreaterThan(4);
  });

  it("the auditors page from the packed months is bit for bit the statement's, on every range, order, department, team and page", async () => {
    const { auditorsFromVectors, forgetDecodedMonths } = await import("@/lib/analytics/auditor-vectors");
    const { auditorsPageQuery, SETTLED_AUDITS, turnaroundQuery } = await import("@/lib/analytics/sql");
    const { histogramMedian } = await import("@/lib/analytics/median");
    const { sortAuditors } = await import("@/lib/analytics/queries");
    const { rows: span } = await pool().query(
      `SELECT to_char(min(month), 'YYYY-MM') AS first, to_char(max(month), 'YYYY-MM') AS last, to_char(max(month) - interval '5 months', 'YYYY-MM') AS recent FROM unified.auditor_running_totals`,
    );
    const { first, last, recent } = span[0];
    const { rows: counted } = await pool().query(`SELECT count(DISTINCT auditor_id)::int AS n FROM unified.auditor_running_totals`);
    const ranges = [[recent, last], [null, null], [first, first], [null, recent], [recent, null], [last, last], ["2040-01", "2040-06"], ["1990-01", "1990-03"], ["1990-01", first]];
    // The busiest department and, in another, a team: the auditors' own.
    const { rows: groups } = await pool().query(`SELECT (SELECT e.department_id FROM unified.employees e JOIN unified.auditor_running_totals t ON t.auditor_id = e.id
        WHERE e.department_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1) AS department,
      (SELECT e.team_id FROM unified.employees e JOIN unified.auditor_running_totals t ON t.auditor_id = e.id WHERE e.team_id IS NOT NULL GROUP BY 1 ORDER BY count(*), 1 LIMIT 1) AS team`);
    expect(groups[0].department).not.toBeNull();
    expect(groups[0].team).not.toBeNull();
    const people = [{ department: null, team: null }, { department: groups[0].department, team: null }, { department: null, team: groups[0].team }];
    // By turnaround, as the statement's path orders it: every auditor's median merged, sorted in Node (lib/analytics/queries.ts).
    const byTurnaround = async (filters: AnalyticsFilters, offsets: number[]) => {
      const all = auditorsPageQuery(filters, { sort: "audits", dir: "desc" }, null, SETTLED_AUDITS);
      const everyone = (await pool().query(all.sql, all.params)).rows[0];
      const t = turnaroundQuery(filters);
      const medians = new Map<string, { days: number; n: number }[]>();
      for (const e of (await pool().query(t.sql, t.params)).rows) medians.set(e.id, [...(medians.get(e.id) ?? []), { days: e.days, n: e.n }]);
      const timed = everyone.rows.map((r: AuditorRow) => ({ ...r, turnaround: medians.has(r.id) ? histogramMedian(medians.get(r.id)!) : null }));
      let rowsCompared = 0;
      for (const dir of ["asc", "desc"] as const) {
        for (const offset of offsets) {
          const page = { limit: 4, offset: Math.max(offset, 0) };
          const packed = await auditorsFromVectors(filters, { sort: "turnaround", dir }, page, SETTLED_AUDITS);
          if (!packed) throw new Error("the packed months did not answer");
          const { turnaround, rows, busiest, ...result } = packed;
          expect(result).toEqual({ total: everyone.total, settled: everyone.settled, settled_band: everyone.settled_band, every_band: everyone.every_band });
          expect(busiest).toEqual(everyone.busiest);
          expect(rows.map((r) => ({ ...r, turnaround: turnaround.get(r.id) }))).toEqual(sortAuditors(timed, "turnaround", dir).slice(page.offset, page.offset + page.limit));
          rowsCompared += rows.length;
        }
      }
      return rowsCompared;
    };
    let compared = 0;
    for (const [range, person] of [...ranges.map((r) => [r, people[0]!] as const), ...[ranges[0]!, ranges[1]!].flatMap((r) => [[r, people[1]!], [r, people[2]!]] as const)]) {
      const [from, to] = range;
      const filters = { from, to, scorecard: null, channel: null, ...person };
      compared += await byTurnaround(filters, [0, 3, counted[0].n - 2, counted[0].n + 5]);
      for (const sort of ["audits", "deviation", "avgScore", "spread", "name"] as const) {
        for (const dir of ["asc", "desc"] as const) {
          for (const offset of [0, 3, counted[0].n - 2, counted[0].n + 5]) {
            const page = { limit: 4, offset: Math.max(offset, 0) };
            const packed = await auditorsFromVectors(filters, { sort, dir }, page, SETTLED_AUDITS);
            if (!packed) throw new Error("the packed months did not answer");
            const { turnaround, ...result } = packed;
            const q = auditorsPageQuery(filters, { sort, dir }, page, SETTLED_AUDITS);
            const { rows } = await pool().query(q.sql, q.params);
            expect(result, JSON.stringify({ filters, sort, dir, page })).toEqual(rows[0]);
            // The shown rows' turnaround medians, as the statement's page merges them.
            const t = turnaroundQuery(filters, rows[0].rows.map((r: { id: string }) => r.id));
            const entries = (await pool().query(t.sql, t.params)).rows;
            expect(Object.fromEntries(turnaround)).toEqual(
              Object.fromEntries(rows[0].rows.map((r: { id: string }) => [r.id, histogramMedian(entries.filter((e) => e.id === r.id).map((e) => ({ days: e.days, n: e.n })))])),
            );
            compared += rows[0].rows.length;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
    // After a refresh the remembered months are stale: the next page is computed from the new ones, still the statement's.
    const same = async (from: string | null, to: string | null) => {
      const filters = { from, to, scorecard: null, channel: null, department: null, team: null };
      const page = { limit: 4, offset: 0 };
      const packed = await auditorsFromVectors(filters, { sort: "audits", dir: "desc" }, page, SETTLED_AUDITS);
      const q = auditorsPageQuery(filters, { sort: "audits", dir: "desc" }, page, SETTLED_AUDITS);
      const { turnaround, ...result } = packed!;
      expect(turnaround.size).toBe(result.rows.length);
      expect(result).toEqual((await pool().query(q.sql, q.params)).rows[0]);
      return result;
    };
    const earlier = await same(null, null);
    await same(recent, null);
    await pool().query(`UPDATE unified.audits SET auditor_id = (SELECT auditor_id FROM unified.audits WHERE auditor_id IS NOT NULL GROUP BY 1 ORDER BY count(*) LIMIT 1)
      WHERE id IN (SELECT id FROM unified.audits WHERE auditor_id IS NOT NULL AND audit_date IS NOT NULL ORDER BY id LIMIT 400)`);
    await pool().query(`INSERT INTO unified.audits (scorecard_id, channel_id, employee_id, auditor_id, audit_date, status, total_score, passed, parameter_scores, source_table, source_id)
      SELECT scorecard_id, channel_id, employee_id, auditor_id, (SELECT max(audit_date) FROM unified.audits) + 40, status, total_score, passed, parameter_scores, source_table, source_id + 30000000
        FROM unified.audits WHERE id % 50 = 3`);
    await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli" });
    expect(await same(null, null)).not.toEqual(earlier);
    await same(recent, null);
    // The turnaround medians remembered before the refresh are not served after it.
    expect(await byTurnaround({ from: null, to: null, scorecard: null, channel: null, department: null, team: null }, [0, 5])).toBeGreaterThan(0);
    // Ties the bounds must not break: a dozen auditors scored 50.5 or 33.33 throughout (spread 0, one average), five never scored.
    await pool().query(`WITH a AS (SELECT auditor_id, row_number() OVER (ORDER BY count(*), auditor_id) AS n FROM unified.audits WHERE auditor_id IS NOT NULL GROUP BY 1)
      UPDATE unified.audits x SET total_score = CASE WHEN a.n <= 6 THEN 50.5 WHEN a.n <= 12 THEN 33.33 END FROM a WHERE a.auditor_id = x.auditor_id AND a.n <= 17`);
    await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli" });
    const everyone = (await pool().query(`SELECT count(DISTINCT auditor_id)::int AS n FROM unified.audits`)).rows[0].n;
    for (const [from, to] of [[null, null], [recent, null]]) {
      const filters = { from, to, scorecard: null, channel: null, department: null, team: null };
      for (const sort of ["avgScore", "spread", "deviation"] as const) {
        for (const dir of ["asc", "desc"] as const) {
          for (const offset of [0, 4, everyone - 8, everyone - 3]) {
            const page = { limit: 6, offset: Math.max(offset, 0) };
            const packed = await auditorsFromVectors(filters, { sort, dir }, page, SETTLED_AUDITS);
            const q = auditorsPageQuery(filters, { sort, dir }, page, SETTLED_AUDITS);
            const { turnaround, ...result } = packed!;
            expect(turnaround.size).toBe(result.rows.length);
            expect(result, JSON.stringify({ filters, sort, dir, page })).toEqual((await pool().query(q.sql, q.params)).rows[0]);
          }
        }
      }
    }
    // A Phase 4 that ran before the packed months existed: the page answers from the statement, the next refresh builds them.
    const before = await snapshot();
    const { auditors } = await import("@/lib/analytics/queries");
    const recentFilters = { from: recent, to: last, scorecard: null, channel: null, department: null, team: null };
    const shown = await auditors(recentFilters, { sort: "audits", dir: "desc" }, 1, 4);
    await pool().query(`DROP TABLE unified.auditor_month_vectors`);
    expect(await auditorsFromVectors(recentFilters, { sort: "audits", dir: "desc" }, { limit: 4, offset: 0 }, SETTLED_AUDITS)).toBeNull();
    expect(await auditors(recentFilters, { sort: "audits", dir: "desc" }, 1, 4)).toEqual(shown);
    // An incremental refresh with nothing to recompute still makes and fills them.
    expect((await pool().query(`SELECT count(*)::int AS n FROM unified.analytics_changes`)).rows[0].n).toBe(0);
    await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli" });
    expect((await snapshot()).vectors).toEqual(before.vectors);
    expect((await pool().query(`SELECT attstorage FROM pg_attribute WHERE attrelid = 'unified.auditor_month_vectors'::regclass AND attname = 'data'`)).rows[0].attstorage).toBe("e");
    expect(await auditorsFromVectors(recentFilters, { sort: "audits", dir: "desc" }, { limit: 4, offset: 0 }, SETTLED_AUDITS)).not.toBeNull();
    // Months packed by older code (four doubles an auditor): not read, the statement answers; the next refresh packs them again.
    const { rows: packedBefore } = await pool().query(`SELECT month::text AS month, data FROM unified.auditor_month_vectors ORDER BY month`);
    await pool().query(`UPDATE unified.auditor_month_vectors SET data = substring(data FROM 1 FOR auditors * 32)`);
    forgetDecodedMonths();
    expect(await auditorsFromVectors(recentFilters, { sort: "audits", dir: "desc" }, { limit: 4, offset: 0 }, SETTLED_AUDITS)).toBeNull();
    expect({ ...(await auditors(recentFilters, { sort: "audits", dir: "desc" }, 1, 4)), freshness: null }).toEqual({ ...shown, freshness: null });
    await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli" });
    expect((await pool().query(`SELECT month::text AS month, data FROM unified.auditor_month_vectors ORDER BY month`)).rows).toEqual(packedBefore);
    expect(await auditorsFromVectors(recentFilters, { sort: "audits", dir: "desc" }, { limit: 4, offset: 0 }, SETTLED_AUDITS)).not.toBeNull();
  });

  it("after inserts, updates and deletes of audits and assignments, the incremental refresh equals a full recomputation", async () => {
    const db = pool();
    // 1% new audits in a new month, copied from existing ones; scores changed; dates moved across months; soft and hard deletes.
    await db.query(`INSERT INTO unified.audits (scorecard_id, channel_id, employee_id, auditor_id, audit_date, status, total_score, passed, parameter_scores, source_table, source_id)
      SELECT scorecard_id, channel_id, employee_id, auditor_id, (SELECT max(audit_date) FROM unified.audits) + 31, status, total_score, passed, parameter_scores, source_table, source_id + 10000000
        FROM unified.audits WHERE id % 100 = 7`);
    await db.query(`UPDATE unified.audits SET total_score = total_score - 3, parameter_scores = parameter_scores || '{}'::jsonb WHERE id % 97 = 1 AND total_score IS NOT NULL`);
    await db.query(`UPDATE unified.audits SET audit_date = audit_date + 40 WHERE id % 89 = 2`);
    await db.query(`UPDATE unified.audits SET employee_id = (SELECT min(id) FROM unified.employees) WHERE id % 83 = 3`);
    await db.query(`UPDATE unified.audits SET deleted_at = now() WHERE id % 79 = 4`);
    await db.query(`DELETE FROM unified.notifications WHERE audit_id IN (SELECT id FROM unified.audits WHERE id % 73 = 5)`);
    await db.query(`DELETE FROM unified.audits WHERE id % 73 = 5`);
    await db.query(`UPDATE unified.audit_assignments SET created_at = created_at - interval '20 days' WHERE id % 5 = 0`);
    await db.query(`DELETE FROM unified.audit_assignments WHERE id % 7 = 0`);
    const pending = await db.query(`SELECT count(*)::int AS n FROM unified.analytics_changes`);
    expect(pending.rows[0].n).toBeGreaterThan(100);
    const outcome = await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli", batchChanges: 500 });
    expect(outcome.batches).toBeGreaterThan(1);
    expect(outcome.changes).toBe(pending.rows[0].n);
    const incremental = await snapshot();
    expect((await db.query(`SELECT count(*)::int AS n FROM unified.analytics_changes`)).rows[0].n).toBe(0);
    await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli", mode: "full" });
    const full = await snapshot();
    expect(incremental.statistics.length).toBe(full.statistics.length);
    expect(incremental.statistics).toEqual(full.statistics);
    expect(incremental.rollup).toEqual(full.rollup);
    expect(incremental.totals).toEqual(full.totals);
    expect(incremental.performance).toEqual(full.performance);
    expect(incremental.running.length).toBeGreaterThan(0);
    expect(incremental.running).toEqual(full.running);
    expect(await runSuite()).toEqual([]);
    // The recorded row counts: carried on by each batch's inserts and deletes, and counted by the full refresh.
    expect(outcome.statisticsRows).toBe(incremental.statistics.length);
    expect(outcome.performanceRows).toBe(incremental.performance.length);
    await db.query(`UPDATE unified.audits SET deleted_at = now() WHERE id % 61 = 6 AND deleted_at IS NULL`);
    await db.query(`INSERT INTO unified.audits (scorecard_id, channel_id, employee_id, auditor_id, audit_date, status, total_score, passed, parameter_scores, source_table, source_id)
      SELECT scorecard_id, channel_id, employee_id, auditor_id, (SELECT max(audit_date) FROM unified.audits) + 45, status, total_score, passed, parameter_scores, source_table, source_id + 40000000
        FROM unified.audits WHERE id % 200 = 9`);
    const next = await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli", batchChanges: 300 });
    expect(next.batches).toBeGreaterThan(1);
    const after = await db.query(`SELECT (SELECT count(*) FROM unified.audit_statistics)::int AS s, (SELECT count(*) FROM unified.auditor_performance)::int AS p`);
    expect(after.rows[0].s).not.toBe(full.statistics.length);
    expect([next.statisticsRows, next.performanceRows]).toEqual([after.rows[0].s, after.rows[0].p]);
  });

  it("a refresh's commit has this process decode the auditors page's recent ranges again before the next reader asks", async () => {
    const { auditors } = await import("@/lib/analytics/queries");
    const { prewarmListening, prewarms } = await import("@/lib/analytics/prewarm");
    const { forgetDecodedMonths, monthReads } = await import("@/lib/analytics/auditor-vectors");
    const every: AnalyticsFilters = { from: null, to: null, scorecard: null, channel: null, department: null, team: null };
    const order = { sort: "audits", dir: "desc" } as const;
    const first = await auditors(every, order);
    expect(await prewarmListening()).toBe(true);
    const warmed = prewarms();
    // A month of new audits: the range's last month moves, every auditor's totals with it.
    await pool().query(`INSERT INTO unified.audits (scorecard_id, channel_id, employee_id, auditor_id, audit_date, status, total_score, passed, parameter_scores, source_table, source_id)
      SELECT scorecard_id, channel_id, employee_id, auditor_id, (SELECT max(audit_date) FROM unified.audits) + 35, status, total_score, passed, parameter_scores, source_table, source_id + 50000000
        FROM unified.audits WHERE id % 50 = 11`);
    await refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli" });
    await vi.waitFor(() => expect(prewarms()).toBeGreaterThan(warmed), { timeout: 15_000, interval: 20 });
    const reads = monthReads();
    const warm = await auditors(every, order);
    expect(monthReads()).toBe(reads); // decoded before this reader asked
    forgetDecodedMonths();
    const cold = await auditors(every, order);
    expect(monthReads()).toBe(reads + 1);
    expect(warm).toEqual(cold);
    if (!first.ready || !warm.ready) throw new Error("the auditors page is not ready after Phase 4");
    expect(warm.rows).not.toEqual(first.rows);
  });

  it("refuses a second refresh while one runs", async () => {
    const holder = new pg.Client({ connectionString: database.url() });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock($1, $2)`, [0x756e6961, 4]);
      await expect(refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli" })).rejects.toBeInstanceOf(RefreshRunningError);
    } finally {
      await holder.end();
    }
  });

  it("a reader's query completes while a refresh runs, and sees either the old or the new figures, never half", async () => {
    const db = pool();
    await db.query(`INSERT INTO unified.audits (scorecard_id, channel_id, employee_id, auditor_id, audit_date, status, total_score, passed, parameter_scores, source_table, source_id)
      SELECT scorecard_id, channel_id, employee_id, auditor_id, audit_date, status, total_score, passed, parameter_scores, source_table, source_id + 20000000
        FROM unified.audits WHERE id % 10 = 3`);
    const before = Number((await db.query(`SELECT sum(audit_count) AS n FROM unified.audit_statistics`)).rows[0].n);
    const reader = new pg.Client({ connectionString: database.url() });
    await reader.connect();
    await reader.query(`SET statement_timeout = '5s'`);
    const reads: { ms: number; total: number; duringRefresh: boolean }[] = [];
    let done = false;
    const refreshing = refreshAnalytics({ actor: SYSTEM_ACTOR, reason: "cli", mode: "full" }).finally(() => {
      done = true;
    });
    try {
      while (!done) {
        const started = performance.now();
        const { rows } = await reader.query(
          `SELECT (SELECT sum(audit_count) FROM unified.audit_statistics) AS total,
                  EXISTS (SELECT 1 FROM console.analytics_refreshes WHERE status = 'running') AS running`,
        );
        reads.push({ ms: performance.now() - started, total: Number(rows[0].total), duringRefresh: rows[0].running });
      }
      const outcome = await refreshing;
      const after = Number((await db.query(`SELECT sum(audit_count) AS n FROM unified.audit_statistics`)).rows[0].n);
      const during = reads.filter((r) => r.duringRefresh);
      console.log(`reader during a full refresh of ${outcome.durationMs} ms: ${during.length} reads, slowest ${Math.max(...during.map((r) => r.ms)).toFixed(1)} ms`);
      expect(during.length).toBeGreaterThan(0);
      expect(after).toBeGreaterThan(before);
      for (const r of reads) expect([before, after]).toContain(r.total);
      // Never waited for the refresh: every read shorter than the refresh that ran beside it.
      expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(outcome.durationMs);
    } finally {
      await reader.end();
    }
  });
});
