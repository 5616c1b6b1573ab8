import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";

export function Table({ children, label }: { children: ReactNode; label?: string }) {
  return (
    <div className="overflow-x-auto">
      <table aria-label={label} className="min-w-full divide-y divide-slate-200 text-sm">
        {children}
      </table>
    </div>
  );
}

// A cell's own alignment replaces the default one rather than competing with it in the stylesheet.
const aligned = (className: string) => /\btext-(left|center|right)\b/.test(className);

export function Th({ className = "", ...props }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th
      scope="col"
      className={`whitespace-nowrap px-3 py-2 ${aligned(className) ? "" : "text-left"} text-xs font-semibold uppercase tracking-wide text-slate-600 ${className}`}
      {...props}
    />
  );
}

export function Td({ className = "", ...props }: TdHTMLAttributes<HTMLTableCellElement>) {
  // A cell that asks to wrap (whitespace-normal, …) gets no nowrap to compete with.
  const wrapping = /\bwhitespace-/.test(className) ? "" : "whitespace-nowrap";
  return <td className={`${wrapping} px-3 py-2 text-slate-700 ${className}`} {...props} />;
}
