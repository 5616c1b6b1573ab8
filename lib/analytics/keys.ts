/** Client-safe: the TanStack Query key of an analytics view, the same on the server prefetch and in the browser. */
export type AnalyticsViewName = "overview" | "auditors" | "auditor" | "employee";

export function normalisedQuery(params: URLSearchParams): string {
  return new URLSearchParams([...params.entries()].filter(([, v]) => v !== "").sort(([a], [b]) => a.localeCompare(b))).toString();
}

export function viewKey(view: AnalyticsViewName, params: URLSearchParams): [string, AnalyticsViewName, string] {
  return ["analytics", view, normalisedQuery(params)];
}

/** Next's searchParams object as URLSearchParams (first value of a repeated key). */
export function toSearchParams(raw: Record<string, string | string[] | undefined>): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(raw)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first !== "") out.set(key, first);
  }
  return out;
}
