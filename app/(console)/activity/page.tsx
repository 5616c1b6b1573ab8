import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ActivityTable } from "@/components/activity/activity-table";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { listActivity } from "@/lib/activity/log";
import { requireArea } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Activity" };

export default async function ActivityPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  await requireArea("/activity");
  const cursor = (await searchParams).before;
  // A cursor is an entry id; anything else is not a page of this log.
  if (cursor !== undefined && !/^[1-9]\d{0,17}$/.test(cursor)) notFound();
  const before = cursor === undefined ? undefined : BigInt(cursor);
  const { entries, total, totalCapped, older } = await listActivity({ before });
  return (
    <>
      <PageHeader title="Activity" description="Every sign-in, operator change and migration action, newest first. The log is append-only." />
      <Card>
        <ActivityTable
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
