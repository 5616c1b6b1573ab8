import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import { AnalyticsTabs } from "@/components/analytics/analytics-tabs";
import { AuditorsView } from "@/components/analytics/auditors-view";
import { FiltersBar } from "@/components/analytics/filters-bar";
import { PageHeader } from "@/components/ui/page-header";
import { filtersQuery, parseFilters } from "@/lib/analytics/filters";
import { toSearchParams, viewKey } from "@/lib/analytics/keys";
import { filterOptions } from "@/lib/analytics/queries";
import { loadView } from "@/lib/analytics/views";
import { requireArea } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Auditor performance" };

export default async function AuditorsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireArea("/analytics");
  const params = toSearchParams(await searchParams);
  const filters = parseFilters(params);
  const client = new QueryClient();
  await client.prefetchQuery({ queryKey: viewKey("auditors", params), queryFn: () => loadView("auditors", params) });
  return (
    <>
      <PageHeader title="Analytics" description="How each auditor scores: volume, average given, calibration against everyone on the same scorecards and months, spread, turnaround." />
      <AnalyticsTabs current="auditors" query={filtersQuery(filters)} />
      <FiltersBar action="/analytics/auditors" filters={filters} options={await filterOptions()} perScorecard={false} keep={{ sort: params.get("sort"), dir: params.get("dir") }} />
      <HydrationBoundary state={dehydrate(client)}>
        <AuditorsView query={params.toString()} />
      </HydrationBoundary>
    </>
  );
}
