import { readFileSync } from "node:fs";
import { expect, type Page } from "@playwright/test";
import { ANALYST, signIn, snap } from "./helpers";
import { ownConsoleCli, testWithOwnConsole } from "./own-console";

/**
 * The analyst's journey on a console of its own (phases.spec.ts expects Phase 1 untouched on the
 * shared one): phases 1–4 brought to succeeded through the CLI against this console's database,
 * then filters, a drill-down to an auditor, the URL shared with another session, the CSV.
 */
const DATA_DIR = ".data/e2e-analytics";
const { bringToSucceeded } = ownConsoleCli(DATA_DIR);

const test = testWithOwnConsole(DATA_DIR);

test.use({ viewport: { width: 1280, height: 720 } });

async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

/** The table's body as the page shows it: one array of cell texts per row. */
async function tableRows(page: Page, testId: string): Promise<string[][]> {
  return page.getByTestId(testId).evaluate((table) =>
    [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => (td.textContent ?? "").trim())),
  );
}

/** A CSV line's cells (quotes undone, a defused leading ' kept out). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === "," && !quoted) {
      cells.push(cell);
      cell = "";
    } else {
      cell += c;
    }
  }
  cells.push(cell);
  return cells.map((v) => (/^'[=+\-@]/.test(v) ? v.slice(1) : v));
}

test("an analyst filters, drills down to an auditor, shares the view and downloads exactly the table shown", async ({ page, browser, baseURL }) => {
  test.setTimeout(900_000);
  // Before Phase 4: what is missing and who can fix it, no error.
  await signIn(page, ANALYST);
  await page.goto("/analytics");
  await expect(page.getByTestId("analytics-not-ready")).toContainText("Phase 4 has not run yet");
  await expect(page.getByTestId("analytics-not-ready")).toContainText("an admin runs it");
  await snap(page, "analytics-not-ready");

  for (const phase of [1, 2, 3, 4]) await bringToSucceeded(phase);

  // The overview, then one scorecard and a date range, kept in the URL.
  await page.goto("/analytics");
  await expect(page.getByTestId("freshness")).toContainText(/as of \d\d:\d\d UTC/);
  await expect(page.getByTestId("table-scorecards")).toBeVisible();
  await expectNoSidewaysScroll(page);
  await snap(page, "analytics-overview");
  const filters = page.getByRole("form", { name: "Filters" });
  const scorecard = filters.getByLabel("Scorecard");
  const firstScorecard = (await scorecard.locator("option").nth(1).textContent())!;
  await scorecard.selectOption({ label: firstScorecard });
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/scorecard=\d+/);
  await expect(page.getByTestId("table-scorecards").locator("tbody tr")).toHaveCount(1);
  await expect(page.getByTestId("table-scorecards")).toContainText(firstScorecard);
  await snap(page, "analytics-overview-filtered");

  // Auditor performance, sorted by average score given, then one auditor.
  await page.getByRole("link", { name: "Auditor performance" }).click();
  await expect(page.getByTestId("table-auditors")).toBeVisible();
  await page.getByRole("link", { name: /Average score given/ }).click();
  await expect(page).toHaveURL(/sort=avgScore/);
  await expect(page.getByRole("columnheader", { name: /Average score given/ })).toHaveAttribute("aria-sort", /ascending|descending/);
  await expectNoSidewaysScroll(page);
  await snap(page, "analytics-auditors");

  // The CSV holds exactly the rows the table shows, in its order.
  const shown = await tableRows(page, "table-auditors");
  expect(shown.length).toBeGreaterThan(1);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  const csv = readFileSync((await download.path())!, "utf8").trim().split("\n");
  expect(csvCells(csv[0]!)).toEqual(["Auditor", "Audits", "Average score given", "Calibration (vs all auditors)", "Spread (sd)", "Median turnaround"]);
  expect(csv.slice(1).map(csvCells)).toEqual(shown);

  // Then by volume, busiest first, to drill into an auditor with a history.
  await page.getByRole("link", { name: /^Audits/ }).click();
  await expect(page).toHaveURL(/sort=audits/);
  const first = page.getByTestId("table-auditors").locator("tbody tr td:first-child a").filter({ hasText: /\S/ }).first();
  const name = (await first.textContent())!.trim();
  await first.click();
  await expect(page.getByTestId("auditor-name")).toHaveText(name);
  await expect(page.getByTestId("table-auditor-months")).toBeVisible();
  await expectNoSidewaysScroll(page);
  await snap(page, "analytics-auditor");
  const sharedUrl = page.url();
  const months = await tableRows(page, "table-auditor-months");

  // Another session opens the shared address and sees the same view.
  const other = await browser.newContext({ baseURL, viewport: { width: 1280, height: 720 } });
  const second = await other.newPage();
  await signIn(second, ANALYST);
  await second.goto(sharedUrl);
  await expect(second.getByTestId("auditor-name")).toHaveText(name);
  expect(await tableRows(second, "table-auditor-months")).toEqual(months);
  await other.close();

  // The employee drill-down: find someone, then their results across scorecards, per field.
  await page.goto("/analytics/employees");
  await expect(page.getByText("Find an employee above")).toBeVisible();
  await page.getByLabel("Find an employee by name or email").fill("a");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("list", { name: "Matching employees" }).getByRole("link").first().click();
  await expect(page.getByTestId("employee-name")).toBeVisible();
  await expect(page.getByTestId("table-employee-fields")).toBeVisible();
  await expectNoSidewaysScroll(page);
  await snap(page, "analytics-employee");

  // Phase 4's page shows the index review.
  await page.goto("/phases/4");
  await expect(page.getByTestId("index-evidence")).toBeVisible();
  await snap(page, "analytics-phase-4-index-review");
});
