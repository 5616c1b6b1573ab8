import { Table, Td, Th } from "@/components/ui/table";
import { formatCount } from "@/lib/analytics/format";
import type { RefreshRow } from "@/lib/analytics/refreshes";

const time = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : "–");

/** Each refresh: when it started and ended, how long, how many groups it recomputed, the rows after. */
export function RefreshHistory({ rows }: { rows: RefreshRow[] }) {
  if (!rows.length) return <p className="text-sm text-slate-500">No refresh has run yet: the figures are Phase 4&apos;s first load.</p>;
  return (
    <Table label="Recent refreshes">
      <thead className="bg-slate-50">
        <tr>
          <Th>Started</Th>
          <Th>Ended</Th>
          <Th className="text-right">Duration</Th>
          <Th>Kind</Th>
          <Th className="text-right">Statistics groups</Th>
          <Th className="text-right">Auditor months</Th>
          <Th className="text-right">Rows after</Th>
          <Th>Outcome</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((r) => (
          <tr key={r.id}>
            <Td>{time(r.startedAt)}</Td>
            <Td>{time(r.finishedAt)}</Td>
            <Td className="text-right tabular-nums">{r.durationMs === null ? "–" : `${(r.durationMs / 1000).toFixed(2)} s`}</Td>
            <Td>{r.mode}, {r.reason === "schedule" ? "scheduled" : `by ${r.requestedBy}`}</Td>
            <Td className="text-right tabular-nums">{formatCount(r.statisticsGroups)}</Td>
            <Td className="text-right tabular-nums">{formatCount(r.auditorMonths)}</Td>
            <Td className="text-right tabular-nums">{r.statisticsRows === null ? "–" : `${formatCount(r.statisticsRows)} + ${formatCount(r.performanceRows)}`}</Td>
            <Td className={r.status === "failed" ? "text-red-700" : ""}>{r.status === "failed" ? `failed: ${r.error ?? ""}` : r.status}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
