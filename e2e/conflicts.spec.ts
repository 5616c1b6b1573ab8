import { expect, type Page } from "@playwright/test";
import { LEAD, approveWithPreflight, expectNoSidewaysScroll, rerunMergeStepAsAdmin, runPhaseOneAsAdmin, signIn, signOut, snap } from "./helpers";
import { testWithOwnConsole } from "./own-console";

/**
 * The conflicts workbench on a console of its own: this journey runs Phase 1, and the journeys in
 * phases.spec.ts begin from a phase nobody has approved, so sharing their server would make the
 * outcome depend on the order the files run in. Same build, same demo data, its own database.
 */
const DATA_DIR = ".data/e2e-conflicts";

const test = testWithOwnConsole(DATA_DIR);

const summary = (page: Page) => page.getByRole("table", { name: "Conflicts by field and rule" });
const summaryRow = (page: Page, rule: string) => summary(page).getByRole("row").filter({ hasText: rule });

test("a lead decides full name for everyone and sees the summary change once the merge step re-runs", async ({ page }) => {
  test.setTimeout(300_000);
  // Phase 1 approved by the lead and run by the admin, as in phases.spec.ts.
  await signIn(page, LEAD);
  await page.goto("/phases/1");
  await approveWithPreflight(page);
  await signOut(page);
  await runPhaseOneAsAdmin(page);
  await signOut(page);

  // The lead reads the summary: the directory's names win by rule, no decision yet.
  await signIn(page, LEAD);
  await page.goto("/conflicts");
  const byRule = summaryRow(page, "people wins directory fields");
  await expect(byRule).toContainText("none: the rule decides");
  const count = (await byRule.getByRole("cell").nth(2).innerText()).trim();
  expect(Number(count.replace(/,/g, ""))).toBeGreaterThan(0);

  await byRule.getByRole("button", { name: "Decide full_name for everyone" }).click();
  const form = page.getByRole("form", { name: "Rule-wide decision on full_name" });
  await form.getByRole("radio", { name: "Prefer users (logins)" }).check();
  await form.getByLabel("Why").fill("HR: logins carry the names people chose");
  await form.getByRole("button", { name: "Save decision" }).click();
  await expect(form.getByRole("status")).toContainText("Decided: users win full_name");
  await expect(byRule).toContainText("users win");
  await expect(byRule).toContainText("pending");
  await expect(byRule).toContainText(`by ${LEAD.email}`);
  await expect(page.getByText("1 rule-wide decision waits for the next run of the merge step")).toBeVisible();
  await expectNoSidewaysScroll(page);
  await snap(page, "conflicts-rule-decision-pending");
  await signOut(page);

  // The admin applies it by running the merge step again.
  await rerunMergeStepAsAdmin(page);
  await signOut(page);

  // The same conflicts, now settled by the lead's rule: users' names are the chosen values.
  await signIn(page, LEAD);
  await page.goto("/conflicts");
  const byLead = summaryRow(page, "a lead decided: users win full_name");
  await expect(byLead.getByRole("cell").nth(2)).toHaveText(count);
  await expect(byLead).toContainText("applied");
  await expect(summaryRow(page, "people wins directory fields")).toHaveCount(0);
  await expect(page.getByText(/rule-wide decision waits/)).toHaveCount(0);
  await expectNoSidewaysScroll(page);
  await snap(page, "conflicts-rule-decision-applied");

  await byLead.getByRole("link", { name: "Full name" }).click();
  await expect(page).toHaveURL(/field=full_name/);
  const first = page.getByRole("table", { name: "Merge conflicts" }).getByRole("row").filter({ hasText: "a lead decided: users win full_name" }).first();
  await expect(first).toContainText(/users#\d+/);
  await expect(first.getByRole("cell").nth(2)).toContainText(/users#\d+/);

  // Withdrawn, the rule comes back on the next run; until then the summary says so.
  await page.goto("/conflicts");
  await byLead.getByRole("button", { name: "Change full_name for everyone" }).click();
  await form.getByRole("button", { name: "Withdraw decision" }).click();
  await expect(form.getByRole("status")).toContainText("Decision withdrawn");
  await expect(byLead).toContainText("withdrawn");
  await expect(page.getByText("1 rule-wide decision waits for the next run of the merge step")).toBeVisible();
});
