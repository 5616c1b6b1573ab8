import { PERMISSIONS } from "@/lib/auth/permissions";

/** An activity entry as the log stores it. */
export interface ActivityRecord {
  id: string;
  at: Date;
  actorEmail: string | null;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  detail: unknown;
}

/** An entry as a person reads it: a label, why it was refused, and its details on expand. */
export interface ActivityView {
  id: string;
  at: string;
  actor: string;
  action: string;
  label: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  /** Why a refused or failed action did not happen, in words. */
  why: string | null;
  /** A value that changed: before → after. */
  change: { field: string; before: string; after: string } | null;
  /** Everything else the entry recorded, as label and value. */
  facts: { label: string; value: string }[];
}

/** A run of consecutive successful sign-ins and sign-outs, folded into one row. */
export type ActivityItem = { kind: "entry"; entry: ActivityView } | { kind: "sessions"; id: string; entries: ActivityView[] };

const ROLE_WORDS: Record<string, string> = { admin: "an admin", lead: "a team lead", analyst: "an analyst" };

const EVENT_LABELS: Record<string, string> = {
  "auth.login": "Signed in",
  "auth.logout": "Signed out",
  "activity.refusals_throttled": "Further calls without a session not logged one by one",
  ...Object.fromEntries(Object.entries(PERMISSIONS).map(([action, p]) => [action, p.label])),
};

const FACT_LABELS: Record<string, string> = {
  runId: "Run",
  onlyStep: "Only step",
  checksum: "Plan checksum",
  comment: "Comment",
  steps: "Steps",
  statements: "Statements",
  roles: "Roles",
  decision: "Decision",
  decidedBy: "Decided by",
  status: "HTTP status",
  via: "Browser",
  value: "Value",
};

const text = (value: unknown): string =>
  value === null || value === undefined || value === "" ? "(empty)" : Array.isArray(value) ? value.map(text).join(", ") : typeof value === "object" ? JSON.stringify(value) : String(value);

const list = (roles: unknown) => (Array.isArray(roles) && roles.length ? roles.map((r) => ROLE_WORDS[String(r)] ?? String(r)).join(" or ") : "no role");

function reasonOf(outcome: string, detail: Record<string, unknown>): string | null {
  if (outcome === "ok") return null;
  if (Array.isArray(detail.required)) {
    const held = Array.isArray(detail.held) && detail.held.length ? `held ${detail.held.join(", ")}` : "no session or no role";
    return `Needs ${list(detail.required)} (${held})`;
  }
  if (typeof detail.reason === "string") return detail.reason.charAt(0).toUpperCase() + detail.reason.slice(1);
  if (typeof detail.error === "string") return detail.error;
  return outcome === "denied" ? "Refused" : "Failed";
}

function changeOf(action: string, detail: Record<string, unknown>): ActivityView["change"] {
  if ("from" in detail && "to" in detail) return { field: action === "operator.roles" ? "Roles" : "Value", before: text(detail.from), after: text(detail.to) };
  if (action === "conflict.override" && "value" in detail) return { field: "Value", before: text(detail.previous), after: text(detail.value) };
  if (action === "conflict.withdraw" && "value" in detail) return { field: "Override", before: text(detail.value), after: "(the rule decides)" };
  return null;
}

const SHOWN_ELSEWHERE = new Set(["required", "held", "reason", "error", "from", "to", "previous"]);

/** One log entry in words. */
export function describeActivity(entry: ActivityRecord): ActivityView {
  const detail = entry.detail && typeof entry.detail === "object" && !Array.isArray(entry.detail) ? (entry.detail as Record<string, unknown>) : {};
  const change = changeOf(entry.action, detail);
  const facts = Object.entries(detail)
    .filter(([key, value]) => !SHOWN_ELSEWHERE.has(key) && !(change && key === "value") && value !== null && value !== "")
    .map(([key, value]) => ({ label: FACT_LABELS[key] ?? key, value: key === "runId" ? `#${value}` : text(value) }));
  return {
    id: entry.id,
    at: entry.at.toISOString().replace("T", " ").slice(0, 19),
    actor: entry.actorEmail ?? "—",
    action: entry.action,
    label: entry.action === "auth.login" && entry.outcome !== "ok" ? "Sign-in refused" : (EVENT_LABELS[entry.action] ?? entry.action),
    target: entry.target,
    outcome: entry.outcome,
    ip: entry.ip,
    why: reasonOf(entry.outcome, detail),
    change,
    facts,
  };
}

const foldable = (e: ActivityView) => e.outcome === "ok" && (e.action === "auth.login" || e.action === "auth.logout");

/**
 * The page's entries in order, with each run of two or more consecutive successful sign-ins and
 * sign-outs folded into one row: they would otherwise bury what operators did. Refused sign-ins
 * stay on their own rows.
 */
export function foldSessions(entries: readonly ActivityView[]): ActivityItem[] {
  const items: ActivityItem[] = [];
  for (const entry of entries) {
    const last = items[items.length - 1];
    if (foldable(entry) && last) {
      if (last.kind === "sessions") {
        last.entries.push(entry);
        continue;
      }
      if (foldable(last.entry)) {
        items[items.length - 1] = { kind: "sessions", id: `sessions-${last.entry.id}`, entries: [last.entry, entry] };
        continue;
      }
    }
    items.push({ kind: "entry", entry });
  }
  return items;
}
