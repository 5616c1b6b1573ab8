import Link from "next/link";
import { Badge, type BadgeTone } from "@/components/ui/badge";
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

export function ActivityTable({ rows, page, pages, total }: { rows: ActivityRow[]; page: number; pages: number; total: number }) {
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
        <tbody className="divide-y divide-slate-100 bg-white">
          {rows.map((r) => (
            <tr key={r.id}>
              <Td className="font-mono text-xs">{r.at.toISOString().replace("T", " ").slice(0, 19)}</Td>
              <Td>{r.actorEmail ?? "—"}</Td>
              <Td className="font-mono text-xs">{r.action}</Td>
              <Td>{r.target ?? "—"}</Td>
              <Td>
                <Badge tone={OUTCOME_TONE[r.outcome] ?? "neutral"}>{r.outcome}</Badge>
              </Td>
              <Td className="text-xs text-slate-500">{r.ip ?? ""}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
      <div className="mt-4 flex items-center justify-between text-sm text-slate-600">
        <span>
          {total} entr{total === 1 ? "y" : "ies"} · page {page} of {pages}
        </span>
        <div className="flex gap-2">
          {page > 1 && (
            <Link className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50" href={`/activity?page=${page - 1}`}>
              Newer
            </Link>
          )}
          {page < pages && (
            <Link className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50" href={`/activity?page=${page + 1}`}>
              Older
            </Link>
          )}
        </div>
      </div>
    </div>
  );
}
