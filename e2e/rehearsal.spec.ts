import { expect } from "@playwright/test";
import { ADMIN, LEAD, approveWithPreflight, signIn, signOut, snap } from "./helpers";
import { testWithOwnConsole } from "./own-console";

/** On a console of its own: the journey rehearses and runs Phase 1, which must not have run yet. */
const test = testWithOwnConsole(".data/e2e-rehearsal");

test("an admin rehearses Phase 1 on a sample; the lead sees the prediction beside the plan; after the run the page shows predicted against actual", async ({ page }) => {
  test.setTimeout(420_000);
  await signIn(page, ADMIN);
  await page.goto("/phases/1");
  await expect(page.getByTestId("rehearsal")).toHaveCount(0);
  await page.getByRole("button", { name: "Rehearse on a sample" }).click();
  await expect(page.getByText(/^Rehearsed on a 1% sample: expected to take about/)).toBeVisible({ timeout: 180_000 });
  const line = page.getByTestId("rehearsal");
  await expect(line).toContainText(/Rehearsal: expected to take about \d+ (s|min \d\d s) at [\d,]+ audits \(rehearsed \d\d:\d\d, 1% sample\)/);
  await expect(page.getByTestId("rehearsal-outcome")).toHaveCount(0);
  await signOut(page);

  // The lead reads the prediction where the approval is decided.
  await signIn(page, LEAD);
  await page.goto("/phases/1");
  await expect(page.getByTestId("rehearsal")).toContainText("expected to take about");
  await expect(page.getByRole("button", { name: "Rehearse on a sample" })).toHaveCount(0);
  await approveWithPreflight(page, "rehearsed first");
  await snap(page, "rehearsal-prediction");
  await signOut(page);

  await signIn(page, ADMIN);
  await page.goto("/phases/1");
  await page.getByRole("button", { name: "Run phase 1" }).click();
  await expect(page.getByTestId("post-validation-verdict")).toContainText("Post-validation passed", { timeout: 240_000 });
  await page.reload();
  await expect(page.getByTestId("rehearsal-outcome")).toContainText(/Last run: the steps took \d+ (s|min \d\d s); the rehearsal predicted \d+ (s|min \d\d s) \((on the mark|\d+% (under|over))\)/);
  await snap(page, "rehearsal-predicted-vs-actual");
});
