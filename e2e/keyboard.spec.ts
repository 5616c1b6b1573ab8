import { expect, test, type Locator, type Page } from "@playwright/test";
import { ADMIN, LEAD, runPreflightReport } from "./helpers";

/** The focused element shows it: the browser's :focus-visible with an outline or a ring. */
async function expectFocusVisible(target: Locator) {
  const shown = await target.evaluate((el) => {
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return el.matches(":focus-visible") && (outline || style.boxShadow !== "none");
  });
  expect(shown, "focus is visible").toBe(true);
}

/** Presses Tab (Shift+Tab with `back`) until `target` has the focus (it may have it already), and checks that the focus shows. */
async function tabTo(page: Page, target: Locator, max = 100, back = false) {
  await expect(target).toBeVisible();
  for (let i = 0; i <= max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) {
      await expectFocusVisible(target);
      return;
    }
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  throw new Error(`Tab did not reach ${target.toString()} in ${max} presses`);
}

async function signInByKeyboard(page: Page, who: { email: string; password: string; name: string }, password = who.password) {
  await page.goto("/login");
  await tabTo(page, page.getByLabel("Email"));
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type(who.email);
  await tabTo(page, page.getByLabel("Password"));
  await page.keyboard.type(password);
  await page.keyboard.press("Enter");
}

async function signOutByKeyboard(page: Page) {
  await tabTo(page, page.getByRole("button", { name: "Sign out" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Sign in to Unify" })).toBeVisible();
}

test("keyboard only: a lead approves Phase 1 and an admin runs it, the focus always visible and errors announced", async ({ page }) => {
  test.setTimeout(300_000);

  // A wrong password is announced, and the email stays typed.
  await signInByKeyboard(page, ADMIN, "not the password");
  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect" })).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue(ADMIN.email);
  await signInByKeyboard(page, ADMIN);
  await expect(page.getByTestId("operator-name")).toHaveText(ADMIN.name);
  // Where an earlier journey left Phase 1 run, the admin rolls it back first, by keyboard too, so a lead has a plan to decide on.
  await page.goto("/phases/1");
  const rollBack = page.getByRole("button", { name: "Roll back…" });
  if ((await rollBack.count()) > 0) {
    await tabTo(page, rollBack);
    await page.keyboard.press("Enter");
    await tabTo(page, page.getByRole("button", { name: "Roll back phase 1" }));
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("post-validation-verdict")).toContainText("Nothing to validate", { timeout: 120_000 });
  }
  await signOutByKeyboard(page);
  await signInByKeyboard(page, LEAD);
  await expect(page.getByTestId("operator-name")).toHaveText(LEAD.name);

  // The first Tab offers to skip the sidebar.
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expectFocusVisible(skip);
  await page.keyboard.press("Enter");
  await expect(page.locator("main")).toBeFocused();

  await tabTo(page, page.getByRole("region", { name: "Next action" }).getByRole("link", { name: "Review the plan" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Phase 1 · Foundation" })).toBeVisible();

  // The lead opens a step's SQL, runs the pre-flight report and acknowledges its warnings, with Space.
  await tabTo(page, page.getByRole("button", { name: "Expand all SQL" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("sql-employees-table").locator("pre").first()).toBeVisible();
  // Read, the SQL folds away again from the same place, so the way on is not every statement's Copy button.
  await tabTo(page, page.getByRole("button", { name: "Collapse all SQL" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("sql-employees-table").locator("pre").first()).toBeHidden();
  await runPreflightReport(page, async () => {
    await tabTo(page, page.getByTestId("preflight-report").getByRole("button", { name: /Run pre-flight/ }));
    await page.keyboard.press("Space");
  });
  const warnings = page.getByRole("group", { name: "Acknowledge the pre-flight warnings to approve" }).getByRole("checkbox");
  for (const box of await warnings.all()) {
    await tabTo(page, box);
    await page.keyboard.press("Space");
    await expect(box).toBeChecked();
  }

  // Rejecting without a comment is refused; the reason is announced and what was ticked stays.
  await tabTo(page, page.getByRole("button", { name: "Reject plan" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert").filter({ hasText: "a comment is required" })).toBeVisible();
  for (const box of await warnings.all()) await expect(box).toBeChecked();

  await tabTo(page, page.getByLabel("Comment"), 20, true);
  await page.keyboard.type("Read the SQL and the pre-flight report by keyboard");
  await tabTo(page, page.getByRole("button", { name: "Approve plan" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("approval-state")).toContainText(`Approved by ${LEAD.email}`);
  await signOutByKeyboard(page);

  // The admin goes from the Overview's next action to the phase and runs it.
  await signInByKeyboard(page, ADMIN);
  await expect(page.getByTestId("operator-name")).toHaveText(ADMIN.name);
  await tabTo(page, page.getByRole("region", { name: "Next action" }).getByRole("link", { name: "Run phase 1" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Phase 1 · Foundation" })).toBeVisible();
  await tabTo(page, page.getByRole("button", { name: "Run phase 1" }));
  await page.keyboard.press("Enter");
  await expect(page.getByText(`requested by ${ADMIN.email}`)).toBeVisible();
  await expect(page.getByTestId("run-percent")).toHaveText("100%", { timeout: 180_000 });
  await expect(page.getByTestId("post-validation-verdict")).toContainText("Post-validation passed", { timeout: 180_000 });
  await signOutByKeyboard(page);
});
