"use client";

import { Bar, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount, formatDays, formatDeviation, formatMonth, formatScore } from "@/lib/analytics/format";
import { auditorTable } from "@/lib/analytics/tables";
import type { AuditorData } from "@/lib/analytics/types";
import { ChartFrame } from "./chart-frame";
import { DataTable } from "./data-table";
import { colour } from "./palette";
import { StatTiles } from "./stat-tiles";
import { ErrorState, LoadingBlock, NoData, NotReadyState } from "./states";
import { useAnalytics } from "./use-analytics";
import { ViewHeader } from "./view-header";

const AXIS = { fontSize: 12, fill: "#475569" };

export function AuditorView({ query }: { query: string }) {
  const { data, error, isPending, isFetching } = useAnalytics<AuditorData>("auditor", query);
  if (isPending) return <LoadingBlock />;
  if (error) return <ErrorState error={error} />;
  if (!data.ready) return <NotReadyState state={data} />;
  if (!data.auditor) return <NoData>There is no such employee. Pick an auditor from the Auditor performance table.</NoData>;
  const months = data.months.map((m) => ({ ...m, label: formatMonth(m.month) }));
  const t = data.total;
  return (
    <div className="space-y-6" aria-busy={isFetching}>
      <ViewHeader view="auditor" query={query} freshness={data.freshness} person={{ name: data.auditor.name, email: data.auditor.email, testId: "auditor-name" }} />
      {!t ? (
        <NoData>{data.auditor.name} gave no audit under these filters.</NoData>
      ) : (
        <>
          <StatTiles
            columns="md:grid-cols-5"
            tiles={[
              ["Audits given", formatCount(t.audits)],
              ["Average score given", formatScore(t.avgScore)],
              ["Calibration", formatDeviation(t.deviation)],
              ["Spread (sd)", formatScore(t.spread)],
              ["Median turnaround", t.matched ? `${formatDays(t.turnaround)} · ${formatCount(t.matched)} assignments` : "no assignment matched"],
            ]}
          />
          <div className="grid gap-4 xl:grid-cols-2">
            <ChartFrame title="Audits and average score given, month by month" summary="Bars: audits; line: average score given">
              <ComposedChart data={months} responsive width="100%" height={260} margin={{ left: 8, right: 8 }}>
                <CartesianGrid stroke="#e2e8f0" vertical={false} />
                <XAxis dataKey="label" tick={AXIS} minTickGap={16} />
                <YAxis yAxisId="n" tick={AXIS} width={44} allowDecimals={false} tickFormatter={(v: number) => formatCount(v)} />
                <YAxis yAxisId="s" orientation="right" tick={AXIS} width={44} domain={["auto", "auto"]} tickFormatter={(v: number) => formatScore(v)} />
                <Tooltip formatter={(v, name) => [name === "Audits" ? formatCount(Number(v)) : formatScore(Number(v)), name]} />
                <Legend />
                <Bar yAxisId="n" dataKey="audits" name="Audits" fill={colour(4)} isAnimationActive={false} />
                <Line yAxisId="s" dataKey="avgScore" name="Average score" stroke={colour(0)} strokeWidth={2} isAnimationActive={false} />
              </ComposedChart>
            </ChartFrame>
            <ChartFrame title="Calibration deviation, month by month" summary="Points above the line: scores higher than the other auditors on the same scorecards that month">
              <ComposedChart data={months} responsive width="100%" height={260} margin={{ left: 8, right: 8 }}>
                <CartesianGrid stroke="#e2e8f0" vertical={false} />
                <XAxis dataKey="label" tick={AXIS} minTickGap={16} />
                <YAxis tick={AXIS} width={44} domain={["auto", "auto"]} tickFormatter={(v: number) => formatDeviation(v)} />
                <ReferenceLine y={0} stroke="#334155" />
                <Tooltip formatter={(v) => [formatDeviation(Number(v)), "Deviation"]} />
                <Line dataKey="deviation" name="Deviation" stroke={colour(5)} strokeWidth={2} isAnimationActive={false} />
              </ComposedChart>
            </ChartFrame>
          </div>
          <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
            <h2 className="border-b border-slate-100 px-4 py-3 text-sm font-semibold text-slate-900">Month by month</h2>
            <DataTable spec={auditorTable(data)} rowKey={(r) => r.month} testId="table-auditor-months" />
          </section>
        </>
      )}
    </div>
  );
}
