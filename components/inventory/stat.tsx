export function Stat({ label, value, hint, tone = "neutral" }: { label: string; value: number; hint?: string; tone?: "neutral" | "warning" }) {
  return (
    <div className="rounded-md border border-slate-200 bg-surface px-4 py-3">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</dt>
      <dd className={`mt-1 text-2xl font-semibold tabular-nums ${tone === "warning" && value > 0 ? "text-amber-700" : "text-slate-900"}`}>
        {value.toLocaleString("en-US")}
      </dd>
      {/* The hint belongs to the value: a second dd of the same term, not loose text in the list. */}
      {hint && <dd className="mt-0.5 text-xs text-slate-600">{hint}</dd>}
    </div>
  );
}
