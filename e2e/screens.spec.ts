import { expect, test, type Page } from "@playwright/test";
import { ADMIN, LEAD, ensurePhaseOneSucceeded, signIn, signOut } from "./helpers";

const VIEWPORTS = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
] as const;

/**
 * Every page at both sizes, into test-results/screens/<name>-<width>x<height>.png, for a person to
 * look at. With `tablesFit`, no table is cut off inside its scroll box either.
 */
async function shoot(page: Page, name: string, { tablesFit = true } = {}) {
  for (const size of VIEWPORTS) {
    await page.setViewportSize(size);
    await page.waitForLoadState("networkidle");
    // Nothing sideways: the page itself never scrolls horizontally at these widths.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect.soft(overflow, `${name} at ${size.width}px scrolls sideways`).toBeLessThanOrEqual(0);
    if (tablesFit) {
      const clipped = await page.evaluate(() =>
        [...document.querySelectorAll("table")]
          .filter((t) => t.parentElement && t.parentElement.scrollWidth > t.parentElement.clientWidth + 1)
          .map((t) => t.getAttribute("aria-label")),
      );
      expect.soft(clipped, `${name} at ${size.width}px cuts off tables`).toEqual([]);
    }
    await page.screenshot({ path: `test-results/screens/${name}-${size.width}x${size.height}.png`, fullPage: true });
  }
}

test("screenshots of every page at 1280×720 and 1440×900", async ({ page }) => {
  test.setTimeout(420_000);
  await page.goto("/login");
  await shoot(page, "login");

  // Before Phase 1: a lead reads the plan with one step's SQL open.
  await signIn(page, LEAD);
  await shoot(page, "overview-lead");
  await page.goto("/phases/1");
  await page.getByTestId("sql-merge-identities").getByText("SQL of merge-identities").click();
  await shoot(page, "phase-1-lead");
  await signOut(page);

  await ensurePhaseOneSucceeded(page);

  // A lead overrides a merge choice: the admin then has pending work.
  await signIn(page, LEAD);
  await page.goto("/conflicts?field=full_name");
  const table = page.getByRole("table", { name: "Merge conflicts" });
  const email = (await table.getByRole("row").nth(1).getByRole("cell").first().innerText()).trim();
  await table.getByRole("row").filter({ hasText: email }).first().getByRole("button", { name: "Override" }).click();
  const form = page.getByRole("form", { name: `Override full_name of ${email}` });
  await form.getByRole("radio", { name: "Another value" }).check();
  await form.getByRole("textbox", { name: "Typed value" }).fill("Name Chosen By Lead");
  await form.getByLabel("Why").fill("confirmed with HR");
  await form.getByRole("button", { name: "Save override" }).click();
  await expect(form.getByRole("status")).toContainText("Override saved");
  await shoot(page, "conflicts-lead");
  await signOut(page);

  await signIn(page, ADMIN);
  await expect(page.getByTestId("pending-overrides")).toContainText("1 override by leads waits");
  await shoot(page, "overview-admin");
  const pages: [string, string][] = [
    ["/phases", "phases"],
    ["/phases/1", "phase-1-admin"],
    ["/phases/2", "phase-2"],

    ["/validation", "validation"],
    ["/activity", "activity"],
    ["/settings", "settings"],
    ["/inventory", "inventory"],
    ["/analytics", "analytics"],
    ["/flags", "flags"],
    ["/no-such-page", "not-found"],
  ];
  for (const [path, name] of pages) {
    await page.goto(path);
    await shoot(page, name);
  }
  await page.goto("/conflicts");
  await shoot(page, "conflicts-admin");
  await page.goto("/validation");
  await page.getByRole("table").getByRole("link", { name: /^#\d+$/ }).first().click();
  await expect(page).toHaveURL(/\/validation\/\d+$/);
  await shoot(page, "validation-report");
  await page.goto("/activity");
  await page.getByRole("button", { name: /^Details of / }).first().click();
  await shoot(page, "activity-details");

  // After a rollback the page shows no post-validation as the phase's: the rolled-back run's checks are folded as that run's.
  await page.goto("/phases/1");
  await page.getByRole("button", { name: "Roll back…" }).click();
  await page.getByRole("button", { name: "Roll back phase 1" }).click();
  await expect(page.getByTestId("post-validation-verdict")).toContainText("Nothing to validate: the phase was rolled back", { timeout: 120_000 });
  await expect(page.getByTestId("post-validation-verdict")).not.toContainText("passed");
  await shoot(page, "phase-1-rolled-back");
  await page.goto("/");
  await expect(page.getByTestId("pipeline-phase-1")).toContainText("Rolled back: the checks of run");
  await expect(page.getByTestId("pipeline-phase-1")).not.toContainText("Passed");

  // The dark theme of the busiest pages.
  await page.emulateMedia({ colorScheme: "dark" });
  for (const [path, name] of [["/", "overview-dark"], ["/phases/1", "phase-1-dark"], ["/activity", "activity-dark"]] as const) {
    await page.goto(path);
    await shoot(page, name);
  }
});
