"use client";

import Link from "next/link";
import { Fragment, useState, type ReactNode } from "react";
import { formatTime } from "@/components/phases/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, Th } from "@/components/ui/table";
import type { RuleState, RuleSummaryRow } from "@/lib/plan/phase-1/conflict-rules";
import { FIELD_LABELS } from "./field-labels";
import { RuleDecisionForm } from "./rule-decision-form";

/** A cell whose text may wrap (the table primitive's cells do not). */
function Cell({ children, className = "" }: { children: ReactNode; className?: string }) {
  return <td className={`px-3 py-2 align-top text-sm text-slate-700 ${className}`}>{children}</td>;
}

/** The rule-wide decision in force on a summary row, and whether employees show it yet. */
function Decision({ state }: { state: RuleState | null }) {
  if (!state) {
    return (
      <span className="text-xs text-slate-400" title="No rule-wide decision applies: override one person at a time below">
        per person
      </span>
    );
  }
  if (state.inForce) {
    const d = state.inForce;
    return (
      <div className="space-y-0.5">
        <span className="flex flex-wrap items-center gap-1">
          <Badge tone="info">{d.prefer} win</Badge>
          {d.pending ? <Badge tone="warning">pending</Badge> : <Badge tone="success">applied</Badge>}
        </span>
        <span className="block text-xs text-slate-500">
          by {d.decidedBy}, {formatTime(d.decidedAt)}
        </span>
        <span className="block text-xs italic text-slate-500">“{d.comment}”</span>
      </div>
    );
  }
  if (state.withdrawnSinceMerge) {
    const w = state.withdrawnSinceMerge;
    return (
      <div className="space-y-0.5">
        <Badge tone="warning">withdrawn</Badge>
        <span className="block text-xs text-slate-500">
          {w.prefer} win until the next merge; withdrawn by {w.withdrawnBy}, {formatTime(w.withdrawnAt)}
        </span>
      </div>
    );
  }
  return <span className="text-xs text-slate-500">none: the rule decides</span>;
}

/**
 * Conflicts per field and rule, largest first; on a row a lead can decide for every human at once,
 * its decision in force shown beside the count.
 */
export function ConflictSummary({ rows, canDecide }: { rows: RuleSummaryRow[]; canDecide: boolean }) {
  const [open, setOpen] = useState<string | null>(null);
  const columns = canDecide ? 5 : 4;
  return (
    <Table label="Conflicts by field and rule">
      <thead className="bg-slate-50">
        <tr>
          <Th>Field</Th>
          <Th>Rule</Th>
          <Th className="text-right">Conflicts</Th>
          <Th>Rule-wide decision</Th>
          {canDecide && (
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          )}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((s) => {
          const key = `${s.field}|${s.rule}`;
          const label = FIELD_LABELS[s.field] ?? s.field;
          return (
            <Fragment key={key}>
              <tr data-testid={`summary-${s.field}`}>
                <Cell className="whitespace-nowrap">
                  <Link href={`/conflicts?field=${encodeURIComponent(s.field)}`} className="font-medium text-brand-700 hover:text-brand-800" title={s.field}>
                    {label}
                  </Link>
                </Cell>
                <Cell className="text-xs text-slate-600">{s.rule}</Cell>
                <Cell className="text-right tabular-nums">{s.count.toLocaleString("en-US")}</Cell>
                <Cell className="w-80">
                  <Decision state={s.decision} />
                </Cell>
                {canDecide && (
                  <Cell className="whitespace-nowrap text-right">
                    {s.decision && (
                      <Button
                        variant="secondary"
                        className="px-2.5 py-1 text-xs"
                        aria-expanded={open === key}
                        aria-label={`${s.decision.inForce ? "Change" : "Decide"} ${s.field} for everyone`}
                        onClick={() => setOpen(open === key ? null : key)}
                      >
                        {s.decision.inForce ? "Change" : "Decide"}
                      </Button>
                    )}
                  </Cell>
                )}
              </tr>
              {open === key && s.decision && (
                <tr className="bg-slate-50">
                  <td colSpan={columns} className="px-3 py-3">
                    <RuleDecisionForm field={s.field} label={label} inForce={s.decision.inForce?.prefer ?? null} onClose={() => setOpen(null)} />
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </Table>
  );
}
