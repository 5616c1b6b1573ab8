import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, ANALYST, LEAD, ensurePhaseOneSucceeded, runPreflightReport, signIn, signOut } from "./helpers";

/** WCAG 2.1 A and AA, every rule axe has for them; a page passes with no serious or critical violation. */
async function expectAccessible(page: Page, name: string) {
  await page.waitForLoadState("networkidle");
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const blocking = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary}`) }));
  expect.soft(blocking, `${name}: ${JSON.stringify(blocking, null, 2)}`).toEqual([]);
}

const CONSOLE_PAGES = ["/", "/phases", "/phases/1", "/phases/2", "/phases/3", "/phases/4", "/phases/5", "/conflicts", "/validation", "/activity", "/inventory", "/analytics", "/flags", "/no-such-page"];

for (const colorScheme of ["light", "dark"] as const) {
  test(`every page passes the axe check in the ${colorScheme} theme`, async ({ page }) => {
    test.setTimeout(300_000);
    await page.emulateMedia({ colorScheme });

    await page.goto("/login");
    await expectAccessible(page, "login");
    // A refused sign-in shows its error: checked with the error on screen.
    await page.getByLabel("Email").fill(LEAD.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect" })).toBeVisible();
    await expectAccessible(page, "login with an error");

    // A lead runs a pre-flight report, so the validation pages have one to show.
    await signIn(page, LEAD);
    await page.goto("/phases/1");
    await runPreflightReport(page);
    await expectAccessible(page, "phase 1 as a lead");
    await signOut(page);

    await signIn(page, ADMIN);
    for (const path of CONSOLE_PAGES) {
      await page.goto(path);
      await expectAccessible(page, path);
    }
    // The SQL opened, highlighted; an activity entry expanded.
    await page.goto("/phases/1");
    await page.getByRole("button", { name: "Expand all SQL" }).click();
    await expect(page.getByTestId("sql-employees-table").locator("pre").first()).toBeVisible();
    await expectAccessible(page, "phase 1 with its SQL open");
    await page.goto("/validation");
    await page.getByRole("table").getByRole("link", { name: /^#\d+$/ }).first().click();
    await expect(page).toHaveURL(/\/validation\/\d+$/);
    await expectAccessible(page, "a validation report");
    await page.goto("/activity");
    await page.getByRole("button", { name: /^Details of / }).first().click();
    await expectAccessible(page, "activity with an entry open");
    await page.goto("/settings");
    await expectAccessible(page, "settings");
    await signOut(page);

    // What an analyst sees, the forbidden page included.
    await signIn(page, ANALYST);
    for (const path of ["/", "/phases/1", "/settings"]) {
      await page.goto(path);
      await expectAccessible(page, `${path} as an analyst`);
    }
  });
}

test("after Phase 1 ran, its pages with their results, conflicts and pending work pass the axe check in both themes", async ({ page }) => {
  test.setTimeout(300_000);
  await ensurePhaseOneSucceeded(page);
  await signIn(page, ADMIN);
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    for (const path of ["/", "/phases/1", "/conflicts", "/conflicts?field=full_name", "/activity", "/inventory"]) {
      await page.goto(path);
      await expectAccessible(page, `${path} after Phase 1 (${colorScheme})`);
    }
  }
  // Rolled back: the phase page folds the run's checks as that run's.
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/phases/1");
  await page.getByRole("button", { name: "Roll back…" }).click();
  await page.getByRole("button", { name: "Roll back phase 1" }).click();
  await expect(page.getByTestId("post-validation-verdict")).toContainText("Nothing to validate", { timeout: 120_000 });
  await page.getByText(/^Checks of run #\d+, rolled back/).click();
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await expectAccessible(page, `/phases/1 rolled back (${colorScheme})`);
  }
});
