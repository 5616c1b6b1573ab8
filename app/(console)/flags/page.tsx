import type { Metadata } from "next";
import { FlagCard } from "@/components/flags/flag-card";
import { FlagHistory } from "@/components/flags/flag-history";
import { RetireFlag } from "@/components/flags/retire-flag";
import { RollbackToLegacy } from "@/components/flags/rollback-to-legacy";
import { formatTime } from "@/components/phases/format";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";
import { rolesAllowed } from "@/lib/auth/permissions";
import { hasAnyRole } from "@/lib/auth/roles";
import { phaseStatus } from "@/lib/engine/runs";
import { flagHistory, listFlags, retiredFlags, ROLLBACK_WORD } from "@/lib/flags/store";

export const metadata: Metadata = { title: "Feature flags" };

export default async function FlagsPage() {
  const operator = await requireArea("/flags");
  const [flags, history, retired, cleanup] = await Promise.all([listFlags(), flagHistory(undefined, 50), retiredFlags(), phaseStatus(5)]);
  const canToggle = hasAnyRole(operator.roles, rolesAllowed("flag.toggle"));
  const canRetire = hasAnyRole(operator.roles, rolesAllowed("flag.retire")) && cleanup.status === "succeeded";
  const canRollBack = hasAnyRole(operator.roles, rolesAllowed("flag.rollback_legacy"));
  return (
    <>
      <PageHeader
        title="Feature flags"
        description="Flags switch readers from the legacy schema to the unified one. A flag turns on only while its phase has succeeded with a passing post-run validation; turning it off is always allowed."
      />
      <div className="space-y-6">
        {flags.map((flag) => (
          <FlagCard key={flag.key} flag={flag} canToggle={canToggle} />
        ))}
        {canRetire && flags.length > 0 && (
          <Card title="Retire a flag" description="Phase 5 has archived the legacy tables. A retired flag stays in history and always evaluates to its final value; its environment variable is ignored and its phase can no longer be rolled back.">
            <div className="space-y-4">
              {flags.map((flag) => (
                <RetireFlag key={flag.key} flagKey={flag.key} />
              ))}
            </div>
          </Card>
        )}
        {retired.length > 0 && (
          <Card title="Retired flags" description="No longer switches: OFREP serves each with its final value (reason STATIC, metadata retired).">
            <ul className="divide-y divide-slate-100 text-sm">
              {retired.map((flag) => (
                <li key={flag.key} className="flex flex-wrap items-baseline gap-x-3 py-2">
                  <span className="font-mono font-medium text-slate-800">{flag.key}</span>
                  <span className="text-slate-700">always {flag.value ? "on" : "off"}</span>
                  <span className="text-slate-600">retired {formatTime(flag.retiredAt)} by {flag.retiredBy}</span>
                  {flag.env.set && <span className="text-amber-800">its environment variable is set and ignored: remove it</span>}
                </li>
              ))}
            </ul>
          </Card>
        )}
        {canRollBack && (
          <Card title="Roll back to legacy" description="Turns every flag off at once: every reader goes back to the legacy tables at its next evaluation. It also pauses the scheduled analytics refresh (it writes to unified tables) until an admin resumes it in Settings; live sync keeps running. The time it took is shown and logged.">
            <RollbackToLegacy word={ROLLBACK_WORD} />
          </Card>
        )}
        <Card title="History" description="Every change, with who made it and why; it cannot be edited.">
          <FlagHistory rows={history} />
        </Card>
        <Card title="For applications" description="How code outside the console reads these flags.">
          <div className="space-y-2 text-sm text-slate-600">
            <p>
              OpenFeature Remote Evaluation Protocol: <span className="font-mono">POST /ofrep/v1/evaluate/flags/&#123;key&#125;</span> and the bulk{" "}
              <span className="font-mono">POST /ofrep/v1/evaluate/flags</span> (ETag / If-None-Match). Send an API key from Settings as{" "}
              <span className="font-mono">Authorization: Bearer …</span> or <span className="font-mono">X-API-Key</span>.
            </p>
            <p>
              An application that cannot reach the console sets an environment variable named like the flag (
              <span className="font-mono">USE_UNIFIED_AUDITS_TABLE=on</span> or <span className="font-mono">off</span>): it overrides the database.
            </p>
          </div>
        </Card>
      </div>
    </>
  );
}
