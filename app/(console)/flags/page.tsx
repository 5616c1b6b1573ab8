import type { Metadata } from "next";
import { FlagCard } from "@/components/flags/flag-card";
import { FlagHistory } from "@/components/flags/flag-history";
import { RollbackToLegacy } from "@/components/flags/rollback-to-legacy";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireArea } from "@/lib/auth/current";
import { rolesAllowed } from "@/lib/auth/permissions";
import { hasAnyRole } from "@/lib/auth/roles";
import { flagHistory, listFlags, ROLLBACK_WORD } from "@/lib/flags/store";

export const metadata: Metadata = { title: "Feature flags" };

export default async function FlagsPage() {
  const operator = await requireArea("/flags");
  const [flags, history] = await Promise.all([listFlags(), flagHistory(undefined, 50)]);
  const canToggle = hasAnyRole(operator.roles, rolesAllowed("flag.toggle"));
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
        {canRollBack && (
          <Card title="Roll back to legacy" description="Turns every flag off at once: every reader goes back to the legacy tables at its next evaluation. The time it took is shown and logged.">
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
