import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConflictFilters } from "@/components/conflicts/conflict-filters";
import { ConflictsTable } from "@/components/conflicts/conflicts-table";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";
import { hasNul } from "@/lib/db/sql";
import { hasAnyRole } from "@/lib/auth/roles";
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
  const [list, fields, pending] = await Promise.all([
    listConflicts({ field, search, after }).catch((error: unknown) => {
      if (error instanceof ConflictCursorError) notFound();
      throw error;
    }),
    conflictFields(),
    pendingOverrides(),
  ]);
  const canOverride = hasAnyRole(operator.roles, ["lead"]);
  return (
    <>
      <PageHeader
        title="Merge conflicts"
        description="Every disagreement Phase 1 found while merging users and people into employees: the value its rule chose, the alternative, and where each came from. A lead can override a choice; the override applies on the next run of the merge step."
      />
      {pending.length > 0 && (
        <p role="status" className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          {pending.length} override{pending.length === 1 ? " waits" : "s wait"} for the next run of the merge step.{" "}
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
          overrides are kept either way.
        </EmptyState>
      ) : (
        <Card>
          <div className="mb-4">
            <ConflictFilters fields={fields} field={field} search={search} />
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
      )}
    </>
  );
}
