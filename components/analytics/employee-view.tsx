"use client";

import Form from "next/form";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { formatMonth, formatScore } from "@/lib/analytics/format";
import { employeeScorecardTable, employeeTable, shownScorecard } from "@/lib/analytics/tables";
import type { EmployeeData } from "@/lib/analytics/types";
import { ChartFrame } from "./chart-frame";
import { DataTable } from "./data-table";
import { colour, dash } from "./palette";
import { ErrorState, LoadingBlock, NoData, NotReadyState } from "./states";
import { useAnalytics } from "./use-analytics";
import { ViewHeader } from "./view-header";

const AXIS = { fontSize: 12, fill: "#475569" };

export function EmployeeView({ query }: { query: string }) {
  const { data, error, isPending, isFetching } = useAnalytics<EmployeeData>("employee", query);
  const params = new URLSearchParams(query);
  if (isPending) return <LoadingBlock />;
  if (error) return <ErrorState error={error} />;
  if (!data.ready) return <NotReadyState state={data} />;
  const keep = new URLSearchParams(query);
  keep.delete("q");
  keep.delete("id");
  const hrefFor = (id: string) => {
    const next = new URLSearchParams(keep);
    next.set("id", id);
    return `/analytics/employees?${next.toString()}`;
  };
  // Six lines stay readable: the scorecards with most audits; the table has every one.
  const charted = [...data.scorecards].sort((a, b) => b.audits - a.audits || a.name.localeCompare(b.name)).slice(0, 6);
  const months = data.months.map((m) => ({ label: formatMonth(m.month), ...Object.fromEntries(charted.map((s) => [`s${s.id}`, m.scores[String(s.id)] ?? null])) }));
  const card = shownScorecard(data, params.get("card"));
  const cardHref = (id: number) => {
    const next = new URLSearchParams(query);
    next.set("card", String(id));
    return `/analytics/employees?${next.toString()}`;
  };
  const fields = (card?.fields ?? []).map((f) => ({ name: f.label, share: f.average !== null && f.maxScore ? f.average / f.maxScore : null, average: f.average }));
  return (
    <div className="space-y-6" aria-busy={isFetching}>
      <Form action="/analytics/employees" className="flex flex-wrap items-end gap-2" aria-label="Find an employee">
        {[...keep.entries()].map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <label className="text-xs font-medium text-slate-600">
          Find an employee by name or email
          <input name="q" defaultValue={params.get("q") ?? ""} placeholder="e.g. ana or ana@example.com" className="mt-1 block w-80 rounded-md border border-slate-300 px-2 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-brand-500" />
        </label>
        <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-brand-500">
          Search
        </button>
      </Form>
      {params.get("q") && (
        <ul className="flex flex-wrap gap-2" aria-label="Matching employees">
          {data.matches.length === 0 && <li className="text-sm text-slate-500">Nobody matches “{params.get("q")}”.</li>}
          {data.matches.map((m) => (
            <li key={m.id}>
              <a href={hrefFor(m.id)} className="inline-block rounded-full border border-slate-300 bg-white px-3 py-1 text-sm text-brand-700 hover:bg-brand-50 focus-visible:outline-2 focus-visible:outline-brand-500">
                {m.name} <span className="text-slate-500">{m.email}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {!data.employee ? (
        <NoData>Find an employee above to see their results across every scorecard, field by field.</NoData>
      ) : (
        <>
          <ViewHeader view="employee" query={query} freshness={data.freshness} person={{ name: data.employee.name, email: data.employee.email, testId: "employee-name" }} />
          {data.scorecards.length === 0 ? (
            <NoData>{data.employee.name} has no audit under these filters.</NoData>
          ) : (
            <>
              <div className="grid gap-4 xl:grid-cols-2">
                <ChartFrame title="Average score per month, per scorecard" summary={`The ${charted.length} scorecards with most audits; every scorecard in the table below`}>
                  <LineChart data={months} responsive width="100%" height={260} margin={{ left: 8, right: 8 }}>
                    <CartesianGrid stroke="#e2e8f0" vertical={false} />
                    <XAxis dataKey="label" tick={AXIS} minTickGap={16} />
                    <YAxis tick={AXIS} width={44} domain={["auto", "auto"]} tickFormatter={(v: number) => formatScore(v)} />
                    <Tooltip formatter={(v, name) => [formatScore(Number(v)), name]} />
                    <Legend wrapperStyle={{ fontSize: 12 }} />
                    {charted.map((s, i) => (
                      <Line key={s.id} dataKey={`s${s.id}`} name={s.name} stroke={colour(i)} strokeDasharray={dash(i)} strokeWidth={2} dot={{ r: 3 }} connectNulls isAnimationActive={false} />
                    ))}
                  </LineChart>
                </ChartFrame>
                <ChartFrame title={`${card?.name ?? ""}: each field's average, as a share of its maximum`} summary="Fields never scored are left out; exact averages in the table below">
                  <BarChart data={fields.filter((f) => f.share !== null)} layout="vertical" responsive width="100%" height={Math.max(200, fields.length * 20 + 40)} margin={{ left: 8, right: 16 }}>
                    <CartesianGrid stroke="#e2e8f0" horizontal={false} />
                    <XAxis type="number" tick={AXIS} domain={[0, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
                    <YAxis type="category" dataKey="name" tick={{ ...AXIS, fontSize: 11 }} width={140} interval={0} />
                    <Tooltip formatter={(v) => [`${Math.round(Number(v) * 100)}% of the maximum`, "Average"]} />
                    <Bar dataKey="share" name="Share of maximum" fill={colour(2)} isAnimationActive={false} />
                  </BarChart>
                </ChartFrame>
              </div>
              <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
                <h2 className="border-b border-slate-100 px-4 py-3 text-sm font-semibold text-slate-900">Across scorecards</h2>
                <DataTable spec={employeeScorecardTable(data)} rowKey={(r) => String(r.id)} testId="table-employee-scorecards" />
              </section>
              <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
                <div className="border-b border-slate-100 px-4 py-3">
                  <h2 className="text-sm font-semibold text-slate-900">Per field: {card?.name}</h2>
                  <nav aria-label="Scorecard shown per field" className="mt-2 flex flex-wrap gap-1.5">
                    {data.scorecards.map((c) => (
                      <a
                        key={c.id}
                        href={cardHref(c.id)}
                        aria-current={c.id === card?.id ? "true" : undefined}
                        className={`rounded-full border px-2.5 py-0.5 text-xs focus-visible:outline-2 focus-visible:outline-brand-500 ${c.id === card?.id ? "border-brand-600 bg-brand-50 text-brand-700" : "border-slate-300 text-slate-600 hover:bg-slate-50"}`}
                      >
                        {c.name}
                      </a>
                    ))}
                  </nav>
                </div>
                <DataTable spec={employeeTable(data, params.get("card"))} rowKey={(r) => `${r.scorecard}:${r.label}`} testId="table-employee-fields" />
              </section>
            </>
          )}
        </>
      )}
    </div>
  );
}
