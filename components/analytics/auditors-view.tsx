"use client";

import { Bar, BarChart, CartesianGrid, ReferenceArea, ReferenceLine, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from "recharts";
import { formatCount, formatDeviation, formatScore } from "@/lib/analytics/format";
import { AUDITOR_COLUMNS, auditorsTable } from "@/lib/analytics/tables";
import { SETTLED_AUDITS as SETTLED } from "@/lib/analytics/sql";
import type { AuditorsData } from "@/lib/analytics/types";
import { ChartFrame } from "./chart-frame";
import { DataTable } from "./data-table";
import { colour } from "./palette";
import { ErrorState, LoadingBlock, NoData, NotReadyState } from "./states";
import { useAnalytics } from "./use-analytics";
import { ViewHeader } from "./view-header";

const AXIS = { fontSize: 12, fill: "#475569" };

function sortHref(query: string, sort: string, current: AuditorsData): string {
  const params = new URLSearchParams(query);
  const dir = current.sort === sort ? (current.dir === "asc" ? "desc" : "asc") : sort === "name" ? "asc" : "desc";
  params.set("sort", sort);
  params.set("dir", dir);
  params.delete("page");
  return `/analytics/auditors?${params.toString()}`;
}

function pageHref(query: string, page: number): string {
  const params = new URLSearchParams(query);
  if (page > 1) params.set("page", String(page));
  else params.delete("page");
  return `/analytics/auditors?${params.toString()}`;
}

const PAGER = "rounded border border-slate-300 bg-white px-3 py-1 text-sm text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-brand-500";

/** "Auditors 51–100 of 4,120", and the links to the pages either side (none past the ends). */
function Pager({ query, data }: { query: string; data: AuditorsData }) {
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  const first = (data.page - 1) * data.pageSize + 1;
  const last = first + data.rows.length - 1;
  return (
    <nav aria-label="Pages of auditors" className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-100 px-4 py-3 text-sm text-slate-600">
      <span data-testid="auditors-shown">
        {data.rows.length ? `${formatCount(first)}–${formatCount(last)} of ${formatCount(data.total)}` : `none of ${formatCount(data.total)} on page ${formatCount(data.page)}`} · page {formatCount(data.page)} of{" "}
        {formatCount(pages)}
      </span>
      <span className="flex gap-2">
        {data.page > 1 && (
          <a className={PAGER} href={pageHref(query, Math.min(data.page - 1, pages))} rel="prev">
            ← Previous
          </a>
        )}
        {data.page < pages && (
          <a className={PAGER} href={pageHref(query, data.page + 1)} rel="next">
            Next →
          </a>
        )}
      </span>
    </nav>
  );
}

export function AuditorsView({ query }: { query: string }) {
  const { data, error, isPending, isFetching } = useAnalytics<AuditorsData>("auditors", query);
  if (isPending) return <LoadingBlock />;
  if (error) return <ErrorState error={error} />;
  if (!data.ready) return <NotReadyState state={data} />;
  const filters = new URLSearchParams(query);
  filters.delete("sort");
  filters.delete("dir");
  filters.delete("page");
  const drill = (id: string) => `/analytics/auditors/${id}${filters.toString() ? `?${filters.toString()}` : ""}`;
  const spec = auditorsTable(data);
  const busiest = data.busiest;
  const settled = busiest.filter((r) => r.audits >= SETTLED);
  const deviations = (settled.length ? settled : busiest).filter((r) => r.deviation !== null).sort((a, b) => a.deviation! - b.deviation!);
  return (
    <div className="space-y-6" aria-busy={isFetching}>
      <ViewHeader view="auditors" query={query} freshness={data.freshness} />
      {data.total === 0 ? (
        <NoData>No auditor gave an audit under these filters.</NoData>
      ) : (
        <>
          <div className="grid gap-4 xl:grid-cols-2">
            <ChartFrame title="Volume against average score given" summary={`Each dot an auditor (${busiest.length < data.total ? `the ${busiest.length} busiest of ${formatCount(data.total)}` : "every one"}); far from the cloud is worth a look`}>
              <ScatterChart responsive width="100%" height={280} margin={{ left: 8, right: 16, bottom: 8 }}>
                <CartesianGrid stroke="#e2e8f0" />
                <XAxis type="number" dataKey="audits" name="Audits" tick={AXIS} tickFormatter={(v: number) => formatCount(v)} label={{ value: "Audits given", position: "insideBottom", offset: -4, fontSize: 12 }} height={40} />
                <YAxis type="number" dataKey="avgScore" name="Average score" tick={AXIS} width={48} domain={["auto", "auto"]} tickFormatter={(v: number) => formatScore(v)} />
                <ZAxis range={[40, 40]} />
                <Tooltip
                  cursor={{ strokeDasharray: "3 3" }}
                  content={({ payload }) => {
                    const p = payload?.[0]?.payload as AuditorsData["rows"][number] | undefined;
                    return p ? (
                      <div className="rounded border border-slate-200 bg-white px-2 py-1 text-xs shadow">
                        <div className="font-semibold">{p.name}</div>
                        <div>{formatCount(p.audits)} audits · average {formatScore(p.avgScore)}</div>
                      </div>
                    ) : null;
                  }}
                />
                <Scatter data={busiest} name="Auditors" fill={colour(0)} shape="circle" isAnimationActive={false} />
              </ScatterChart>
            </ChartFrame>
            <ChartFrame
              title="Calibration: deviation from all auditors on the same scorecards and months"
              summary={
                data.band
                  ? `Auditors with ${SETTLED} audits or more; shaded: the middle half of them (${formatDeviation(data.band.low)} to ${formatDeviation(data.band.high)} points)`
                  : "Each bar an auditor"
              }
            >
              <BarChart data={deviations} layout="vertical" responsive width="100%" height={Math.max(200, deviations.length * 18 + 40)} margin={{ left: 8, right: 16 }}>
                <CartesianGrid stroke="#e2e8f0" horizontal={false} />
                <XAxis type="number" tick={AXIS} domain={["auto", "auto"]} tickFormatter={(v: number) => formatDeviation(v)} />
                <YAxis type="category" dataKey="name" tick={{ ...AXIS, fontSize: 11 }} width={130} interval={0} />
                {data.band && <ReferenceArea x1={data.band.low} x2={data.band.high} fill="#94a3b8" fillOpacity={0.25} stroke="none" />}
                <ReferenceLine x={0} stroke="#334155" />
                <Tooltip formatter={(v) => [formatDeviation(Number(v)), "Deviation"]} />
                <Bar dataKey="deviation" name="Deviation" fill={colour(5)} isAnimationActive={false} />
              </BarChart>
            </ChartFrame>
          </div>
          <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
            <h2 className="border-b border-slate-100 px-4 py-3 text-sm font-semibold text-slate-900">
              Auditors <span className="font-normal text-slate-500">· {formatCount(data.total)} · select a column to sort, a name to drill down</span>
            </h2>
            <DataTable
              spec={spec}
              rowKey={(r) => r.id}
              testId="table-auditors"
              link={(r) => drill(r.id)}
              sorted={(c) => (AUDITOR_COLUMNS.find((a) => a.key === c.key)?.sort === data.sort ? (data.dir === "asc" ? "ascending" : "descending") : undefined)}
              header={(c) => {
                const column = AUDITOR_COLUMNS.find((a) => a.key === c.key)!;
                const active = data.sort === column.sort;
                return (
                  <a
                    href={sortHref(query, column.sort, data)}
                    className="inline-flex items-center gap-1 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-brand-500"
                  >
                    {c.header}
                    <span aria-hidden>{active ? (data.dir === "asc" ? "▲" : "▼") : ""}</span>
                  </a>
                );
              }}
            />
            {data.total > data.pageSize || data.page > 1 ? <Pager query={query} data={data} /> : null}
          </section>
        </>
      )}
    </div>
  );
}
