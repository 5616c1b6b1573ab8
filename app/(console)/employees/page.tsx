import type { Metadata } from "next";
import { AuditReportTable } from "@/components/employees/audit-report";
import { EmployeeRecordView } from "@/components/employees/employee-record";
import { ScorecardSummaryTable } from "@/components/employees/scorecard-summary";
import { SourceLine } from "@/components/employees/source-badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";
import { getAuditReport, getEmployee, getScorecardSummary } from "@/lib/flags/adapter";

export const metadata: Metadata = { title: "Employees" };

const DEFAULT_FROM = "2023-01-01";

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

async function lookUp(email: string, range: { from: string; to: string }) {
  try {
    // One after the other, so each answer's time is its own and not a share of three at once.
    const employee = await getEmployee(email);
    const report = await getAuditReport(email, range);
    const summary = await getScorecardSummary(range);
    return { ok: true as const, employee, report, summary };
  } catch (error) {
    if ((error as { expected?: unknown }).expected === true) return { ok: false as const, error: (error as Error).message };
    throw error;
  }
}

/**
 * The application's view through the adapter (lib/flags/adapter.ts): the employee, their audits
 * and every scorecard side by side, each answered by the schema its flag chooses, with the time taken.
 */
export default async function EmployeesPage({ searchParams }: { searchParams: Promise<{ email?: string; from?: string; to?: string }> }) {
  await requireArea("/employees");
  const params = await searchParams;
  const email = (params.email ?? "").slice(0, 320);
  const range = { from: params.from || DEFAULT_FROM, to: params.to || today() };
  const result = email.trim() ? await lookUp(email, range) : null;
  return (
    <>
      <PageHeader
        title="Employees"
        description="Look an employee up as the application does: from the legacy tables or the unified schema, as the feature flags say, with which source answered and how long it took."
      />
      <div className="space-y-6">
        <Card>
          <form method="get" className="flex flex-wrap items-end gap-3" role="search">
            <label className="block min-w-72 flex-1 text-sm font-medium text-slate-700">
              Email
              <input name="email" type="search" defaultValue={email} placeholder="someone@example.com" className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500" />
            </label>
            <label className="block text-sm font-medium text-slate-700">
              From
              <input name="from" type="date" defaultValue={range.from} className="mt-1 block rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm" />
            </label>
            <label className="block text-sm font-medium text-slate-700">
              To
              <input name="to" type="date" defaultValue={range.to} className="mt-1 block rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm" />
            </label>
            <Button type="submit">Look up</Button>
          </form>
        </Card>
        {!result && <EmptyState title="Search an employee">Type an email in any spelling: case and surrounding spaces do not matter.</EmptyState>}
        {result && !result.ok && <p role="alert" className="rounded-md bg-red-50 px-4 py-3 text-sm text-red-700">{result.error}</p>}
        {result?.ok && (
          <>
            <Card title="Employee record" description={<SourceLine what="employee" answered={result.employee} />}>
              {result.employee.data ? <EmployeeRecordView employee={result.employee.data} /> : <p className="text-sm text-slate-500">No employee has this email in users or people.</p>}
            </Card>
            <Card
              title={`Audit report, ${range.from} to ${range.to}`}
              description={<SourceLine what="report" answered={result.report} />}
              actions={<span className="text-sm text-slate-500" data-testid="report-count">{result.report.data.audits.length.toLocaleString("en-US")} audits</span>}
            >
              <AuditReportTable audits={result.report.data.audits} />
            </Card>
            <Card title="Every scorecard side by side" description={<SourceLine what="summary" answered={result.summary} />}>
              <ScorecardSummaryTable rows={result.summary.data} />
            </Card>
          </>
        )}
      </div>
    </>
  );
}
