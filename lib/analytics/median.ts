/** The median of a histogram {days: count}, exactly as percentile_cont(0.5) over the underlying values. */
export function histogramMedian(entries: { days: number; n: number }[]): number | null {
  const sorted = [...entries].sort((a, b) => a.days - b.days);
  const total = sorted.reduce((s, e) => s + e.n, 0);
  if (!total) return null;
  const at = (index: number) => {
    let seen = 0;
    for (const e of sorted) {
      seen += e.n;
      if (index < seen) return e.days;
    }
    return sorted[sorted.length - 1]!.days;
  };
  const middle = (total - 1) / 2;
  return (at(Math.floor(middle)) + at(Math.ceil(middle))) / 2;
}
