import type { Metadata } from "next";
import { ActivityTable } from "@/components/activity/activity-table";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { listActivity } from "@/lib/activity/log";
import { requireArea } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Activity" };

export default async function ActivityPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  await requireArea("/activity");
  const requested = Number.parseInt((await searchParams).page ?? "1", 10);
  const page = Number.isInteger(requested) && requested > 0 ? requested : 1;
  const { entries, total, pages } = await listActivity(page);
  return (
    <>
      <PageHeader title="Activity" description="Every sign-in, operator change and migration action, newest first. The log is append-only." />
      <Card>
        <ActivityTable
          rows={entries.map((e) => ({ ...e, id: e.id.toString() }))}
          page={Math.min(page, pages)}
          pages={pages}
          total={total}
        />
      </Card>
    </>
  );
}
