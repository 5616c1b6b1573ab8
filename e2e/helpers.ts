import { expect, type Page } from "@playwright/test";

export const ADMIN = { email: "admin@unify.local", password: "admin-e2e-password", name: "Admin" };
export const LEAD = { email: "lead@unify.local", password: "demo-e2e-password", name: "Team Lead" };
export const ANALYST = { email: "analyst@unify.local", password: "demo-e2e-password", name: "Analyst" };

export async function signIn(page: Page, who: { email: string; password: string; name: string }) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("operator-name")).toHaveText(who.name);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Unify" })).toBeVisible();
}

/** At desktop width neither the page nor a table scrolls sideways; only long SQL scrolls in its box. */
export async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const clippedTables = await page.evaluate(() =>
    [...document.querySelectorAll("table")]
      .filter((t) => t.parentElement && t.parentElement.scrollWidth > t.parentElement.clientWidth + 1)
      .map((t) => t.getAttribute("aria-label")),
  );
  expect(clippedTables).toEqual([]);
}

/** Screenshots go under test-results/screens so a person can look at what users see. */
export async function snap(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

/** An admin on Settings creates an analyst through the form; returns the row of the new operator. */
export async function createAnalyst(page: Page, who: { email: string; name: string; password: string }) {
  await page.goto("/settings");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Name").fill(who.name);
  await page.getByLabel("Initial password").fill(who.password);
  await page.getByRole("checkbox", { name: "Analyst" }).last().check();
  await page.getByRole("button", { name: "Create operator" }).click();
  return page.getByTestId(`operator-${who.email}`);
}

/**
 * On a phase page: runs the pre-flight suite (by `trigger`, a click by default) and waits for the
 * new report, not an earlier one still on screen.
 */
export async function runPreflightReport(page: Page, trigger?: () => Promise<void>) {
  const report = page.getByTestId("preflight-report");
  const link = report.getByRole("link", { name: /^#\d+$/ });
  const before = (await link.count()) > 0 ? await link.innerText() : null;
  await (trigger ? trigger() : report.getByRole("button", { name: /Run pre-flight/ }).click());
  if (before) await expect(link).not.toHaveText(before, { timeout: 120_000 });
  await expect(report).toContainText(/\d+ passed, \d+ warnings, 0 failed/, { timeout: 120_000 });
}

/** On a phase page, as a lead: runs the pre-flight suite, acknowledges its warnings and approves. */
export async function approveWithPreflight(page: Page, comment = "") {
  await runPreflightReport(page);
  const warnings = page.getByRole("group", { name: "Acknowledge the pre-flight warnings to approve" }).getByRole("checkbox");
  for (const box of await warnings.all()) await box.check();
  if (comment) await page.getByLabel("Comment").fill(comment);
  await page.getByRole("button", { name: "Approve plan" }).click();
  await expect(page.getByTestId("approval-state")).toContainText("Approved by");
}

/** An admin runs Phase 1, approved already, and waits for its post-run validation to pass. */
export async function runPhaseOneAsAdmin(page: Page) {
  await signIn(page, ADMIN);
  await page.goto("/phases/1");
  await page.getByRole("button", { name: "Run phase 1" }).click();
  await expect(page.getByTestId("post-validation-verdict")).toContainText("Post-validation passed", { timeout: 180_000 });
}

/** Phase 1 succeeded, whatever ran before: approves and runs it when it has not. */
export async function ensurePhaseOneSucceeded(page: Page) {
  await signIn(page, ADMIN);
  await page.goto("/phases/1");
  const verdict = page.getByTestId("post-validation-verdict");
  const done = (await verdict.count()) > 0 && (await verdict.textContent())?.includes("Post-validation passed");
  if (!done) {
    await signOut(page);
    await signIn(page, LEAD);
    await page.goto("/phases/1");
    if (!(await page.getByTestId("approval-state").textContent())?.includes("Approved by")) await approveWithPreflight(page);
    await signOut(page);
    await runPhaseOneAsAdmin(page);
  }
  await signOut(page);
}

/** An admin on Phase 1 runs the merge step again, alone, to apply the leads' decisions, and waits for it. */
export async function rerunMergeStepAsAdmin(page: Page) {
  await signIn(page, ADMIN);
  await page.goto("/phases/1");
  await page.getByRole("button", { name: "Run step merge-identities" }).click();
  await expect(page.getByText(/step merge-identities only/)).toBeVisible();
  await expect(page.getByTestId("step-merge-identities")).toContainText("succeeded", { timeout: 120_000 });
}
