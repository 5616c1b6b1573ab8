import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { AnalyticsTabs } from "@/components/analytics/analytics-tabs";
import { AuditorView } from "@/components/analytics/auditor-view";
import { FiltersBar } from "@/components/analytics/filters-bar";
import { PageHeader } from "@/components/ui/page-header";
import { filtersQuery, parseFilters } from "@/lib/analytics/filters";
import { toSearchParams, viewKey } from "@/lib/analytics/keys";
import { filterOptions } from "@/lib/analytics/queries";
import { loadView } from "@/lib/analytics/views";
import { requireArea } from "@/lib/auth/current";

export const metadata: Metadata = { title: "Auditor" };

export default async function AuditorPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireArea("/analytics");
  const { id } = await params;
  const query = toSearchParams(await searchParams);
  const filters = parseFilters(query);
  const key = new URLSearchParams(filtersQuery(filters).slice(1));
  key.set("id", /^\d{1,15}$/.test(id) ? id : "0");
  const client = new QueryClient();
  await client.prefetchQuery({ queryKey: viewKey("auditor", key), queryFn: () => loadView("auditor", key) });
  return (
    <>
      <PageHeader title="Analytics" description="One auditor over time." />
      <AnalyticsTabs current="auditors" query={filtersQuery(filters)} />
      <p className="mb-3 text-sm">
        <Link href={`/analytics/auditors${filtersQuery(filters)}`} className="text-brand-700 hover:underline focus-visible:outline-2 focus-visible:outline-brand-500">
          ← Every auditor
        </Link>
      </p>
      <FiltersBar action={`/analytics/auditors/${encodeURIComponent(id)}`} filters={filters} options={await filterOptions()} perScorecard={false} personal={false} />
      <HydrationBoundary state={dehydrate(client)}>
        <AuditorView query={key.toString()} />
      </HydrationBoundary>
    </>
  );
}
