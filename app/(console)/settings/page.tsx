import type { Metadata } from "next";
import { CreateOperatorForm } from "@/components/operators/create-operator-form";
import { OperatorRowActions } from "@/components/operators/operator-row-actions";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { requireArea } from "@/lib/auth/current";
import { listOperators } from "@/lib/operators/operators";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const me = await requireArea("/settings");
  const operators = await listOperators();
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
      </div>
    </>
  );
}
