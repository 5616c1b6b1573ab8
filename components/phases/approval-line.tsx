import type { ApprovalSummary } from "@/lib/engine/summary";

/** The approval of a phase's current plan, in a few words. */
export function ApprovalLine({ approval }: { approval: ApprovalSummary }) {
  switch (approval.state) {
    case "approved":
      return <span className="text-emerald-700">Approved by {approval.by}</span>;
    case "rejected":
      return <span className="text-red-700">Rejected by {approval.by}</span>;
    case "voided":
      return <span className="text-amber-700">Plan changed since the last decision</span>;
    case "pending":
      return <span className="text-slate-600">Awaiting a lead&apos;s approval</span>;
    case "unplanned":
      return <span className="text-slate-600">Not yet planned in this version</span>;
  }
}
