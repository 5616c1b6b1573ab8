import type { ReactNode } from "react";
import type { TableSpec } from "@/lib/analytics/tables";

/** A table of text cells from lib/analytics/tables.ts: the same cells the CSV export writes. */
export function DataTable<R>({ spec, rowKey, header, sorted, link, testId }: {
  spec: TableSpec<R>;
  rowKey: (row: R, index: number) => string;
  header?: (column: TableSpec<R>["columns"][number]) => ReactNode;
  sorted?: (column: TableSpec<R>["columns"][number]) => "ascending" | "descending" | undefined;
  link?: (row: R) => string | null;
  testId?: string;
}) {
  return (
    <div className="overflow-x-auto">
      <table aria-label={spec.title} className="min-w-full divide-y divide-slate-200 text-sm" data-testid={testId}>
        <thead className="bg-slate-50">
          <tr>
            {spec.columns.map((c) => (
              <th key={c.key} scope="col" aria-sort={sorted?.(c)} className={`px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500 ${c.numeric ? "text-right" : "text-left"}`}>
                {header ? header(c) : c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {spec.rows.map((row, i) => {
            const href = link?.(row) ?? null;
            return (
              <tr key={rowKey(row, i)}>
                {spec.columns.map((c, j) => (
                  <td key={c.key} className={`whitespace-nowrap px-3 py-2 ${c.numeric ? "text-right tabular-nums text-slate-700" : "text-slate-800"}`}>
                    {j === 0 && href ? (
                      <a href={href} className="font-medium text-brand-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-brand-500">
                        {c.cell(row)}
                      </a>
                    ) : (
                      c.cell(row)
                    )}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
