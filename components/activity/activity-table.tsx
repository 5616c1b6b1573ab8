import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Pager } from "@/components/ui/pager";
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
      <Pager
        summary={`${total} entr${total === 1 ? "y" : "ies"}`}
        page={page}
        pages={pages}
        href={(p) => `/activity?page=${p}`}
        previousLabel="Newer"
        nextLabel="Older"
      />
    </div>
  );
}
