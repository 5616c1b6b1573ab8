import type { Metadata } from "next";
import { ApiKeysSection } from "@/components/flags/api-keys-section";
import { RefreshIntervalForm } from "@/components/analytics/refresh-interval-form";
import { SchedulePaused } from "@/components/analytics/schedule-paused";
import { CreateOperatorForm } from "@/components/operators/create-operator-form";
import { OperatorRowActions } from "@/components/operators/operator-row-actions";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { REFRESH_INTERVALS, refreshInterval } from "@/lib/analytics/jobs";
import { schedulePause } from "@/lib/analytics/schedule-pause";
import { requireArea } from "@/lib/auth/current";
import { PERMISSIONS } from "@/lib/auth/permissions";
import { ROLE_LABELS, ROLES } from "@/lib/auth/roles";
import { listApiKeys } from "@/lib/flags/api-keys";
import { listOperators } from "@/lib/operators/operators";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const me = await requireArea("/settings");
  const operators = await listOperators();
  const paused = await schedulePause();
  return (
    <>
      <PageHeader title="Settings" description="Operator accounts: who can sign in, and what each role may do." />
      <div className="space-y-6">
        <Card title="Operators" description={`${operators.length} account${operators.length === 1 ? "" : "s"}`}>
          <Table label="Operators">
            <thead className="bg-slate-50">
              <tr>
                <Th>Email</Th>
                <Th>Name</Th>
                <Th>Status</Th>
                <Th>Roles and actions</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {operators.map((o) => (
                <tr key={o.id} data-testid={`operator-${o.email}`}>
                  <Td className="font-medium text-slate-900">{o.email}</Td>
                  <Td>{o.name}</Td>
                  <Td>{o.disabledAt ? <Badge tone="danger">disabled</Badge> : <Badge tone="success">active</Badge>}</Td>
                  <Td>
                    <OperatorRowActions email={o.email} roles={o.roles} disabled={Boolean(o.disabledAt)} self={o.id === me.id} />
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
        <Card title="Add an operator" description="They sign in with this email and password; share the password with them directly.">
          <CreateOperatorForm />
        </Card>
        <ApiKeysSection keys={await listApiKeys()} />
        <Card title="Analytics refresh" description="How often the worker brings audit_statistics and auditor_performance up to date (only the groups that changed). Admins can also refresh now on the Analytics page.">
          {paused && <SchedulePaused pausedAt={`${paused.pausedAt.toISOString().replace("T", " ").slice(0, 19)} UTC`} pausedBy={paused.pausedBy} reason={paused.reason} />}
          <RefreshIntervalForm minutes={await refreshInterval()} intervals={REFRESH_INTERVALS} />
        </Card>
        <Card title="What each role may do" description="The same rules the server checks on every action, from the console and the CLI alike.">
          <Table label="Permissions by role">
            <thead className="bg-slate-50">
              <tr>
                <Th>Action</Th>
                {ROLES.map((r) => (
                  <Th key={r} className="text-center">{ROLE_LABELS[r]}</Th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {Object.entries(PERMISSIONS).map(([key, p]) => (
                <tr key={key}>
                  <Td>{p.label}</Td>
                  {ROLES.map((r) => (
                    <Td key={r} className="text-center">
                      {(p.roles as readonly string[]).includes(r) ? <span aria-label="allowed" className="text-emerald-700">✓</span> : <span aria-label="not allowed" className="text-slate-600">–</span>}
                    </Td>
                  ))}
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
      </div>
    </>
  );
}
