import { Badge, type BadgeTone } from "@/components/ui/badge";
import Link from "next/link";
import { PERMISSIONS } from "@/lib/auth/permissions";
import { Table, Td, Th } from "@/components/ui/table";

export interface ActivityRow {
  id: string;
  at: Date;
  actorEmail: string | null;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
}

const OUTCOME_TONE: Record<string, BadgeTone> = { ok: "success", denied: "danger", failed: "warning" };

/** Events as people name them; the code stays in the tooltip. */
const EVENT_LABELS: Record<string, string> = {
  "auth.login": "Signed in",
  "auth.logout": "Signed out",
  ...Object.fromEntries(Object.entries(PERMISSIONS).map(([action, p]) => [action, p.label])),
};

export function ActivityTable({ rows, total, totalCapped, older, paged, filterQuery }: {
  rows: ActivityRow[];
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
            <Th>When (UTC)</Th>
            <Th>Who</Th>
            <Th>What</Th>
            <Th>Target</Th>
            <Th>Outcome</Th>
            <Th>From</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 bg-surface">
          {rows.map((r) => (
            <tr key={r.id}>
              <Td className="font-mono text-xs">{r.at.toISOString().replace("T", " ").slice(0, 19)}</Td>
              <Td>{r.actorEmail ?? "—"}</Td>
              <Td className="text-xs">
                <span title={r.action}>{EVENT_LABELS[r.action] ?? r.action}</span>
              </Td>
              <Td>{r.target ?? "—"}</Td>
              <Td>
                <Badge tone={OUTCOME_TONE[r.outcome] ?? "neutral"}>{r.outcome}</Badge>
              </Td>
              <Td className="text-xs text-slate-600">{r.ip ?? ""}</Td>
            </tr>
          ))}
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
