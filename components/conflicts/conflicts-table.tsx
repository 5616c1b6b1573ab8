import { Table, Th } from "@/components/ui/table";
import { Pager } from "@/components/ui/pager";
import type { ConflictRow } from "@/lib/engine/conflicts";
import { ConflictRows } from "./conflict-rows";

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
  rows: ConflictRow[];
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
      <Pager summary={`${total} conflict${total === 1 ? "" : "s"}`} page={page} pages={pages} href={(p) => pageHref(p, field, search)} />
    </div>
  );
}
