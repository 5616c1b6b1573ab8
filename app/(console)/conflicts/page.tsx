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
import { ConflictCursorError, conflictFields, conflictSummary, listConflicts, pendingOverrides } from "@/lib/plan/phase-1/conflicts";
import { Table, Td, Th } from "@/components/ui/table";

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
    conflictSummary(),
  ]);
  const exportQuery = new URLSearchParams();
  if (field) exportQuery.set("field", field);
  if (search) exportQuery.set("q", search);
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
        <>
        <Card title="By field and rule" description="How many conflicts each rule produced; a person's conflicts are listed together below." className="mb-6">
          <Table label="Conflicts by field and rule">
            <thead className="bg-slate-50">
              <tr>
                <Th>Field</Th>
                <Th>Rule</Th>
                <Th className="text-right">Conflicts</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {summary.map((s) => (
                <tr key={`${s.field}|${s.rule}`}>
                  <Td>
                    <Link href={`/conflicts?field=${encodeURIComponent(s.field)}`} className="font-mono text-xs text-brand-700 hover:text-brand-800">
                      {s.field}
                    </Link>
                  </Td>
                  <Td className="whitespace-normal text-xs text-slate-600">{s.rule}</Td>
                  <Td className="text-right tabular-nums">{s.count.toLocaleString("en-US")}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
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
