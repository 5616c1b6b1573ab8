import Link from "next/link";

const TABS = [
  { href: "/analytics", label: "Overview", key: "overview" },
  { href: "/analytics/auditors", label: "Auditor performance", key: "auditors" },
  { href: "/analytics/employees", label: "Employee drill-down", key: "employees" },
] as const;

/** The analytics sub-pages; the current filters travel along so a switch keeps the view. */
export function AnalyticsTabs({ current, query }: { current: (typeof TABS)[number]["key"]; query: string }) {
  return (
    <nav aria-label="Analytics pages" className="mb-4 flex gap-1 border-b border-slate-200">
      {TABS.map((t) => (
        <Link
          key={t.key}
          href={`${t.href}${query}`}
          aria-current={t.key === current ? "page" : undefined}
          className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-brand-500 ${
            t.key === current ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"
          }`}
        >
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

export function ExportLink({ view, query, label = "Download CSV" }: { view: string; query: string; label?: string }) {
  const params = new URLSearchParams(query);
  params.set("view", view);
  return (
    <a
      href={`/api/analytics/export?${params.toString()}`}
      download
      className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-brand-500"
    >
      {label}
    </a>
  );
}
