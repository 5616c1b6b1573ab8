import Form from "next/form";
import type { AnalyticsFilters } from "@/lib/analytics/filters";
import type { Options } from "@/lib/analytics/types";

const field = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-brand-500";

/** One filter: every option by name, and "all" (no filter) first. */
function FilterSelect({ label, name, value, all, options }: {
  label: string;
  name: string;
  value: string | number | null | undefined;
  all: string;
  options: { id: string | number; name: string }[];
}) {
  return (
    <label className="text-xs font-medium text-slate-600">
      {label}
      <select name={name} defaultValue={value ?? ""} className={field}>
        <option value="">{all}</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>{o.name}</option>
        ))}
      </select>
    </label>
  );
}

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
            <FilterSelect label="Scorecard" name="scorecard" value={filters.scorecard} all="All scorecards" options={options.scorecards} />
            <FilterSelect label="Channel" name="channel" value={filters.channel} all="All channels" options={options.channels} />
          </>
        )}
        {personal && (
          <>
            <FilterSelect label="Department" name="department" value={filters.department} all="All departments" options={options.departments} />
            <FilterSelect
              label="Team"
              name="team"
              value={filters.team}
              all="All teams"
              options={options.teams.map((t) => ({
                id: t.id,
                name: `${t.name}${t.departmentId ? ` (${options.departments.find((d) => d.id === t.departmentId)?.name ?? ""})` : ""}`,
              }))}
            />
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
