import type { ApprovalSummary } from "@/lib/engine/summary";

const VOIDED = {
  changed: "Plan changed since the last decision",
  stale: "Stale: the legacy data changed size since approval",
  rolled_back: "Rolled back: a lead must approve again",
} as const;

/** The approval of a phase's current plan, in a few words. */
export function ApprovalLine({ approval }: { approval: ApprovalSummary }) {
  switch (approval.state) {
    case "approved":
      return <span className="text-emerald-700">Approved by {approval.by}</span>;
    case "rejected":
      return <span className="text-red-700">Rejected by {approval.by}</span>;
    case "voided":
      return <span className="text-amber-700">{VOIDED[approval.why]}</span>;
    case "pending":
      return <span className="text-slate-600">Awaiting a lead&apos;s approval</span>;
    case "unplanned":
      return <span className="text-slate-600">Not yet planned in this version</span>;
  }
}
