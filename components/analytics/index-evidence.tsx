import { Badge } from "@/components/ui/badge";

export interface EvidenceView {
  query: string;
  title: string;
  sql: string;
  plan: string;
  expectedIndex: string;
  usesIndex: boolean;
  executionMs: number;
  capturedAt: string;
}

/** Phase 4's index review: each main page query, the index it should read, and its EXPLAIN (ANALYZE, BUFFERS). */
export function IndexEvidence({ rows }: { rows: EvidenceView[] }) {
  if (!rows.length) return <p className="text-sm text-slate-500">No plans recorded yet: the index-review step records them when Phase 4 runs.</p>;
  return (
    <ul className="space-y-3" data-testid="index-evidence">
      {rows.map((r) => (
        <li key={r.query} className="rounded-md border border-slate-200">
          <details>
            <summary className="flex cursor-pointer flex-wrap items-center gap-2 px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-brand-500">
              <span className="font-medium text-slate-900">{r.title}</span>
              <Badge tone={r.usesIndex ? "success" : "warning"}>{r.usesIndex ? `reads ${r.expectedIndex}` : `no ${r.expectedIndex}`}</Badge>
              <span className="text-xs text-slate-500">{r.executionMs.toFixed(2)} ms, {r.capturedAt.slice(0, 16).replace("T", " ")} UTC</span>
            </summary>
            <div className="space-y-2 border-t border-slate-100 px-3 py-2">
              <pre className="overflow-x-auto whitespace-pre-wrap rounded bg-slate-50 p-2 text-xs text-slate-700">{r.sql}</pre>
              <pre className="overflow-x-auto rounded bg-slate-900 p-2 text-xs text-slate-100">{r.plan}</pre>
            </div>
          </details>
        </li>
      ))}
    </ul>
  );
}
