import type { Freshness } from "@/lib/analytics/types";
import { ExportLink } from "./analytics-tabs";
import { FreshnessLabel } from "./freshness-label";

/** Above a view's figures: whose they are (an auditor's, an employee's), how fresh, and the CSV export. */
export function ViewHeader({ view, query, freshness, person }: {
  view: string;
  query: string;
  freshness: Freshness;
  person?: { name: string; email: string; testId: string };
}) {
  const meta = (
    <>
      <FreshnessLabel freshness={freshness} />
      <ExportLink view={view} query={query} />
    </>
  );
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      {person ? (
        <>
          <div>
            <h2 className="text-lg font-semibold text-slate-900" data-testid={person.testId}>{person.name}</h2>
            <p className="text-sm text-slate-500">{person.email}</p>
          </div>
          <div className="flex items-center gap-3">{meta}</div>
        </>
      ) : (
        meta
      )}
    </div>
  );
}
