import { expect, test } from "@playwright/test";
import { ANALYST, LEAD, signIn, signOut, snap } from "./helpers";

test("a lead runs Phase 1's pre-flight suite and reads its report; an analyst reads reports but cannot run one", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, LEAD);
  await page.goto("/validation");
  await page.getByLabel("Phase", { exact: true }).selectOption("1");
  await page.getByLabel("Suite", { exact: true }).selectOption("preflight");
  await page.getByRole("button", { name: "Run validation" }).click();
  await expect(page).toHaveURL(/\/validation\/\d+$/);
  await expect(page.getByRole("heading", { name: /Validation #\d+ · Phase 1 pre-flight/ })).toBeVisible();
  // The worker runs it; the page follows until the verdict is in.
  await expect(page.getByTestId("validation-summary")).not.toContainText("still running", { timeout: 120_000 });
  await expect(page.getByTestId("check-quality:identities")).toContainText("duplicate emails in users");
  await expect(page.getByRole("table", { name: "Samples: duplicate emails in users" })).toBeVisible();
  await snap(page, "validation-report-preflight");
  await page.goto("/validation?phase=1");
  await expect(page.getByRole("table", { name: "Validation reports" })).toContainText("pre-flight");
  await snap(page, "validation-list");
  await signOut(page);

  await signIn(page, ANALYST);
  await page.goto("/validation");
  await expect(page.getByRole("table", { name: "Validation reports" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Run validation" })).toHaveCount(0);
});
