import type { ReactNode } from "react";
import type { EmployeeRecord } from "@/lib/flags/adapter-types";

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children ?? <span className="text-slate-400">—</span>}</dd>
    </div>
  );
}

export function EmployeeRecordView({ employee }: { employee: EmployeeRecord }) {
  return (
    <dl className="grid gap-4 sm:grid-cols-3 lg:grid-cols-4" data-testid="employee-record">
      <Item label="Name">{employee.fullName}</Item>
      <Item label="Email">{employee.email}</Item>
      <Item label="Role">{employee.role}</Item>
      <Item label="Status">{employee.status ? `${employee.status}${employee.isActive ? "" : " (inactive)"}` : null}</Item>
      <Item label="Department">{employee.department}</Item>
      <Item label="Team">{employee.team}</Item>
      <Item label="Country">{employee.country}</Item>
      <Item label="Manager">{employee.managerEmail}</Item>
      <Item label="Hired">{employee.hireDate}</Item>
      <Item label="Legacy ids">
        {[employee.legacyUserId !== null ? `users #${employee.legacyUserId}` : null, employee.legacyPersonId !== null ? `people #${employee.legacyPersonId}` : null].filter(Boolean).join(", ") || null}
      </Item>
    </dl>
  );
}
