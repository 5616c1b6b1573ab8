import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ActivityTable } from "@/components/activity/activity-table";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { listActivity } from "@/lib/activity/log";
import { requireArea } from "@/lib/auth/current";
import { hasNul } from "@/lib/db/sql";

export const metadata: Metadata = { title: "Activity" };

const KINDS = [
  { value: "", label: "Everything" },
  { value: "auth.", label: "Sign-ins and sign-outs" },
  { value: "phase.", label: "Phases: approvals, runs, rollbacks" },
  { value: "conflict.", label: "Merge overrides" },
  { value: "validation.", label: "Validation" },
  { value: "operator.", label: "Operators" },
  { value: "inventory.", label: "Source inventory" },
] as const;
const OUTCOMES = ["ok", "denied", "failed"] as const;

type Search = { before?: string; kind?: string; outcome?: string; actor?: string };

export default async function ActivityPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requireArea("/activity");
  const params = await searchParams;
  const cursor = params.before;
  // A cursor is an entry id; anything else is not a page of this log.
  if (cursor !== undefined && !/^[1-9]\d{0,17}$/.test(cursor)) notFound();
  if ([params.kind, params.outcome, params.actor].some((v) => v !== undefined && (hasNul(v) || v.length > 320))) notFound();
  const before = cursor === undefined ? undefined : BigInt(cursor);
  const kind = KINDS.find((k) => k.value === params.kind)?.value || undefined;
  const outcome = OUTCOMES.find((o) => o === params.outcome);
  const actor = params.actor?.trim() || undefined;
  const { entries, total, totalCapped, older } = await listActivity({ before, action: kind, outcome, actor });
  const filterQuery = new URLSearchParams(Object.entries({ kind, outcome, actor }).filter((e): e is [string, string] => Boolean(e[1]))).toString();
  const select = "mt-1 block rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm";
  return (
    <>
      <PageHeader title="Activity" description="Every sign-in, operator change and migration action, newest first. The log is append-only." />
      <Card>
        <form method="get" className="mb-4 flex flex-wrap items-end gap-3" aria-label="Filter the activity log">
          <label className="text-sm font-medium text-slate-700">
            What
            <select name="kind" defaultValue={kind ?? ""} className={select}>
              {KINDS.map((k) => (
                <option key={k.value} value={k.value}>{k.label}</option>
              ))}
            </select>
          </label>
          <label className="text-sm font-medium text-slate-700">
            Outcome
            <select name="outcome" defaultValue={outcome ?? ""} className={select}>
              <option value="">Any</option>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>{o}</option>
              ))}
            </select>
          </label>
          <label className="text-sm font-medium text-slate-700">
            Who
            <input name="actor" defaultValue={actor ?? ""} placeholder="part of an email" className={select} />
          </label>
          <button type="submit" className="rounded-md bg-primary px-3 py-1.5 text-sm font-medium text-on-fill hover:bg-primary-hover">Filter</button>
        </form>
        <ActivityTable
          filterQuery={filterQuery}
          rows={entries.map((e) => ({ ...e, id: e.id.toString() }))}
          total={total}
          totalCapped={totalCapped}
          older={older === null ? null : older.toString()}
          paged={before !== undefined}
        />
      </Card>
    </>
  );
}
