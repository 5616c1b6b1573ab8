import Link from "next/link";
import { Table, Th } from "@/components/ui/table";
import { ConflictRows, type ConflictRowView } from "./conflict-rows";

function pageHref(page: number, field: string, search: string): string {
  const query = new URLSearchParams();
  if (field) query.set("field", field);
  if (search) query.set("q", search);
  if (page > 1) query.set("page", String(page));
  const text = query.toString();
  return text ? `/conflicts?${text}` : "/conflicts";
}

/** One page of merge conflicts with the pager; the filters travel with it. */
export function ConflictsTable({ rows, canOverride, page, pages, total, field, search }: {
  rows: ConflictRowView[];
  canOverride: boolean;
  page: number;
  pages: number;
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
          {total} conflict{total === 1 ? "" : "s"} · page {page} of {pages}
        </span>
        <div className="flex gap-2">
          {page > 1 && (
            <Link className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50" href={pageHref(page - 1, field, search)}>
              Previous
            </Link>
          )}
          {page < pages && (
            <Link className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50" href={pageHref(page + 1, field, search)}>
              Next
            </Link>
          )}
        </div>
      </div>
    </div>
  );
}
