import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatDuration, formatTime, shortChecksum } from "@/components/phases/format";
import { StatusBadge } from "@/components/phases/status-badge";
import { FollowReport } from "@/components/validation/follow-report";
import { SamplesTable } from "@/components/validation/samples-table";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";
import { validationReport } from "@/lib/validation/runs";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Validation #${(await params).id}` };
}

const CATEGORY: Record<string, string> = {
  counts: "Counts: every legacy row accounted for",
  content: "Content: the unified side reads back exactly the legacy rows",
  integrity: "Integrity: the unified schema keeps its promises",
  quality: "Data quality of the legacy side",
  step: "The steps' own checks",
};

export default async function ValidationReportPage({ params }: Props) {
  await requireArea("/validation");
  const id = (await params).id;
  if (!/^\d{1,9}$/.test(id)) notFound();
  const report = await validationReport(Number(id));
  if (!report) notFound();
  const running = report.status === "queued" || report.status === "running";
  const categories = [...new Set(report.checks.map((c) => c.category))];
  const took = report.startedAt && report.finishedAt ? Date.parse(report.finishedAt) - Date.parse(report.startedAt) : null;
  return (
    <>
      <FollowReport running={running} />
      <PageHeader
        title={`Validation #${report.id} · Phase ${report.phase} ${report.kind === "preflight" ? "pre-flight" : "post-run"}`}
        description={`Requested by ${report.requestedBy} on ${formatTime(report.requestedAt)}${took !== null ? `, took ${formatDuration(took)}` : ""}${report.planChecksum ? ` · plan ${shortChecksum(report.planChecksum)}` : ""}`}
        actions={<StatusBadge status={running ? report.status : (report.verdict ?? report.status)} />}
      />
      <div className="space-y-6">
        <div data-testid="validation-summary" className="flex flex-wrap gap-3 text-sm">
          <span className="rounded-md bg-emerald-50 px-3 py-1.5 text-emerald-800">{report.counts.pass} passed</span>
          <span className="rounded-md bg-amber-50 px-3 py-1.5 text-amber-900">{report.counts.warn} warnings</span>
          <span className={`rounded-md px-3 py-1.5 ${report.counts.fail ? "bg-red-50 text-red-800" : "bg-slate-50 text-slate-700"}`}>{report.counts.fail} failed</span>
          {running && <span className="rounded-md bg-brand-50 px-3 py-1.5 text-brand-700">{report.counts.pending} checks still running</span>}
          {report.phaseRunId && (
            <Link href={`/phases/${report.phase}`} className="rounded-md px-3 py-1.5 text-brand-700 ring-1 ring-inset ring-brand-100 hover:bg-brand-50">
              Post-validation of run #{report.phaseRunId}
            </Link>
          )}
        </div>
        {report.error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{report.error}</p>}
        {categories.map((category) => (
          <Card key={category} title={CATEGORY[category] ?? category}>
            <ul className="divide-y divide-slate-100">
              {report.checks.filter((c) => c.category === category).map((check) => (
                <li key={check.checkId} className="py-3" data-testid={`check-${check.checkId}`}>
                  <div className="flex flex-wrap items-center justify-between gap-2">
                    <p className="font-medium text-slate-900">{check.title}</p>
                    <span className="flex items-center gap-2 text-xs text-slate-600">
                      {formatDuration(check.durationMs)} <StatusBadge status={check.status} />
                    </span>
                  </div>
                  <ul className="mt-2 space-y-2">
                    {check.results.map((r, i) => (
                      <li key={i} className="rounded-md border border-slate-200 px-3 py-2 text-sm">
                        <div className="flex flex-wrap items-start justify-between gap-2">
                          <p className="text-slate-800">{r.name}</p>
                          <StatusBadge status={r.status} />
                        </div>
                        {(r.expected || r.actual) && (
                          <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 text-xs text-slate-600">
                            <dt className="font-medium">Expected</dt>
                            <dd>{r.expected || "–"}</dd>
                            <dt className="font-medium">Found</dt>
                            <dd>{r.actual || "–"}</dd>
                          </dl>
                        )}
                        <p className="mt-1 text-xs text-slate-600">{r.detail}</p>
                        {r.samples && r.samples.length > 0 && r.status !== "pass" && (
                          <SamplesTable samples={r.samples} label={`Samples: ${r.name}`} examples={check.category === "quality"} />
                        )}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          </Card>
        ))}
      </div>
    </>
  );
}
