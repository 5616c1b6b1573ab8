import { Badge, type BadgeTone } from "@/components/ui/badge";

const TONE: Record<string, BadgeTone> = {
  not_started: "neutral",
  pending: "neutral",
  queued: "info",
  running: "info",
  rolling_back: "info",
  paused: "warning",
  cancelled: "warning",
  succeeded: "success",
  pass: "success",
  warn: "warning",
  failed: "danger",
  fail: "danger",
  rollback_failed: "danger",
  rolled_back: "neutral",
  skipped: "neutral",
};

/** The status of a phase, a run, a step or a check, in one vocabulary of colours. */
export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={TONE[status] ?? "neutral"}>{status.replace(/_/g, " ")}</Badge>;
}

export const ACTIVE_STATUSES = ["queued", "running", "paused", "rolling_back"] as const;

export function isActive(status: string | null | undefined): boolean {
  return (ACTIVE_STATUSES as readonly string[]).includes(status ?? "");
}
