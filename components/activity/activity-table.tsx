import Link from "next/link";
import { Table, Th } from "@/components/ui/table";
import { ActivityRows } from "./activity-rows";
import { describeActivity, foldSessions, type ActivityRecord } from "./describe";

/**
 * The log, newest first: each entry in words with why a refusal happened, its details (target,
 * before → after) on expand, and runs of sign-ins folded into one row.
 */
export function ActivityTable({ rows, total, totalCapped, older, paged, filterQuery }: {
  rows: ActivityRecord[];
  total: number;
  totalCapped: boolean;
  /** The id to continue from for older entries, or null on the last page. */
  older: string | null;
  /** This page starts below the newest entry. */
  paged: boolean;
  /** The filters, carried by the paging links ("" when none). */
  filterQuery: string;
}) {
  const link = "rounded-md border border-slate-300 bg-surface px-3 py-1.5 hover:bg-slate-50";
  return (
    <div>
      <Table label="Activity log">
        <thead className="bg-slate-50">
          <tr>
            <Th className="w-8">
              <span className="sr-only">Details</span>
            </Th>
            <Th>When (UTC)</Th>
            <Th>Who</Th>
            <Th>What</Th>
            <Th>Target</Th>
            <Th>Outcome</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 bg-surface">
          <ActivityRows items={foldSessions(rows.map(describeActivity))} />
        </tbody>
      </Table>
      <div className="mt-4 flex items-center justify-between text-sm text-slate-600">
        <span>
          {totalCapped ? `More than ${total.toLocaleString("en-US")}` : total.toLocaleString("en-US")} entr{total === 1 ? "y" : "ies"}, newest first
        </span>
        <div className="flex gap-2">
          {paged && (
            <Link className={link} href={`/activity${filterQuery ? `?${filterQuery}` : ""}`}>
              Newest
            </Link>
          )}
          {older && (
            <Link className={link} href={`/activity?${filterQuery ? `${filterQuery}&` : ""}before=${older}`}>
              Older
            </Link>
          )}
        </div>
      </div>
    </div>
  );
}
