import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { ROLE_LABELS, type Role } from "@/lib/auth/roles";
import type { PhaseSummary } from "@/lib/engine/summary";

export interface NextAction {
  role: Role;
  text: string;
  href: string;
  cta: string;
}

const VOIDED_FOR_LEAD: Record<"changed" | "stale" | "rolled_back", (phase: number) => string> = {
  changed: (n) => `The plan of phase ${n} changed since it was decided: review and approve it again.`,
  stale: (n) => `The legacy data changed size since phase ${n} was approved: review the new row estimates and approve it again.`,
  rolled_back: (n) =>
    `Phase ${n} was rolled back, and an approval is for one run: review its plan and what the rolled-back run did, then approve it again so an admin can run it.`,
};

function forLead(p: PhaseSummary): Omit<NextAction, "role"> {
  const href = `/phases/${p.number}`;
  if (["queued", "running", "paused", "rolling_back"].includes(p.status)) {
    return { text: `Phase ${p.number} is ${p.status.replace("_", " ")}: nothing to decide now.`, href, cta: "Watch it" };
  }
  switch (p.approval.state) {
    case "approved":
      return { text: `Phase ${p.number} is approved: an admin runs it next.`, href, cta: `Open phase ${p.number}` };
    case "rejected":
      return { text: `${p.approval.by} rejected phase ${p.number}: review its plan again.`, href, cta: "Review the plan" };
    case "voided":
      return { text: VOIDED_FOR_LEAD[p.approval.why](p.number), href, cta: "Review the plan" };
    default:
      return { text: `Review and approve phase ${p.number} (${p.title}): its SQL and pre-flight checks.`, href, cta: "Review the plan" };
  }
}

function forAdmin(p: PhaseSummary): Omit<NextAction, "role"> {
  const href = `/phases/${p.number}`;
  if (p.status === "paused") return { text: `Phase ${p.number} is paused: resume or cancel it.`, href, cta: "Open controls" };
  if (["queued", "running", "rolling_back"].includes(p.status)) {
    return { text: `Phase ${p.number} is ${p.status.replace("_", " ")}.`, href, cta: "Watch progress" };
  }
  if (p.status === "failed" || p.status === "rollback_failed") {
    return { text: `Phase ${p.number} ${p.status === "failed" ? "failed" : "could not be rolled back"}: read its log, then run it again or roll it back.`, href, cta: "Read the log" };
  }
  if (p.approval.state === "approved") return { text: `Run phase ${p.number} (${p.title}): a lead approved its plan.`, href, cta: `Run phase ${p.number}` };
  if (p.approval.state === "rejected") {
    return { text: `Phase ${p.number} cannot run: ${p.approval.by} rejected its plan.`, href, cta: "Read why" };
  }
  if (p.approval.state === "voided" && p.approval.why === "rolled_back") {
    return { text: `Phase ${p.number} was rolled back: a lead must approve its plan again before it can run again.`, href, cta: "Open the plan" };
  }
  return { text: `Approval pending: a lead must approve the plan of phase ${p.number} before it can run.`, href, cta: "Open the plan" };
}

/** What each of the viewer's roles can do next, on the first phase that has not succeeded. */
export function nextActions(phases: PhaseSummary[], roles: readonly Role[]): NextAction[] {
  const next = phases.find((p) => p.status !== "succeeded");
  if (!next) return roles.map((role) => ({ role, text: "All five phases have succeeded.", href: "/phases", cta: "See the phases" }));
  if (!next.available) {
    const done = phases.filter((p) => p.number < next.number).map((p) => p.number);
    const text = `${done.length ? `Phase${done.length > 1 ? "s" : ""} ${done.join(", ")} succeeded. ` : ""}Phase ${next.number} (${next.title}) is not yet planned in this version of Unify.`;
    return roles.map((role) => ({ role, text, href: "/conflicts", cta: "Review merge conflicts" }));
  }
  return roles.map((role) => {
    if (role === "lead") return { role, ...forLead(next) };
    if (role === "admin") return { role, ...forAdmin(next) };
    return {
      role,
      text: `Read-only: phase ${next.number} is ${next.status.replace("_", " ")}. You can follow its progress and read the merge conflicts.`,
      href: `/phases/${next.number}`,
      cta: `Open phase ${next.number}`,
    };
  });
}

export function NextActions({ actions }: { actions: NextAction[] }) {
  return (
    <section aria-label="Next action" className="mb-6 space-y-2">
      {actions.map((a) => (
        <div key={a.role} className="flex flex-wrap items-center gap-3 rounded-lg border border-brand-100 bg-brand-50/60 px-4 py-3">
          <Badge tone="info">{ROLE_LABELS[a.role]}</Badge>
          <p className="min-w-0 flex-1 text-sm text-slate-800">{a.text}</p>
          <Link href={a.href} className="rounded-md bg-primary px-3 py-1.5 text-sm font-medium text-on-fill shadow-sm hover:bg-primary-hover">
            {a.cta}
          </Link>
        </div>
      ))}
    </section>
  );
}
