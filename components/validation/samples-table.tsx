import type { RowSample } from "@/lib/validation/table-diff";

function show(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** Examples of what a data-quality check found in the legacy data: one row each, no other side. */
function ExamplesTable({ samples, label }: { samples: RowSample[]; label: string }) {
  const columns = [...new Set(samples.flatMap((s) => Object.keys(s.left ?? {})))];
  return (
    <div className="mt-2 overflow-x-auto rounded-md border border-slate-200">
      <table aria-label={label} className="min-w-full text-xs">
        <thead className="bg-slate-50 text-left text-slate-600">
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col" className="px-2 py-1.5 font-mono font-semibold">{c}</th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {samples.map((s, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c} className="px-2 py-1 font-mono text-slate-700">{show(s.left?.[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Mismatch samples side by side: the legacy row (the truth) and the unified one, differences
 * marked. For a data-quality finding (`examples`), the legacy rows it found.
 */
export function SamplesTable({ samples, label, examples = false }: { samples: RowSample[]; label: string; examples?: boolean }) {
  if (examples) return <ExamplesTable samples={samples} label={label} />;
  const columns = [...new Set(samples.flatMap((s) => [...Object.keys(s.left ?? {}), ...Object.keys(s.right ?? {})]))];
  return (
    <div className="mt-2 overflow-x-auto rounded-md border border-slate-200">
      <table aria-label={label} className="min-w-full text-xs">
        <thead className="bg-slate-50 text-left text-slate-600">
          <tr>
            <th scope="col" className="px-2 py-1.5 font-semibold">Key</th>
            <th scope="col" className="px-2 py-1.5 font-semibold">Side</th>
            {columns.map((c) => (
              <th key={c} scope="col" className="px-2 py-1.5 font-mono font-semibold">{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {samples.map((s, i) =>
            (["left", "right"] as const).map((side) => (
              <tr key={`${i}-${side}`} className={side === "left" ? "border-t border-slate-200" : ""}>
                {side === "left" && (
                  <td rowSpan={2} className="px-2 py-1 align-top font-mono text-slate-800">{s.key}</td>
                )}
                <td className="px-2 py-1 text-slate-600">{side === "left" ? "legacy" : "unified"}</td>
                {s[side] === null ? (
                  <td colSpan={columns.length} className="px-2 py-1 italic text-red-700">{side === "left" ? "not in legacy (extra row)" : "missing on the unified side"}</td>
                ) : (
                  columns.map((c) => (
                    <td
                      key={c}
                      className={`px-2 py-1 font-mono ${s.columns.includes(c) ? "bg-red-50 font-semibold text-red-800" : "text-slate-700"}`}
                    >
                      {show(s[side]![c])}
                    </td>
                  ))
                )}
              </tr>
            )),
          )}
        </tbody>
      </table>
    </div>
  );
}
