import { expect, test } from "@playwright/test";
import { ADMIN, signIn } from "./helpers";

const PROBE = "nobody-forwarded@unify.local";

test("a forged X-Forwarded-For is ignored: the sign-in limit per client and the log's From use the socket address", async ({ page }) => {
  for (let i = 1; i <= 5; i++) {
    // Each attempt claims another address; without a trusted proxy they are all this one client.
    await page.context().setExtraHTTPHeaders({ "X-Forwarded-For": `6.6.6.${i}`, "X-Unify-Client-Address": `7.7.7.${i}` });
    await page.goto("/login");
    await page.getByLabel("Email").fill(PROBE);
    await page.getByLabel("Password").fill(`guess number ${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("form").getByRole("alert")).toHaveText("Email or password is incorrect");
  }
  await page.context().setExtraHTTPHeaders({ "X-Forwarded-For": "6.6.6.99" });
  await page.getByLabel("Password").fill("one more guess");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toContainText("Too many failed sign-in attempts");

  await page.context().setExtraHTTPHeaders({});
  await signIn(page, ADMIN);
  await page.goto(`/activity?kind=auth.&outcome=failed`);
  // The entries' own rows (their details rows, once open, name the account too).
  const rows = page.locator('tr[data-testid^="activity-"]').filter({ hasText: PROBE });
  await expect(rows).toHaveCount(5);
  // Where a request came from is in each entry's details.
  for (const row of await rows.all()) await row.getByRole("button", { name: /^Details of / }).click();
  const details = page.locator('tr[id$="-details"]');
  await expect(details).toHaveCount(5);
  for (const entry of await details.all()) await expect(entry.locator("dd").last()).toHaveText("127.0.0.1");
  await expect(page.getByRole("table")).not.toContainText("6.6.6.");
  await expect(page.getByRole("table")).not.toContainText("7.7.7.");
});
