import { formatTime } from "@/components/phases/format";
import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";

export interface FlagHistoryRow {
  id: bigint;
  flagKey: string;
  at: Date;
  actorEmail: string;
  fromEnabled: boolean;
  toEnabled: boolean;
  comment: string;
  /** toggle, or retire: fixed at its final value. */
  event: string;
}

const word = (on: boolean) => <Badge tone={on ? "success" : "neutral"}>{on ? "on" : "off"}</Badge>;

export function FlagHistory({ rows }: { rows: FlagHistoryRow[] }) {
  if (!rows.length) return <p className="text-sm text-slate-500">No flag has been changed yet.</p>;
  return (
    <Table label="Flag history">
      <thead className="bg-slate-50">
        <tr>
          <Th>When</Th>
          <Th>Flag</Th>
          <Th>Who</Th>
          <Th>Change</Th>
          <Th>Comment</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((h) => (
          <tr key={h.id.toString()}>
            <Td>{formatTime(h.at)}</Td>
            <Td className="font-mono text-xs">{h.flagKey}</Td>
            <Td>{h.actorEmail}</Td>
            <Td>
              {h.event === "retire" ? (
                <span className="inline-flex items-center gap-1">retired at {word(h.toEnabled)}</span>
              ) : (
                <span className="inline-flex items-center gap-1">{word(h.fromEnabled)} → {word(h.toEnabled)}</span>
              )}
            </Td>
            <Td className="whitespace-normal">{h.comment}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
