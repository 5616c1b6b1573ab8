import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { requireArea } from "@/lib/auth/current";
import { schemaMapping } from "@/lib/plan/schema-map";

export const metadata: Metadata = { title: "Schema" };

export default async function SchemaPage() {
  await requireArea("/schema");
  const map = await schemaMapping();
  return (
    <>
      <PageHeader
        title="Schema"
        description="The legacy schema and the unified one side by side, read from the live database: where every legacy table and column lives now, and the view that still returns the legacy rows."
      />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <section aria-labelledby="legacy-heading" className="space-y-4">
          <h2 id="legacy-heading" className="text-base font-semibold text-slate-900">Legacy schema “{map.legacySchema}” → unified</h2>
          {map.legacy.map((t) => (
            <Card
              key={t.table}
              title={t.table}
              description={`Phase ${t.phase} · rows in unified.${t.target}${t.compat !== "—" ? ` · old readers: unified.${t.compat}` : ""} · ${t.migrated ? "migrated" : "not migrated yet"}`}
            >
              <Table label={`Columns of ${t.table}`}>
                <thead className="bg-slate-50">
                  <tr>
                    <Th>Legacy column</Th>
                    <Th>Type</Th>
                    <Th>Lives now in</Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {t.columns.map((c) => (
                    <tr key={c.column}>
                      <Td className="font-mono text-xs">{c.column}</Td>
                      <Td className="text-xs text-slate-700">{c.type}</Td>
                      <Td className="whitespace-normal">
                        <span className="font-mono text-xs break-all">{c.destination}</span>
                        {c.note && <span className="block text-xs text-slate-600">{c.note}</span>}
                      </Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            </Card>
          ))}
        </section>
        <section aria-labelledby="unified-heading" className="space-y-4">
          <h2 id="unified-heading" className="text-base font-semibold text-slate-900">Unified schema, as it is now</h2>
          {map.unified.length === 0 ? (
            <p className="text-sm text-slate-700">Nothing yet: Phase 1 creates the unified schema.</p>
          ) : (
            map.unified.map((r) => (
              <Card key={r.name} title={r.name} description={r.kind === "view" ? "view" : "table"}>
                <ul className="grid grid-cols-1 gap-x-4 gap-y-1 text-xs sm:grid-cols-2" aria-label={`Columns of ${r.name}`}>
                  {r.columns.map((c) => (
                    <li key={c.name} className="flex justify-between gap-2">
                      <span className="font-mono break-all">{c.name}</span>
                      <span className="shrink-0 text-slate-600">{c.type}</span>
                    </li>
                  ))}
                </ul>
              </Card>
            ))
          )}
        </section>
      </div>
    </>
  );
}
