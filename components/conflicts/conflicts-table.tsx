import { Table, Th } from "@/components/ui/table";
import Link from "next/link";
import type { ConflictRow } from "@/lib/plan/phase-1/conflicts";
import { ConflictRows } from "./conflict-rows";

function pageHref(after: string | null, field: string, search: string): string {
  const query = new URLSearchParams();
  if (field) query.set("field", field);
  if (search) query.set("q", search);
  if (after) query.set("after", after);
  const text = query.toString();
  return text ? `/conflicts?${text}` : "/conflicts";
}

/** One page of merge conflicts with the pager; the filters travel with it. */
export function ConflictsTable({ rows, canOverride, next, paged, total, field, search }: {
  rows: ConflictRow[];
  canOverride: boolean;
  /** Where the next page starts, or null on the last one. */
  next: string | null;
  /** This page is not the first. */
  paged: boolean;
  total: number;
  field: string;
  search: string;
}) {
  return (
    <div>
      <Table label="Merge conflicts">
        <thead className="bg-slate-50">
          <tr>
            <Th>Person</Th>
            <Th>Field</Th>
            <Th>Chosen</Th>
            <Th>Alternative</Th>
            <Th>Rule</Th>
            <Th>Override</Th>
            {canOverride && (
              <Th className="relative">
                <span className="sr-only">Actions</span>
              </Th>
            )}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 bg-white">
          <ConflictRows rows={rows} canOverride={canOverride} />
        </tbody>
      </Table>
      <div className="mt-4 flex items-center justify-between text-sm text-slate-600">
        <span>
          {total.toLocaleString("en-US")} conflict{total === 1 ? "" : "s"}, a person&apos;s together
        </span>
        <div className="flex gap-2">
          {paged && (
            <Link className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50" href={pageHref(null, field, search)}>
              First page
            </Link>
          )}
          {next && (
            <Link className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50" href={pageHref(next, field, search)}>
              Next page
            </Link>
          )}
        </div>
      </div>
    </div>
  );
}
