/** Formatting shared by the phase pages; deterministic (UTC, en-US) so server and browser agree. */
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : integer.format(n);
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

/** A rate always with its unit: "12,400 rows/s". */
export function formatRate(perSecond: number | null | undefined, unit = "rows"): string {
  return perSecond === null || perSecond === undefined ? "–" : `${integer.format(perSecond)} ${unit}/s`;
}

export function formatEta(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? "–" : formatDuration(seconds * 1000);
}

/** `2025-01-31 14:05:09 UTC` */
export function formatTime(at: Date | string | null | undefined): string {
  if (!at) return "–";
  const iso = typeof at === "string" ? at : at.toISOString();
  return `${iso.replace("T", " ").slice(0, 19)} UTC`;
}

export function shortChecksum(checksum: string): string {
  return checksum.slice(0, 12);
}
