import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { requireArea } from "@/lib/auth/current";
import { listOrphans, ORPHAN_REFERENCES } from "@/lib/plan/phase-3/orphans";

export const metadata: Metadata = { title: "Orphans" };

const TABLES = ["audit_assignments", "notifications"];

/** `after` travels as table~id~reference; anything else is ignored. */
function parseAfter(value: string | undefined) {
  const match = value?.match(/^(audit_assignments|notifications)~(\d{1,9})~([a-z_]{1,40})$/);
  return match ? { table: match[1]!, legacyId: Number(match[2]), reference: match[3]! } : undefined;
}

export default async function OrphansPage({ searchParams }: { searchParams: Promise<{ table?: string; reference?: string; after?: string }> }) {
  await requireArea("/orphans");
  const params = await searchParams;
  const table = TABLES.includes(params.table ?? "") ? params.table : undefined;
  const reference = params.reference && params.reference in ORPHAN_REFERENCES ? params.reference : undefined;
  const page = await listOrphans({ table, reference, after: parseAfter(params.after) });
  const href = (extra: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ table, reference, ...extra })) if (v) q.set(k, v);
    const s = q.toString();
    return `/orphans${s ? `?${s}` : ""}`;
  };
  const total = page.summary.reduce((n, s) => n + s.count, 0);
  return (
    <>
      <PageHeader
        title="Orphans"
        description="Assignments and notifications whose email, scorecard table or audit matches nothing. Phase 3 keeps every one of them, with the key left empty and the value it held, for a person to review."
      />
      {!page.available ? (
        <EmptyState title="No orphan report yet">It appears once Phase 3 has loaded assignments and notifications. An admin runs Phase 3 after a lead approves it.</EmptyState>
      ) : (
        <div className="space-y-6">
          <Card title={`${total.toLocaleString("en-US")} orphans`} description="By table and by the reference that failed.">
            {page.summary.length ? (
              <Table label="Orphans by reference">
                <thead className="bg-slate-50">
                  <tr>
                    <Th>Table</Th>
                    <Th>Reference</Th>
                    <Th>Why</Th>
                    <Th className="text-right">Rows</Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {page.summary.map((s) => (
                    <tr key={`${s.table}:${s.reference}`}>
                      <Td className="font-mono text-xs">{s.table}</Td>
                      <Td>
                        <Link className="font-medium text-brand-700 hover:text-brand-800" href={`/orphans?table=${s.table}&reference=${s.reference}`}>
                          {s.reference}
                        </Link>
                      </Td>
                      <Td className="text-slate-700">{ORPHAN_REFERENCES[s.reference]}</Td>
                      <Td className="text-right tabular-nums">{s.count.toLocaleString("en-US")}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            ) : (
              <p className="text-sm text-slate-700">Every reference of every assignment and notification resolves.</p>
            )}
          </Card>
          {page.summary.length > 0 && (
            <Card title="Rows" description={table || reference ? `Filtered: ${[table, reference].filter(Boolean).join(", ")}` : "Every orphan, by table and legacy id."}>
              {(table || reference) && (
                <p className="mb-3 text-sm">
                  <Link className="text-brand-700 hover:text-brand-800" href="/orphans">Show every orphan</Link>
                </p>
              )}
              <Table label="Orphans">
                <thead className="bg-slate-50">
                  <tr>
                    <Th>Table</Th>
                    <Th className="text-right">Legacy id</Th>
                    <Th>Reference</Th>
                    <Th>Value it held</Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {page.rows.map((r) => (
                    <tr key={`${r.table}:${r.legacyId}:${r.reference}`}>
                      <Td className="font-mono text-xs">{r.table}</Td>
                      <Td className="text-right tabular-nums">{r.legacyId}</Td>
                      <Td>{r.reference}</Td>
                      <Td className="font-mono text-xs break-all whitespace-normal">{r.value === null ? <span className="text-slate-600">NULL</span> : JSON.stringify(r.value)}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              <div className="mt-4 flex justify-end gap-2 text-sm">
                {params.after && <Link className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50" href={href({})}>First page</Link>}
                {page.next && (
                  <Link className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50" href={href({ after: `${page.next.table}~${page.next.legacyId}~${page.next.reference}` })}>
                    Next page
                  </Link>
                )}
              </div>
            </Card>
          )}
        </div>
      )}
    </>
  );
}
