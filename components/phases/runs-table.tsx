import { Table, Td, Th } from "@/components/ui/table";
import { formatDuration, formatTime } from "./format";
import { StatusBadge } from "./status-badge";

export interface RunRecord {
  id: number;
  kind: string;
  status: string;
  onlyStep: string | null;
  requestedBy: string;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** Recent runs and rollbacks of a phase, with how long each took. */
export function RunsTable({ runs }: { runs: RunRecord[] }) {
  if (!runs.length) return <p className="text-sm text-slate-600">This phase has not run yet.</p>;
  return (
    <Table label="Runs">
      <thead className="bg-slate-50">
        <tr>
          <Th>Run</Th>
          <Th>What</Th>
          <Th>Status</Th>
          <Th>Requested by</Th>
          <Th>Requested</Th>
          <Th className="text-right">Took</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {runs.map((r) => (
          <tr key={r.id}>
            <Td className="font-mono text-xs">#{r.id}</Td>
            <Td>{r.kind === "rollback" ? "Rollback" : r.onlyStep ? `Step ${r.onlyStep}` : "Whole phase"}</Td>
            <Td>
              <StatusBadge status={r.status} />
            </Td>
            <Td className="text-xs">{r.requestedBy}</Td>
            <Td className="text-xs">{formatTime(r.requestedAt)}</Td>
            <Td className="text-right tabular-nums">
              {r.startedAt && r.finishedAt ? formatDuration(r.finishedAt.getTime() - r.startedAt.getTime()) : "–"}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
