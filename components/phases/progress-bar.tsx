/** A thin bar for done/total; while `busy` with no known total it pulses instead. */
export function ProgressBar({ done, total, label, busy = false }: { done: number; total: number | null; label: string; busy?: boolean }) {
  const percent = total ? Math.min(100, Math.round((done / total) * 100)) : null;
  const pulsing = percent === null && busy;
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent ?? undefined}
      className="h-1.5 w-full overflow-hidden rounded-full bg-slate-100"
    >
      <div
        className={`h-full rounded-full transition-[width] duration-500 ${pulsing ? "w-1/3 animate-pulse bg-brand-500" : percent === 100 ? "bg-emerald-500" : "bg-brand-500"}`}
        style={pulsing ? undefined : { width: `${percent ?? 0}%` }}
      />
    </div>
  );
}
