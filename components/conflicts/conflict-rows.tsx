"use client";

import { Fragment, useState, type ReactNode } from "react";
import type { ConflictRow } from "@/lib/plan/phase-1/conflicts";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { FIELD_LABELS } from "./field-labels";
import { OverrideForm } from "./override-form";

function Value({ value, source }: { value: string | null; source: string | null }) {
  return (
    <>
      {value === null || value === "" ? <span className="italic text-slate-400">empty</span> : <span className="font-medium text-slate-900">{value}</span>}
      {source && <span className="block font-mono text-xs text-slate-400">{source}</span>}
    </>
  );
}

/** An email that may wrap before its @ when the table is short of room, and nowhere else. */
function Email({ address }: { address: string }) {
  const at = address.indexOf("@");
  if (at <= 0) return <span className="whitespace-nowrap">{address}</span>;
  return (
    <>
      <span className="whitespace-nowrap">{address.slice(0, at)}</span>
      <wbr />
      <span className="whitespace-nowrap">{address.slice(at)}</span>
    </>
  );
}

function Cell({ children, className = "" }: { children: ReactNode; className?: string }) {
  return <td className={`px-3 py-2 align-top text-sm text-slate-700 ${className}`}>{children}</td>;
}


/** The conflicts of one page; a lead opens an override form under any row the merge can apply. */
export function ConflictRows({ rows, canOverride }: { rows: ConflictRow[]; canOverride: boolean }) {
  const [open, setOpen] = useState<string | null>(null);
  const columns = canOverride ? 7 : 6;
  return (
    <>
      {rows.map((r) => (
        <Fragment key={r.id}>
          <tr data-testid={`conflict-${r.id}`}>
            <Cell>{r.emailNormalized ? <Email address={r.emailNormalized} /> : <span className="italic text-slate-400">no email</span>}</Cell>
            <Cell className="text-xs whitespace-nowrap">
              <span title={r.field}>{FIELD_LABELS[r.field] ?? r.field}</span>
            </Cell>
            <Cell className="min-w-28 max-w-48 wrap-anywhere">
              <Value value={r.chosenValue} source={r.chosenSource} />
            </Cell>
            <Cell className="min-w-28 max-w-48 wrap-anywhere">
              <Value value={r.alternativeValue} source={r.alternativeSource} />
            </Cell>
            <Cell className="min-w-32 max-w-64 text-xs text-slate-600">{r.rule}</Cell>
            <Cell className="max-w-48 wrap-anywhere">
              {r.override ? (
                <>
                  <Value value={r.override.value} source={null} />
                  <span className="mt-0.5 flex flex-wrap items-center gap-1 text-xs text-slate-500">
                    {r.override.pending ? <Badge tone="warning">pending</Badge> : <Badge tone="success">applied</Badge>}
                    by {r.override.decidedBy}
                  </span>
                </>
              ) : (
                <span className="text-slate-400">–</span>
              )}
            </Cell>
            {canOverride && (
              <Cell className="text-right">
                {r.overrideField && r.emailNormalized ? (
                  <Button
                    variant="secondary"
                    className="px-2.5 py-1 text-xs"
                    aria-expanded={open === r.id}
                    onClick={() => setOpen(open === r.id ? null : r.id)}
                  >
                    Override
                  </Button>
                ) : (
                  <span className="text-xs text-slate-400" title="The merge applies overrides to employee fields only">
                    –
                  </span>
                )}
              </Cell>
            )}
          </tr>
          {open === r.id && r.overrideField && r.emailNormalized && (
            <tr className="bg-slate-50">
              <td colSpan={columns} className="px-3 py-3">
                <OverrideForm
                  target={{
                    emailNormalized: r.emailNormalized,
                    overrideField: r.overrideField,
                    chosenValue: r.chosenValue,
                    alternativeValue: r.alternativeValue,
                    current: r.override?.value ?? null,
                  }}
                  onClose={() => setOpen(null)}
                />
              </td>
            </tr>
          )}
        </Fragment>
      ))}
    </>
  );
}
