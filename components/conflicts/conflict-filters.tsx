import Link from "next/link";

/** Filter by field and by part of an email; a plain GET form, so filters live in the URL. */
export function ConflictFilters({ fields, field, search }: { fields: { field: string; count: number }[]; field: string; search: string }) {
  return (
    <form method="get" className="flex flex-wrap items-end gap-3" role="search" aria-label="Filter conflicts">
      <div>
        <label htmlFor="conflict-field" className="block text-sm font-medium text-slate-700">
          Field
        </label>
        <select
          id="conflict-field"
          name="field"
          defaultValue={field}
          className="mt-1 block w-52 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500"
        >
          <option value="">All fields</option>
          {fields.map((f) => (
            <option key={f.field} value={f.field}>
              {f.field} ({f.count})
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="conflict-search" className="block text-sm font-medium text-slate-700">
          Email contains
        </label>
        <input
          id="conflict-search"
          name="q"
          type="search"
          defaultValue={search}
          placeholder="e.g. smith"
          className="mt-1 block w-64 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500"
        />
      </div>
      <button type="submit" className="rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50">
        Filter
      </button>
      {(field || search) && (
        <Link href="/conflicts" className="py-2 text-sm font-medium text-brand-600 hover:text-brand-700">
          Clear
        </Link>
      )}
    </form>
  );
}
