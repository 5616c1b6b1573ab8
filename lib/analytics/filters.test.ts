import { describe, expect, it } from "vitest";
import { filtersQuery, parseFilters } from "./filters";
import { formatFreshness } from "./format";
import { histogramMedian } from "./median";
import { csvCell } from "./views";

describe("analytics filters, medians and cells", () => {
  it("filters come from the URL, swapped when reversed, anything unparsable dropped, and go back in a fixed order", () => {
    const f = parseFilters(new URLSearchParams("to=2024-01&from=2024-06&scorecard=3&channel=x&team=-1&department=7"));
    expect(f).toEqual({ from: "2024-01", to: "2024-06", scorecard: 3, channel: null, department: 7, team: null });
    expect(filtersQuery(f, { sort: "audits" })).toBe("?from=2024-01&to=2024-06&scorecard=3&department=7&sort=audits");
    expect(parseFilters({ from: "2024-13", scorecard: ["4", "5"] })).toMatchObject({ from: null, scorecard: 4 });
  });

  it("the median of merged monthly histograms is the median of the days themselves", () => {
    const days = [1, 1, 2, 5, 8, 8, 8, 30];
    const histogram = [...new Set(days)].map((d) => ({ days: d, n: days.filter((x) => x === d).length }));
    expect(histogramMedian(histogram)).toBe((5 + 8) / 2);
    expect(histogramMedian([{ days: 4, n: 3 }])).toBe(4);
    expect(histogramMedian([])).toBeNull();
  });

  it("a CSV cell never starts a formula and quotes what it must", () => {
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell("-0.4")).toBe("-0.4");
    expect(csvCell("-1+2")).toBe("'-1+2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("1,234")).toBe('"1,234"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
  });

  it("the freshness label reads as a clock time and an age", () => {
    expect(formatFreshness("2026-12-01T10:00:00Z", new Date("2026-12-01T10:14:20Z"))).toBe("as of 10:00 UTC, 14 min ago");
    expect(formatFreshness("2026-11-29T10:00:00Z", new Date("2026-12-01T10:00:00Z"))).toBe("as of 10:00 UTC 2026-11-29, 2 days ago");
  });
});
