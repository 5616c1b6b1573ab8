import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import { ApprovalLine } from "./approval-line";
import { formatTime, shortChecksum } from "./format";
import { StatusBadge } from "./status-badge";
import type { PhaseSummary } from "@/lib/engine/summary";

/** The phases as rows: what each does, where it stands, and its last run. */
export function PhaseTable({ phases }: { phases: PhaseSummary[] }) {
  return (
    <Table label="Phases">
      <thead className="bg-slate-50">
        <tr>
          <Th>Phase</Th>
          <Th>Status</Th>
          <Th>Plan</Th>
          <Th>Approval</Th>
          <Th>Last run</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {phases.map((p) => (
          <tr key={p.number} data-testid={`phase-row-${p.number}`} className="align-top">
            <Td>
              <Link href={`/phases/${p.number}`} className="font-medium text-slate-900 hover:text-brand-700">
                {p.number}. {p.title}
              </Link>
              <p className="mt-0.5 max-w-xs whitespace-normal text-xs text-slate-600">{p.summary}</p>
            </Td>
            <Td>{p.available ? <StatusBadge status={p.status} /> : <Badge>not yet planned</Badge>}</Td>
            <Td className="text-xs">
              {p.available ? (
                <>
                  {p.stepCount} steps
                  <span className="block font-mono text-slate-600">{shortChecksum(p.checksum)}</span>
                </>
              ) : (
                <span className="text-slate-600">–</span>
              )}
            </Td>
            <Td className="min-w-40 max-w-56 whitespace-normal text-xs">
              {p.available ? <ApprovalLine approval={p.approval} /> : <span className="text-slate-600">–</span>}
            </Td>
            <Td className="text-xs">
              {p.lastRun ? (
                <>
                  #{p.lastRun.id} {p.lastRun.kind === "rollback" ? "rollback" : p.lastRun.onlyStep ? `step ${p.lastRun.onlyStep}` : "run"}{" "}
                  <StatusBadge status={p.lastRun.status} />
                  <span className="block text-slate-600">{p.lastRun.requestedBy}</span>
                  <span className="block text-slate-600">{p.lastRun.finishedAt ? formatTime(p.lastRun.finishedAt) : "not finished"}</span>
                </>
              ) : (
                <span className="text-slate-600">{p.available ? "never run" : "–"}</span>
              )}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
