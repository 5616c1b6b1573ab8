import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import type { AuditEntry } from "@/lib/flags/adapter-types";

// The page shows the first rows; the count above the table says how many the report holds.
const SHOWN = 25;

export function AuditReportTable({ audits }: { audits: AuditEntry[] }) {
  if (!audits.length) return <p className="text-sm text-slate-500">No audits in this range.</p>;
  return (
    <>
      <Table label="Audit report">
        <thead className="bg-slate-50">
          <tr>
            <Th>Date</Th>
            <Th>Scorecard</Th>
            <Th>Audit</Th>
            <Th className="text-right">Total</Th>
            <Th>Result</Th>
            <Th>Auditor</Th>
            <Th>Scores</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {audits.slice(0, SHOWN).map((a) => (
            <tr key={`${a.sourceTable}#${a.sourceId}`}>
              <Td>{a.auditDate}</Td>
              <Td>{a.scorecard ?? a.sourceTable}</Td>
              <Td className="font-mono text-xs">{a.sourceTable}#{a.sourceId}</Td>
              <Td className="text-right tabular-nums">{a.totalScore ?? "—"}</Td>
              <Td>{a.passed === null ? <Badge>no score</Badge> : a.passed ? <Badge tone="success">passed</Badge> : <Badge tone="danger">failed</Badge>}</Td>
              <Td>{a.auditorEmail ?? "—"}</Td>
              <Td className="max-w-md truncate text-xs text-slate-500" title={JSON.stringify(a.scores)}>
                {Object.entries(a.scores).map(([k, v]) => `${k} ${v ?? "–"}`).join(", ")}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      {audits.length > SHOWN && <p className="mt-2 text-xs text-slate-500">The first {SHOWN} of {audits.length.toLocaleString("en-US")} audits.</p>}
    </>
  );
}
