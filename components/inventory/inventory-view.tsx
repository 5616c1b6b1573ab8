import type { Inventory } from "@/lib/legacy/inventory";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import { Stat } from "./stat";

const n = (value: number) => value.toLocaleString("en-US");

export function InventoryView({ inventory }: { inventory: Inventory }) {
  const id = inventory.identity;
  return (
    <div className="space-y-6">
      {id && (
        <Card title="People" description="Distinct emails after normalisation (trimmed, case-folded)">
          <dl className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-7" aria-label="Identity counts">
            <Stat label="In users" value={id.usersEmails} hint={`${n(id.usersRows)} rows`} />
            <Stat label="In people" value={id.peopleEmails} hint={`${n(id.peopleRows)} rows`} />
            <Stat label="In both" value={id.inBoth} />
            <Stat label="Only in users" value={id.onlyInUsers} tone="warning" />
            <Stat label="Only in people" value={id.onlyInPeople} tone="warning" />
            <Stat label="Duplicate emails" value={id.usersDuplicateEmails + id.peopleDuplicateEmails} hint={`${n(id.usersDuplicateEmails)} users · ${n(id.peopleDuplicateEmails)} people`} tone="warning" />
            <Stat label="Rows without email" value={id.usersWithoutEmail + id.peopleWithoutEmail} tone="warning" />
          </dl>
        </Card>
      )}
      <Card title="Scorecards" description={`${inventory.scorecards.length} audit tables, ${n(inventory.audits)} audits`}>
        <Table label="Scorecards">
          <thead className="bg-slate-50">
            <tr>
              <Th>Scorecard</Th>
              <Th>Table</Th>
              <Th>Channel</Th>
              <Th className="text-right">Fields</Th>
              <Th className="text-right">Audits</Th>
              <Th>Date range</Th>
              <Th className="text-right">
                {/* Wraps, so the table fits at 1280 px beside the sidebar. */}
                <span className="inline-block w-24 whitespace-normal">Emails matching nobody</span>
              </Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {inventory.scorecards.map((s) => (
              <tr key={s.id}>
                <Td className="font-medium text-slate-900">{s.name ?? "—"}</Td>
                <Td className="font-mono text-xs">{s.table}</Td>
                <Td>{s.channel ?? "—"}</Td>
                <Td className="text-right tabular-nums">{s.fields}</Td>
                <Td className="text-right tabular-nums">{n(s.rows)}</Td>
                <Td className="tabular-nums">{s.firstAuditDate ? `${s.firstAuditDate} → ${s.lastAuditDate}` : "—"}</Td>
                <Td className="text-right tabular-nums">{n(s.employeeEmailsMatchingNobody + s.auditorEmailsMatchingNobody)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
      <div className="grid gap-6 lg:grid-cols-2">
        {inventory.assignments && (
          <Card title="Audit assignments" description={`${n(inventory.assignments.rows)} rows`}>
            <dl className="grid grid-cols-3 gap-3">
              <Stat label="Auditor unknown" value={inventory.assignments.auditorEmailsMatchingNobody} tone="warning" />
              <Stat label="Employee unknown" value={inventory.assignments.employeeEmailsMatchingNobody} tone="warning" />
              <Stat label="Unknown scorecard" value={inventory.assignments.unknownScorecardTable} tone="warning" />
            </dl>
          </Card>
        )}
        {inventory.notifications && (
          <Card title="Notifications" description={`${n(inventory.notifications.rows)} rows`}>
            <dl className="grid grid-cols-2 gap-3">
              <Stat label="Recipient unknown" value={inventory.notifications.recipientEmailsMatchingNobody} tone="warning" />
              <Stat label="Unknown audit table" value={inventory.notifications.unknownAuditTable} tone="warning" />
            </dl>
          </Card>
        )}
      </div>
      <Card title="Anomalies" description="What discovery found that does not follow the legacy contract (docs/legacy-contract.md)">
        {inventory.anomalies.length === 0 ? (
          <p className="text-sm text-slate-600">None: every table follows the contract.</p>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Anomalies">
            {inventory.anomalies.map((a, i) => (
              <li key={i} className="flex items-start gap-3 py-2 text-sm">
                <Badge tone={a.severity === "error" ? "danger" : "warning"}>{a.severity}</Badge>
                <span className="text-slate-700">{a.message}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
