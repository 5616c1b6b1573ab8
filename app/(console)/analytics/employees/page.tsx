import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import { AnalyticsTabs } from "@/components/analytics/analytics-tabs";
import { EmployeeView } from "@/components/analytics/employee-view";
import { FiltersBar } from "@/components/analytics/filters-bar";
import { PageHeader } from "@/components/ui/page-header";
import { filtersQuery, parseFilters } from "@/lib/analytics/filters";
import { toSearchParams, viewKey } from "@/lib/analytics/keys";
import { filterOptions } from "@/lib/analytics/queries";
import { loadView } from "@/lib/analytics/views";
import { requireArea } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Employee drill-down" };

export default async function EmployeesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireArea("/analytics");
  const params = toSearchParams(await searchParams);
  const filters = parseFilters(params);
  const client = new QueryClient();
  await client.prefetchQuery({ queryKey: viewKey("employee", params), queryFn: () => loadView("employee", params) });
  return (
    <>
      <PageHeader title="Analytics" description="One employee's results across every scorecard, field by field." />
      <AnalyticsTabs current="employees" query={filtersQuery(filters)} />
      <FiltersBar action="/analytics/employees" filters={filters} options={await filterOptions()} personal={false} keep={{ id: params.get("id"), q: params.get("q") }} />
      <HydrationBoundary state={dehydrate(client)}>
        <EmployeeView query={params.toString()} />
      </HydrationBoundary>
    </>
  );
}
