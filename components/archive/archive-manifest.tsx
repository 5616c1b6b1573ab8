import { formatCount, formatTime } from "@/components/phases/format";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import type { ArchiveManifest } from "@/lib/plan/phase-5/archive";

const STATUS: Record<ArchiveManifest["status"], { label: string; tone: BadgeTone }> = {
  archiving: { label: "being archived", tone: "info" },
  archived: { label: "archived", tone: "success" },
  restored: { label: "restored by rollback", tone: "neutral" },
  dropped: { label: "dropped", tone: "danger" },
};

function bytes(n: number | null): string {
  if (n === null) return "–";
  if (n < 1024 * 1024) return `${formatCount(Math.round(n / 1024))} kB`;
  return `${formatCount(Math.round(n / 1024 / 1024))} MB`;
}

/** The archive manifest: what Phase 5 moved where, when and by whom, each table with its row count and checksum. */
export function ArchiveManifestView({ manifest }: { manifest: ArchiveManifest }) {
  const status = STATUS[manifest.status];
  return (
    <div className="space-y-4" data-testid="archive-manifest">
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2 lg:grid-cols-3">
        <div><dt className="text-xs font-medium uppercase tracking-wide text-slate-600">State</dt><dd className="mt-0.5"><Badge tone={status.tone}>{status.label}</Badge></dd></div>
        <div><dt className="text-xs font-medium uppercase tracking-wide text-slate-600">Moved</dt><dd className="mt-0.5 font-mono text-slate-800">{manifest.homeSchema} → {manifest.archiveSchema}</dd></div>
        <div><dt className="text-xs font-medium uppercase tracking-wide text-slate-600">Run</dt><dd className="mt-0.5 text-slate-800">#{manifest.runId} by {manifest.archivedBy}</dd></div>
        <div><dt className="text-xs font-medium uppercase tracking-wide text-slate-600">Archived</dt><dd className="mt-0.5 text-slate-800">{formatTime(manifest.archivedAt)}</dd></div>
        <div><dt className="text-xs font-medium uppercase tracking-wide text-slate-600">Kept until</dt><dd className="mt-0.5 text-slate-800">{manifest.retentionUntil}</dd></div>
        <div>
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-600">{manifest.droppedAt ? "Dropped" : manifest.restoredAt ? "Restored" : "Holds"}</dt>
          <dd className="mt-0.5 text-slate-800">
            {manifest.droppedAt
              ? `${formatTime(manifest.droppedAt)} by ${manifest.droppedBy}`
              : manifest.restoredAt
                ? formatTime(manifest.restoredAt)
                : `${formatCount(manifest.totals.tables)} tables, ${formatCount(manifest.totals.rows)} rows, ${bytes(manifest.totals.bytes)}`}
          </dd>
        </div>
      </dl>
      <Table label="Archived tables">
        <thead>
          <tr><Th>Table</Th><Th className="text-right">Rows</Th><Th>Checksum</Th><Th className="text-right">Size</Th><Th>Counted</Th></tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {manifest.tables.map((t) => (
            <tr key={t.name}>
              <Td className="font-mono">{t.name}</Td>
              <Td className="text-right tabular-nums">{formatCount(t.rows)}</Td>
              <Td className="font-mono text-xs">{t.checksum ?? "–"}</Td>
              <Td className="text-right tabular-nums">{bytes(t.bytes)}</Td>
              <Td>{formatTime(t.countedAt)}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
      <div className="grid gap-4 text-sm md:grid-cols-2">
        <div>
          <h3 className="font-medium text-slate-800">Compatibility views moved out of unified</h3>
          <p className="mt-1 text-slate-600">
            {manifest.views.length ? manifest.views.map((v) => v.name).join(", ") : "None: a lead kept every view for old readers."}
          </p>
        </div>
        <div>
          <h3 className="font-medium text-slate-800">Live sync removed</h3>
          <p className="mt-1 text-slate-600">
            {manifest.removed.filter((o) => o.kind === "trigger").length} triggers and {manifest.removed.filter((o) => o.kind === "function").length} functions, their definitions kept so the rollback recreates them exactly.
          </p>
        </div>
      </div>
    </div>
  );
}
