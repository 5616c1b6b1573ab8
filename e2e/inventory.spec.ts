import { expect, test } from "@playwright/test";
import { ANALYST, signIn, snap } from "./helpers";

test("an analyst opens the Source inventory: scorecards, identity counts and anomalies, recountable", async ({ page }) => {
  await signIn(page, ANALYST);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Source" }).click();
  await expect(page.getByRole("heading", { name: "Source", exact: true })).toBeVisible();
  const scorecards = page.getByRole("table", { name: "Scorecards" });
  await expect(scorecards.getByRole("row")).toHaveCount(13);
  await expect(scorecards).toContainText("Escalation Audit");
  await expect(page.getByRole("definition").first()).not.toHaveText("0");
  await snap(page, "inventory");
  const before = await page.getByTestId("computed-at").getAttribute("datetime");
  await page.getByRole("button", { name: "Recount now" }).click();
  await expect(page.getByRole("status")).toContainText("Recounted in");
  await expect(page.getByTestId("computed-at")).not.toHaveAttribute("datetime", before!);
});
