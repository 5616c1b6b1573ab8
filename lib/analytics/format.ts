/**
 * Numbers for people, shared by the tables, the charts and the CSV export (so an export holds
 * exactly what the page shows). A missing figure is an en dash, never "NaN" or 0.
 */
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const signed = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: "exceptZero" });

export const NONE = "–";
const ok = (n: number | null | undefined): n is number => typeof n === "number" && Number.isFinite(n);

export const formatCount = (n: number | null | undefined) => (ok(n) ? integer.format(n) : NONE);
export const formatScore = (n: number | null | undefined) => (ok(n) ? oneDecimal.format(n) : NONE);
export const formatRate = (n: number | null | undefined) => (ok(n) ? percent.format(n) : NONE);
export const formatDeviation = (n: number | null | undefined) => (ok(n) ? signed.format(n) : NONE);
export const formatDays = (n: number | null | undefined) => (ok(n) ? `${oneDecimal.format(n)} d` : NONE);

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** "2024-03" → "Mar 2024". */
export function formatMonth(month: string): string {
  const [year, m] = month.split("-");
  return `${MONTHS[Number(m) - 1] ?? m} ${year}`;
}

/** "as of 10:00, 14 min ago" (UTC clock, so every reader sees the same time). */
export function formatFreshness(asOf: string, now: Date = new Date()): string {
  const at = new Date(asOf);
  const minutes = Math.max(0, Math.round((now.getTime() - at.getTime()) / 60_000));
  const clock = `${String(at.getUTCHours()).padStart(2, "0")}:${String(at.getUTCMinutes()).padStart(2, "0")} UTC`;
  const day = at.toISOString().slice(0, 10) === now.toISOString().slice(0, 10) ? "" : ` ${at.toISOString().slice(0, 10)}`;
  const ago = minutes < 1 ? "just now" : minutes < 120 ? `${minutes} min ago` : minutes < 48 * 60 ? `${Math.round(minutes / 60)} h ago` : `${Math.round(minutes / 1440)} days ago`;
  return `as of ${clock}${day}, ${ago}`;
}
