import type { Metadata } from "next";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";
import { PHASES } from "@/lib/plan/phases";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const operator = await requireArea("/");
  return (
    <>
      <PageHeader
        title="Overview"
        description={`Signed in as ${operator.name}. The migration moves the legacy QA-audit schema to the unified schema in five phases.`}
      />
      <ol className="grid gap-4 md:grid-cols-2 xl:grid-cols-5" aria-label="Migration phases">
        {PHASES.map((phase) => (
          <li key={phase.number} className="flex flex-col rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
            <div className="flex items-center justify-between">
              <span className="text-xs font-semibold uppercase tracking-wide text-slate-500">Phase {phase.number}</span>
              <Badge tone={phase.risk === "medium" ? "warning" : "neutral"}>{phase.risk} risk</Badge>
            </div>
            <h2 className="mt-2 text-sm font-semibold text-slate-900">{phase.title}</h2>
            <p className="mt-1 text-sm text-slate-600">{phase.summary}</p>
            <div className="mt-auto pt-3">
              <Badge>not started</Badge>
            </div>
          </li>
        ))}
      </ol>
    </>
  );
}
