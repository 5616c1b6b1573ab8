import type { ReactNode } from "react";
import type { NotReady } from "@/lib/analytics/types";

export function NotReadyState({ state }: { state: NotReady }) {
  return (
    <div role="status" className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center" data-testid="analytics-not-ready">
      <h2 className="text-sm font-semibold text-slate-900">No analytics yet</h2>
      <p className="mx-auto mt-1 max-w-xl text-sm text-slate-600">{state.missing}</p>
      <p className="mx-auto mt-1 max-w-xl text-sm text-slate-600">{state.who}</p>
    </div>
  );
}

export function ErrorState({ error }: { error: Error }) {
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 px-5 py-4 text-sm text-red-800">
      The figures could not be loaded: {error.message}. Reload the page to try again.
    </div>
  );
}

export function NoData({ children }: { children: ReactNode }) {
  return <p className="py-8 text-center text-sm text-slate-500">{children}</p>;
}

export function LoadingBlock({ label = "Loading the figures…" }: { label?: string }) {
  return (
    <div role="status" aria-live="polite" className="space-y-3">
      <span className="sr-only">{label}</span>
      <div className="h-6 w-48 animate-pulse rounded bg-slate-200" />
      <div className="h-64 animate-pulse rounded-lg bg-slate-100" />
      <div className="h-40 animate-pulse rounded-lg bg-slate-100" />
    </div>
  );
}
