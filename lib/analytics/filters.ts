import { z } from "zod";

/**
 * The analyst's filters, as they travel in the URL (`?from=2024-01&to=2024-12&scorecard=3`): months
 * inclusive, ids of the unified reference tables. Anything unparsable is dropped, never an error.
 */
export interface AnalyticsFilters {
  from: string | null;
  to: string | null;
  scorecard: number | null;
  channel: number | null;
  department: number | null;
  team: number | null;
}

export const FILTER_KEYS = ["from", "to", "scorecard", "channel", "department", "team"] as const;

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
const id = z.coerce.number().int().positive().max(2_147_483_647);

type Params = Record<string, string | string[] | undefined> | URLSearchParams;

function read(params: Params, key: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(key) ?? undefined;
  const value = params[key];
  return Array.isArray(value) ? value[0] : value;
}

export function parseFilters(params: Params): AnalyticsFilters {
  const m = (key: string) => {
    const parsed = month.safeParse(read(params, key));
    return parsed.success ? parsed.data : null;
  };
  const n = (key: string) => {
    const raw = read(params, key);
    if (raw === undefined || raw === "") return null;
    const parsed = id.safeParse(raw);
    return parsed.success ? parsed.data : null;
  };
  let from = m("from");
  let to = m("to");
  if (from && to && from > to) [from, to] = [to, from];
  return { from, to, scorecard: n("scorecard"), channel: n("channel"), department: n("department"), team: n("team") };
}

/** The filters as a query string, in a fixed order, empty ones left out: the shareable URL. */
export function filtersQuery(filters: AnalyticsFilters, extra: Record<string, string | number | null> = {}): string {
  const search = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value !== null) search.set(key, String(value));
  }
  for (const [key, value] of Object.entries(extra)) if (value !== null) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
}
