import Form from "next/form";
import type { AnalyticsFilters } from "@/lib/analytics/filters";
import type { Options } from "@/lib/analytics/types";

const field = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-brand-500";

/**
 * The filters as a GET form: applying them navigates to the same page with them in the URL, so a
 * view can be shared by its address. `keep` carries the page's own parameters (sort, the employee).
 */
export function FiltersBar({ action, filters, options, keep = {}, personal = true, perScorecard = true }: {
  action: string;
  filters: AnalyticsFilters;
  options: Options;
  keep?: Record<string, string | null>;
  /** Whether department and team apply (the employee page is one person). */
  personal?: boolean;
  /** Whether scorecard and channel apply (auditor performance is per auditor and month). */
  perScorecard?: boolean;
}) {
  // Before Phase 4 there is nothing to filter: the page says what is missing instead.
  if (!options.months.first && !options.scorecards.length) return null;
  const span = options.months.first && options.months.last ? `Data from ${options.months.first} to ${options.months.last}` : undefined;
  return (
    <Form action={action} className="mb-6 rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm" aria-label="Filters">
      {Object.entries(keep).map(([name, value]) => (value ? <input key={name} type="hidden" name={name} value={value} /> : null))}
      <div className="flex flex-wrap items-end gap-3 [&>label]:w-44">
        <label className="text-xs font-medium text-slate-600">
          From month
          <input type="month" name="from" defaultValue={filters.from ?? ""} min={options.months.first ?? undefined} max={options.months.last ?? undefined} className={field} title={span} />
        </label>
        <label className="text-xs font-medium text-slate-600">
          To month
          <input type="month" name="to" defaultValue={filters.to ?? ""} min={options.months.first ?? undefined} max={options.months.last ?? undefined} className={field} title={span} />
        </label>
        {perScorecard && (
          <>
            <label className="text-xs font-medium text-slate-600">
              Scorecard
              <select name="scorecard" defaultValue={filters.scorecard ?? ""} className={field}>
                <option value="">All scorecards</option>
                {options.scorecards.map((s) => (
                  <option key={s.id} value={s.id}>{s.name}</option>
                ))}
              </select>
            </label>
            <label className="text-xs font-medium text-slate-600">
              Channel
              <select name="channel" defaultValue={filters.channel ?? ""} className={field}>
                <option value="">All channels</option>
                {options.channels.map((c) => (
                  <option key={c.id} value={c.id}>{c.name}</option>
                ))}
              </select>
            </label>
          </>
        )}
        {personal && (
          <>
            <label className="text-xs font-medium text-slate-600">
              Department
              <select name="department" defaultValue={filters.department ?? ""} className={field}>
                <option value="">All departments</option>
                {options.departments.map((d) => (
                  <option key={d.id} value={d.id}>{d.name}</option>
                ))}
              </select>
            </label>
            <label className="text-xs font-medium text-slate-600">
              Team
              <select name="team" defaultValue={filters.team ?? ""} className={field}>
                <option value="">All teams</option>
                {options.teams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                    {t.departmentId ? ` (${options.departments.find((d) => d.id === t.departmentId)?.name ?? ""})` : ""}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        <div className="flex items-end gap-2">
          <button type="submit" className="rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500">
            Apply
          </button>
          <a href={action + (keep.id ? `?id=${encodeURIComponent(keep.id)}` : "")} className="rounded-md px-2 py-2 text-sm text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-500">
            Clear
          </a>
        </div>
      </div>
      {!perScorecard && <p className="mt-2 text-xs text-slate-500">Auditor performance is kept per auditor and month: scorecard and channel do not narrow it; department and team are the auditor&apos;s own.</p>}
    </Form>
  );
}
