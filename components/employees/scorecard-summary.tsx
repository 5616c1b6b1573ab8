import { Table, Td, Th } from "@/components/ui/table";

export interface SummaryRow {
  sourceTable: string;
  scorecard: string | null;
  audits: number;
  employees: number;
  averageScore: number | null;
  passed: number;
}

export function ScorecardSummaryTable({ rows }: { rows: SummaryRow[] }) {
  if (!rows.length) return <p className="text-sm text-slate-500">No audits in this range.</p>;
  return (
    <Table label="Scorecards side by side">
      <thead className="bg-slate-50">
        <tr>
          <Th>Scorecard</Th>
          <Th className="text-right">Audits</Th>
          <Th className="text-right">Employees</Th>
          <Th className="text-right">Average total</Th>
          <Th className="text-right">Passed</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((r) => (
          <tr key={r.sourceTable}>
            <Td>{r.scorecard ?? r.sourceTable} <span className="font-mono text-xs text-slate-400">{r.sourceTable}</span></Td>
            <Td className="text-right tabular-nums">{r.audits.toLocaleString("en-US")}</Td>
            <Td className="text-right tabular-nums">{r.employees.toLocaleString("en-US")}</Td>
            <Td className="text-right tabular-nums">{r.averageScore ?? "—"}</Td>
            <Td className="text-right tabular-nums">{r.audits ? `${((100 * r.passed) / r.audits).toFixed(1)}%` : "—"}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
