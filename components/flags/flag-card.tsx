import Link from "next/link";
import { formatTime } from "@/components/phases/format";
import { Badge } from "@/components/ui/badge";
import { FlagToggle } from "./flag-toggle";

export interface FlagCardData {
  key: string;
  description: string;
  stored: boolean;
  effective: boolean;
  source: "database" | "environment";
  env: { set: false } | { set: true; raw: string; value: boolean | null };
  changedBy: string | null;
  changedAt: Date | null;
  interlock: { canTurnOn: boolean; reason: string; evidence: { label: string; href: string }[] };
}

function interlockWords(on: boolean, holds: boolean): string {
  if (on) return holds ? "Interlock holds: " : "Its interlock no longer holds (turn it off to send readers back to legacy): ";
  return holds ? "Can be turned on: " : "Turning on is disabled: ";
}

/** One flag: its state, why it may or may not be turned on (with the evidence), and an admin's switch. */
export function FlagCard({ flag, canToggle }: { flag: FlagCardData; canToggle: boolean }) {
  const { interlock } = flag;
  return (
    <section aria-label={flag.key} data-testid={`flag-${flag.key}`} className="rounded-lg border border-slate-200 bg-white shadow-sm">
      <header className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-100 px-5 py-4">
        <div className="min-w-0">
          <h2 className="font-mono text-sm font-semibold text-slate-900">{flag.key}</h2>
          <p className="mt-0.5 text-sm text-slate-500">{flag.description}</p>
        </div>
        <div className="flex items-center gap-2">
          {flag.source === "environment" && <Badge tone="warning">set by the environment</Badge>}
          <span data-testid="flag-state">
            <Badge tone={flag.effective ? "success" : "neutral"}>{flag.effective ? "On: unified" : "Off: legacy"}</Badge>
          </span>
        </div>
      </header>
      <div className="space-y-3 px-5 py-4 text-sm">
        {flag.env.set && (
          <p className="rounded-md bg-amber-50 px-3 py-2 text-amber-900" data-testid="flag-env">
            <span className="font-mono">{flag.key}={flag.env.raw}</span> is set in the console&apos;s environment:{" "}
            {flag.env.value === null
              ? "it is not one of on/off/true/false/1/0/yes/no, so it is ignored."
              : `it overrides the database (stored: ${flag.stored ? "on" : "off"}) for every reader of this console.`}
          </p>
        )}
        <p className="text-slate-600" data-testid="flag-interlock">
          <span className={`font-medium ${interlock.canTurnOn ? "text-emerald-700" : "text-amber-800"}`}>{interlockWords(flag.stored, interlock.canTurnOn)}</span>
          {interlock.reason}.
          {interlock.evidence.length > 0 && (
            <>
              {" "}Evidence:{" "}
              {interlock.evidence.map((e, i) => (
                <span key={e.href}>
                  {i > 0 && ", "}
                  <Link href={e.href} className="font-medium text-brand-700 hover:underline">{e.label}</Link>
                </span>
              ))}
              .
            </>
          )}{" "}
          Turning off is always allowed.
        </p>
        <p className="text-xs text-slate-500">
          {flag.changedAt ? `Last changed by ${flag.changedBy} at ${formatTime(flag.changedAt)}` : "Never changed since it was created"}
        </p>
        {canToggle ? (
          <FlagToggle flagKey={flag.key} on={flag.stored} canTurnOn={interlock.canTurnOn} />
        ) : (
          <p className="text-xs text-slate-500">Read-only: only an admin can turn flags on or off.</p>
        )}
      </div>
    </section>
  );
}
