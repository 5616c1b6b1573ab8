/**
 * A view's headline figures as a row of tiles. `columns` is the grid's column class at md width;
 * `truncate` keeps a long value on one line with the whole of it in its title.
 */
export function StatTiles({ tiles, columns, truncate = false }: { tiles: [label: string, value: string][]; columns: string; truncate?: boolean }) {
  return (
    <dl className={`grid grid-cols-2 gap-3 ${columns}`}>
      {tiles.map(([label, value]) => (
        <div key={label} className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm">
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
          <dd className={`mt-1 ${truncate ? "truncate " : ""}text-lg font-semibold text-slate-900`} title={truncate ? value : undefined}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
