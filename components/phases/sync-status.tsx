import { formatTime } from "./format";

export interface SyncStatusView {
  live: boolean;
  tables: string[];
  writes: number;
  lastAt: Date | null;
}

/** Whether live sync is on for the phase's legacy tables, how many writes it applied and when the last one was. */
export function SyncStatus({ sync, expected }: { sync: SyncStatusView; expected: number }) {
  return (
    <div data-testid="sync-status" className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">
      <span className={`inline-flex items-center gap-2 font-medium ${sync.live ? "text-emerald-800" : "text-slate-700"}`}>
        <span aria-hidden className={`h-2 w-2 rounded-full ${sync.live ? "bg-emerald-600" : "bg-slate-400"}`} />
        {sync.live ? `Live sync is on for ${sync.tables.length} of ${expected} legacy tables` : "Live sync is off"}
      </span>
      <span className="text-slate-700">
        {sync.writes.toLocaleString("en-US")} legacy write{sync.writes === 1 ? "" : "s"} applied
        {sync.lastAt ? `, the last at ${formatTime(sync.lastAt)}` : ""}
      </span>
    </div>
  );
}
