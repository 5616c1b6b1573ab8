import type { Metadata } from "next";
import Link from "next/link";
import { StatusBadge } from "@/components/phases/status-badge";
import { formatTime } from "@/components/phases/format";
import { RunValidationForm } from "@/components/validation/run-validation-form";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { requireArea } from "@/lib/auth/current";
import { hasAnyRole } from "@/lib/auth/roles";
import { phaseDefinition } from "@/lib/plan/plan";
import { PHASES } from "@/lib/plan/phases";
import { listValidations } from "@/lib/validation/runs";

export const metadata: Metadata = { title: "Validation" };

const KIND = { preflight: "pre-flight", post_run: "post-run" } as const;

function positive(value: string | undefined): number | undefined {
  if (!value || !/^\d{1,9}$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}

export default async function ValidationPage({ searchParams }: { searchParams: Promise<{ phase?: string; before?: string }> }) {
  const operator = await requireArea("/validation");
  const params = await searchParams;
  const phase = positive(params.phase);
  const filter = phase && phase <= 5 ? phase : undefined;
  const { reports, nextBefore } = await listValidations({ phase: filter, before: positive(params.before) });
  const runnable = PHASES.filter((p) => phaseDefinition(p.number));
  const canRun = hasAnyRole(operator.roles, ["admin", "lead"]);
  const link = (extra: Record<string, string | number | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ phase: filter, ...extra })) if (v !== undefined) q.set(k, String(v));
    const s = q.toString();
    return `/validation${s ? `?${s}` : ""}`;
  };
  return (
    <>
      <PageHeader
        title="Validation"
        description="Evidence that nothing was lost: pre-flight suites on the legacy data before approval, post-run suites after each phase and on demand."
      />
      <div className="space-y-6">
        {canRun && (
          <Card title="Run a suite" description="It runs in the background worker; its report fills in live.">
            <RunValidationForm phases={runnable.map((p) => ({ number: p.number, title: p.title }))} />
          </Card>
        )}
        <Card title="Reports" description="Newest first.">
          <nav aria-label="Filter by phase" className="mb-3 flex flex-wrap gap-2 text-sm">
            {[undefined, ...PHASES.map((p) => p.number)].map((n) => (
              <Link
                key={n ?? "all"}
                href={n ? `/validation?phase=${n}` : "/validation"}
                aria-current={filter === n ? "page" : undefined}
                className={`rounded-full px-3 py-1 ring-1 ring-inset ${filter === n ? "bg-primary text-on-fill ring-primary" : "bg-surface text-slate-700 ring-slate-300 hover:bg-slate-50"}`}
              >
                {n ? `Phase ${n}` : "All phases"}
              </Link>
            ))}
          </nav>
          {reports.length ? (
            <Table label="Validation reports">
              <thead className="bg-slate-50">
                <tr>
                  <Th>Report</Th>
                  <Th>Phase</Th>
                  <Th>Suite</Th>
                  <Th>Verdict</Th>
                  <Th className="text-right">Pass</Th>
                  <Th className="text-right">Warn</Th>
                  <Th className="text-right">Fail</Th>
                  <Th>Requested</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {reports.map((r) => (
                  <tr key={r.id}>
                    <Td>
                      <Link href={`/validation/${r.id}`} className="font-medium text-brand-700 hover:text-brand-800">#{r.id}</Link>
                    </Td>
                    <Td>{r.phase}</Td>
                    <Td>{KIND[r.kind]}{r.phaseRunId ? <span className="ml-1 text-xs text-slate-600">(run #{r.phaseRunId})</span> : null}</Td>
                    <Td><StatusBadge status={r.verdict ?? r.status} /></Td>
                    <Td className="text-right tabular-nums">{r.pass}</Td>
                    <Td className="text-right tabular-nums">{r.warn}</Td>
                    <Td className={`text-right tabular-nums ${r.fail ? "font-semibold text-red-700" : ""}`}>{r.fail}</Td>
                    <Td className="text-xs">
                      {r.requestedBy}
                      <span className="block text-slate-600">{formatTime(r.requestedAt)}</span>
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          ) : (
            <EmptyState title="No reports yet">Run a suite above, or run a phase: its post-validation is stored here.</EmptyState>
          )}
          {(params.before || nextBefore) && (
            <div className="mt-4 flex justify-end gap-2 text-sm">
              {params.before && <Link className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 hover:bg-slate-50" href={link({})}>Newest</Link>}
              {nextBefore && <Link className="rounded-md border border-slate-300 bg-surface px-3 py-1.5 hover:bg-slate-50" href={link({ before: nextBefore })}>Older</Link>}
            </div>
          )}
        </Card>
      </div>
    </>
  );
}
