import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConflictFilters } from "@/components/conflicts/conflict-filters";
import { ConflictSummary } from "@/components/conflicts/conflict-summary";
import { ConflictsTable } from "@/components/conflicts/conflicts-table";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";
import { hasNul } from "@/lib/db/sql";
import { hasAnyRole } from "@/lib/auth/roles";
import { ruleSummary } from "@/lib/plan/phase-1/conflict-rules";
import { ConflictCursorError, conflictFields, listConflicts, pendingOverrides } from "@/lib/plan/phase-1/conflicts";

export const metadata: Metadata = { title: "Merge conflicts" };

type Search = { field?: string; q?: string; after?: string };

export default async function ConflictsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const operator = await requireArea("/conflicts");
  const params = await searchParams;
  const field = params.field?.trim() ?? "";
  const search = params.q?.trim() ?? "";
  const after = params.after?.trim() || undefined;
  // Filters that PostgreSQL cannot hold (a NUL byte) name no page of conflicts.
  if ([params.field, params.q, params.after].some((v) => v !== undefined && hasNul(v))) notFound();
  const [list, fields, pending, summary] = await Promise.all([
    listConflicts({ field, search, after }).catch((error: unknown) => {
      if (error instanceof ConflictCursorError) notFound();
      throw error;
    }),
    conflictFields(),
    pendingOverrides(),
    ruleSummary(),
  ]);
  // What the next run of the merge step will change: overrides, and rule-wide decisions made or withdrawn since the last.
  const pendingRules = new Set(
    summary.flatMap((s) => (s.decision && (s.decision.inForce?.pending || s.decision.withdrawnSinceMerge) ? [s.decision.field] : [])),
  ).size;
  const waiting = [
    pending.length ? `${pending.length} override${pending.length === 1 ? "" : "s"}` : null,
    pendingRules ? `${pendingRules} rule-wide decision${pendingRules === 1 ? "" : "s"}` : null,
  ].filter((part): part is string => part !== null);
  const waitingCount = pending.length + pendingRules;
  const exportQuery = new URLSearchParams();
  if (field) exportQuery.set("field", field);
  if (search) exportQuery.set("q", search);
  const canOverride = hasAnyRole(operator.roles, ["lead"]);
  return (
    <>
      <PageHeader
        title="Merge conflicts"
        description="Every disagreement Phase 1 found while merging users and people into employees: the value its rule chose, the alternative, and where each came from. A lead can decide a rule for everyone or override one person's value; either applies on the next run of the merge step."
      />
      {waitingCount > 0 && (
        <p role="status" className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          {waiting.join(" and ")} {waitingCount === 1 ? "waits" : "wait"} for the next run of the merge step.{" "}
          {hasAnyRole(operator.roles, ["admin"]) ? (
            <Link href="/phases/1" className="font-medium underline">
              Run step merge-identities on Phase 1
            </Link>
          ) : (
            "An admin runs it from Phase 1."
          )}
        </p>
      )}
      {!list.available ? (
        <EmptyState title="No merge conflicts yet">
          Conflicts are recorded by Phase 1&apos;s merge step: they appear once Phase 1 runs, and go away when it is rolled back. Leads&apos;
          overrides and rule-wide decisions are kept either way.
        </EmptyState>
      ) : (
        <>
        <Card
          title="By field and rule"
          description="How many conflicts each rule produced. A lead can decide full name or active for every employee at once; one person's override still beats it. A person's conflicts are listed together below."
          className="mb-6"
        >
          <ConflictSummary rows={summary} canDecide={canOverride} />
        </Card>
        <Card>
          <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
            <ConflictFilters fields={fields} field={field} search={search} />
            <a
              href={`/api/conflicts/export${exportQuery.size ? `?${exportQuery.toString()}` : ""}`}
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50"
            >
              Export CSV
            </a>
          </div>
          {list.rows.length ? (
            <ConflictsTable
              rows={list.rows}
              canOverride={canOverride}
              next={list.next}
              paged={after !== undefined}
              total={list.total}
              field={field}
              search={search}
            />
          ) : (
            <EmptyState title={field || search ? "No conflict matches these filters" : "No conflicts: users and people agreed everywhere"} />
          )}
        </Card>
        </>
      )}
    </>
  );
}
