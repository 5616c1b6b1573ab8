import type { ReactNode } from "react";

/** A chart with its title and a one-line reading of it; the tables beside carry the exact figures. */
export function ChartFrame({ title, summary, children, className = "" }: { title: string; summary: string; children: ReactNode; className?: string }) {
  return (
    <figure className={`rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm ${className}`} aria-label={title}>
      <figcaption className="mb-2">
        <span className="block text-sm font-semibold text-slate-900">{title}</span>
        <span className="block text-xs text-slate-500">{summary}</span>
      </figcaption>
      {children}
    </figure>
  );
}
