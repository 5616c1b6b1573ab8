import { StatusBadge } from "./status-badge";

export interface CheckView {
  name: string;
  status: string;
  detail: string;
}

/** Pre-flight or post-validation checks: what was checked, its verdict, and the numbers behind it. */
export function CheckList({ checks, label, wide = false }: { checks: CheckView[]; label: string; wide?: boolean }) {
  return (
    <ul aria-label={label} className={wide ? "grid gap-x-6 gap-y-3 md:grid-cols-2 xl:grid-cols-3" : "divide-y divide-slate-100"}>
      {checks.map((c) => (
        <li key={c.name} className={`flex items-start gap-3 ${wide ? "" : "py-2 first:pt-0 last:pb-0"}`}>
          <span className="mt-0.5 w-12 shrink-0">
            <StatusBadge status={c.status} />
          </span>
          <div className="min-w-0">
            <p className="text-sm font-medium text-slate-800">{c.name}</p>
            <p className="text-xs break-words text-slate-600">{c.detail}</p>
          </div>
        </li>
      ))}
    </ul>
  );
}
