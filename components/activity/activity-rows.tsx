"use client";

import { Fragment, useState } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Td } from "@/components/ui/table";
import type { ActivityItem, ActivityView } from "./describe";

const OUTCOME_TONE: Record<string, BadgeTone> = { ok: "success", denied: "danger", failed: "warning" };
const COLUMNS = 6;

function Disclosure({ open, onToggle, controls, label }: { open: boolean; onToggle: () => void; controls: string; label: string }) {
  return (
    <button
      type="button"
      aria-expanded={open}
      aria-controls={controls}
      aria-label={label}
      onClick={onToggle}
      className="rounded px-1.5 py-0.5 text-xs text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-brand-500"
    >
      <span aria-hidden="true">{open ? "▾" : "▸"}</span>
    </button>
  );
}

function Details({ entry, id }: { entry: ActivityView; id: string }) {
  return (
    <tr id={id} className="bg-slate-50">
      <td colSpan={COLUMNS} className="px-3 py-2 pl-12 text-xs text-slate-700">
        <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1">
          <dt className="font-medium">Event</dt>
          <dd className="font-mono">{entry.action}</dd>
          <dt className="font-medium">Target</dt>
          <dd className="break-words">{entry.target ?? "—"}</dd>
          {entry.change && (
            <>
              <dt className="font-medium">{entry.change.field}</dt>
              <dd className="break-words">
                {entry.change.before} <span aria-hidden="true">→</span>
                <span className="sr-only">changed to</span> {entry.change.after}
              </dd>
            </>
          )}
          {entry.why && (
            <>
              <dt className="font-medium">Why {entry.outcome === "denied" ? "refused" : "it failed"}</dt>
              <dd className="break-words">{entry.why}</dd>
            </>
          )}
          {entry.facts.map((f) => (
            <Fragment key={f.label}>
              <dt className="font-medium">{f.label}</dt>
              <dd className="break-words">{f.value}</dd>
            </Fragment>
          ))}
          <dt className="font-medium">From</dt>
          <dd>{entry.ip ?? "—"}</dd>
        </dl>
      </td>
    </tr>
  );
}

function EntryRow({ entry, nested = false }: { entry: ActivityView; nested?: boolean }) {
  const [open, setOpen] = useState(false);
  const id = `activity-${entry.id}-details`;
  return (
    <>
      <tr id={`activity-${entry.id}`} data-testid={`activity-${entry.id}`} className={nested ? "bg-slate-50" : undefined}>
        <Td className={`w-8 ${nested ? "pl-6" : ""}`}>
          <Disclosure open={open} onToggle={() => setOpen(!open)} controls={id} label={`Details of ${entry.label} at ${entry.at}`} />
        </Td>
        <Td className="font-mono text-xs">{entry.at}</Td>
        <Td className="max-w-48 truncate" title={entry.actor}>
          {entry.actor}
        </Td>
        <Td className="whitespace-normal">
          <span title={entry.action}>{entry.label}</span>
        </Td>
        <Td className="max-w-48 truncate" title={entry.target ?? undefined}>
          {entry.target ?? "—"}
        </Td>
        <Td className="whitespace-normal">
          <Badge tone={OUTCOME_TONE[entry.outcome] ?? "neutral"}>{entry.outcome}</Badge>
          {entry.why && <p className="mt-0.5 max-w-48 break-words text-xs text-slate-700">{entry.why}</p>}
        </Td>
      </tr>
      {open && <Details entry={entry} id={id} />}
    </>
  );
}

function SessionsRow({ entries }: { entries: ActivityView[] }) {
  const [open, setOpen] = useState(false);
  const who = [...new Set(entries.map((e) => e.actor))];
  const last = entries[entries.length - 1]!;
  const ins = entries.filter((e) => e.action === "auth.login").length;
  const outs = entries.length - ins;
  const times = (n: number) => (n === 1 ? "once" : `${n} times`);
  const what = [ins && `Signed in ${times(ins)}`, outs && `${ins ? "signed" : "Signed"} out ${times(outs)}`].filter(Boolean).join(", ");
  const summary = `${what}: ${who.slice(0, 3).join(", ")}${who.length > 3 ? ` and ${who.length - 3} more` : ""}`;
  return (
    <>
      <tr data-testid="activity-sessions" className="text-slate-700">
        <Td className="w-8">
          <Disclosure open={open} onToggle={() => setOpen(!open)} controls={entries.map((e) => `activity-${e.id}`).join(" ")} label={`Show each of these ${entries.length} sign-ins and sign-outs`} />
        </Td>
        <Td className="whitespace-normal font-mono text-xs">
          {last.at}
          {last.at !== entries[0]!.at && <span className="block">to {entries[0]!.at.slice(11)}</span>}
        </Td>
        <Td colSpan={4} className="whitespace-normal">
          {summary}
        </Td>
      </tr>
      {open && entries.map((e) => <EntryRow key={e.id} entry={e} nested />)}
    </>
  );
}

/** The log's rows: each entry expands to its details; runs of sign-ins fold into one row. */
export function ActivityRows({ items }: { items: ActivityItem[] }) {
  return (
    <>
      {items.map((item) =>
        item.kind === "entry" ? <EntryRow key={item.entry.id} entry={item.entry} /> : <SessionsRow key={item.id} entries={item.entries} />,
      )}
    </>
  );
}
