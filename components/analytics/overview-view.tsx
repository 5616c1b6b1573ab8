"use client";

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount, formatMonth, formatRate, formatScore } from "@/lib/analytics/format";
import { overviewTables } from "@/lib/analytics/tables";
import type { OverviewData } from "@/lib/analytics/types";
import { ChartFrame } from "./chart-frame";
import { DataTable } from "./data-table";
import { colour, dash } from "./palette";
import { StatTiles } from "./stat-tiles";
import { ErrorState, LoadingBlock, NoData, NotReadyState } from "./states";
import { useAnalytics } from "./use-analytics";
import { ViewHeader } from "./view-header";

const AXIS = { fontSize: 12, fill: "#475569" };
/** Six lines stay readable; the table below has every scorecard. */
const COMPARED = 6;

export function OverviewView({ query }: { query: string }) {
  const { data, error, isPending, isFetching } = useAnalytics<OverviewData>("overview", query);
  if (isPending) return <LoadingBlock />;
  if (error) return <ErrorState error={error} />;
  if (!data.ready) return <NotReadyState state={data} />;
  const [byScorecard, byChannel, byMonth] = overviewTables(data);
  const months = data.months.map((m) => ({ ...m, label: formatMonth(m.month) }));
  const compared = [...data.scorecards].sort((a, b) => b.audits - a.audits).slice(0, COMPARED);
  const comparison = data.comparison.map((c) => ({ label: formatMonth(c.month), ...Object.fromEntries(compared.map((s) => [`s${s.id}`, c.scores[String(s.id)] ?? null])) }));
  const total = data.months.reduce((n, m) => n + m.audits, 0);
  const best = [...data.scorecards].filter((s) => s.avgScore !== null).sort((a, b) => b.avgScore! - a.avgScore!)[0];
  return (
    <div className="space-y-6" aria-busy={isFetching}>
      <ViewHeader view="overview" query={query} freshness={data.freshness} />
      {total === 0 ? (
        <NoData>No audits match these filters. Widen the date range or clear a filter.</NoData>
      ) : (
        <>
          <StatTiles
            columns="md:grid-cols-4"
            truncate
            tiles={[
              ["Audits", formatCount(total)],
              ["Scorecards", formatCount(data.scorecards.length)],
              ["Months", formatCount(data.months.length)],
              ["Highest average", best ? `${best.name}: ${formatScore(best.avgScore)}` : "–"],
            ]}
          />
          <div className="grid gap-4 xl:grid-cols-2">
            <ChartFrame title="Audit volume per month" summary={`${formatCount(total)} audits over ${data.months.length} months`}>
              <BarChart data={months} responsive width="100%" height={240} margin={{ left: 8, right: 8 }}>
                <CartesianGrid stroke="#e2e8f0" vertical={false} />
                <XAxis dataKey="label" tick={AXIS} minTickGap={16} />
                <YAxis tick={AXIS} tickFormatter={(v: number) => formatCount(v)} width={56} />
                <Tooltip formatter={(v) => [formatCount(Number(v)), "Audits"]} />
                <Bar dataKey="audits" name="Audits" fill={colour(0)} isAnimationActive={false} />
              </BarChart>
            </ChartFrame>
            <ChartFrame title="Average score and pass rate per month" summary="Average of every scored audit; pass rate of the audits with a verdict">
              <LineChart data={months} responsive width="100%" height={240} margin={{ left: 8, right: 8 }}>
                <CartesianGrid stroke="#e2e8f0" vertical={false} />
                <XAxis dataKey="label" tick={AXIS} minTickGap={16} />
                <YAxis yAxisId="score" tick={AXIS} width={44} domain={["auto", "auto"]} tickFormatter={(v: number) => formatScore(v)} />
                <YAxis yAxisId="rate" orientation="right" tick={AXIS} width={52} domain={[0, 1]} tickFormatter={(v: number) => formatRate(v)} />
                <Tooltip formatter={(v, name) => [name === "Pass rate" ? formatRate(Number(v)) : formatScore(Number(v)), name]} />
                <Legend />
                <Line yAxisId="score" type="monotone" dataKey="avgScore" name="Average score" stroke={colour(0)} strokeWidth={2} dot={false} isAnimationActive={false} />
                <Line yAxisId="rate" type="monotone" dataKey="passRate" name="Pass rate" stroke={colour(1)} strokeDasharray="6 3" strokeWidth={2} dot={false} isAnimationActive={false} />
              </LineChart>
            </ChartFrame>
          </div>
          <ChartFrame
            title="Cross-scorecard comparison: average score per month"
            summary={`${compared.length === 1 ? "One scorecard" : `The ${compared.length} busiest scorecards side by side`}: one query over the summaries, where the legacy schema needed one per audit table`}
          >
            <LineChart data={comparison} responsive width="100%" height={300} margin={{ left: 8, right: 8 }}>
              <CartesianGrid stroke="#e2e8f0" vertical={false} />
              <XAxis dataKey="label" tick={AXIS} minTickGap={16} />
              <YAxis tick={AXIS} width={44} domain={["auto", "auto"]} tickFormatter={(v: number) => formatScore(v)} />
              <Tooltip formatter={(v, name) => [formatScore(Number(v)), name]} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {compared.map((s, i) => (
                <Line key={s.id} type="monotone" dataKey={`s${s.id}`} name={s.name} stroke={colour(i)} strokeDasharray={dash(i)} strokeWidth={2} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
              ))}
            </LineChart>
          </ChartFrame>
          <div className="grid gap-4 xl:grid-cols-2">
            <ChartFrame title="Average score by scorecard" summary="Bars sorted by average; pass rates in the table below">
              <BarChart data={[...data.scorecards].sort((a, b) => (b.avgScore ?? 0) - (a.avgScore ?? 0))} layout="vertical" responsive width="100%" height={Math.max(160, data.scorecards.length * 26 + 40)} margin={{ left: 8, right: 16 }}>
                <CartesianGrid stroke="#e2e8f0" horizontal={false} />
                <XAxis type="number" tick={AXIS} domain={[0, "auto"]} tickFormatter={(v: number) => formatScore(v)} />
                <YAxis type="category" dataKey="name" tick={AXIS} width={150} interval={0} />
                <Tooltip formatter={(v) => [formatScore(Number(v)), "Average score"]} />
                <Bar dataKey="avgScore" name="Average score" fill={colour(2)} isAnimationActive={false} />
              </BarChart>
            </ChartFrame>
            <ChartFrame title="Pass rate by channel" summary="Share of audits with a verdict that passed">
              <BarChart data={data.channels} responsive width="100%" height={Math.max(160, data.channels.length * 30 + 40)} layout="vertical" margin={{ left: 8, right: 16 }}>
                <CartesianGrid stroke="#e2e8f0" horizontal={false} />
                <XAxis type="number" tick={AXIS} domain={[0, 1]} tickFormatter={(v: number) => formatRate(v)} />
                <YAxis type="category" dataKey="name" tick={AXIS} width={120} interval={0} />
                <Tooltip formatter={(v) => [formatRate(Number(v)), "Pass rate"]} />
                <Bar dataKey="passRate" name="Pass rate" fill={colour(4)} isAnimationActive={false} />
              </BarChart>
            </ChartFrame>
          </div>
          <div className="grid gap-4 xl:grid-cols-2">
            <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
              <h2 className="border-b border-slate-100 px-4 py-3 text-sm font-semibold text-slate-900">By scorecard</h2>
              <DataTable spec={byScorecard!} rowKey={(r) => r.label} testId="table-scorecards" />
            </section>
            <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
              <h2 className="border-b border-slate-100 px-4 py-3 text-sm font-semibold text-slate-900">By channel</h2>
              <DataTable spec={byChannel!} rowKey={(r) => r.label} testId="table-channels" />
            </section>
          </div>
          <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
            <h2 className="border-b border-slate-100 px-4 py-3 text-sm font-semibold text-slate-900">By month</h2>
            <DataTable spec={byMonth!} rowKey={(r) => r.label} testId="table-months" />
          </section>
        </>
      )}
    </div>
  );
}
