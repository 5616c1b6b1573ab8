import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import { AnalyticsTabs } from "@/components/analytics/analytics-tabs";
import { FiltersBar } from "@/components/analytics/filters-bar";
import { OverviewView } from "@/components/analytics/overview-view";
import { RefreshButton } from "@/components/analytics/refresh-button";
import { RefreshHistory } from "@/components/analytics/refresh-history";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { filtersQuery, parseFilters } from "@/lib/analytics/filters";
import { toSearchParams, viewKey } from "@/lib/analytics/keys";
import { filterOptions } from "@/lib/analytics/queries";
import { recentRefreshes } from "@/lib/analytics/refreshes";
import { summariesExist } from "@/lib/analytics/refresh";
import { loadView } from "@/lib/analytics/views";
import { requireArea } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Analytics" };

export default async function AnalyticsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const me = await requireArea("/analytics");
  const params = toSearchParams(await searchParams);
  const filters = parseFilters(params);
  const client = new QueryClient();
  await client.prefetchQuery({ queryKey: viewKey("overview", params), queryFn: () => loadView("overview", params) });
  const [options, refreshes, ready] = await Promise.all([filterOptions(), recentRefreshes(), summariesExist()]);
  return (
    <>
      <PageHeader title="Analytics" description="Audit volume, scores and pass rates across every scorecard, from audit_statistics." />
      <AnalyticsTabs current="overview" query={filtersQuery(filters)} />
      <FiltersBar action="/analytics" filters={filters} options={options} />
      <HydrationBoundary state={dehydrate(client)}>
        <OverviewView query={params.toString()} />
      </HydrationBoundary>
      {ready && (
        <Card
          className="mt-6"
          title="Refreshes"
          description="Incremental: only the groups that changed since the last refresh are recomputed; readers never wait. Hourly unless Settings say otherwise."
          actions={me.roles.includes("admin") ? <RefreshButton /> : undefined}
        >
          <RefreshHistory rows={refreshes} />
        </Card>
      )}
    </>
  );
}
