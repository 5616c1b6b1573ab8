import { expect } from "@playwright/test";
import { ADMIN, LEAD, approveWithPreflight, signIn, signOut, snap } from "./helpers";
import { copyIdentityRowsSql } from "@/lib/legacy/testing/fixtures";
import { ownConsoleCli, testWithOwnConsole } from "./own-console";

/**
 * An approval records the row estimates it was given. On a console of its own, a lead approves
 * Phase 1, then the legacy application's identity tables grow threefold: the approval is stale,
 * the admin cannot run the phase, the lead sees approved vs current estimates and approves again.
 */
const DATA_DIR = ".data/e2e-stale-approval";
const { tsx, unify } = ownConsoleCli(DATA_DIR);

// Two copies of every users and people row, with new ids and new emails: three times the rows.
const GROW_THREEFOLD = copyIdentityRowsSql(2);

const test = testWithOwnConsole(DATA_DIR);

test("an approval goes stale after the legacy data grows threefold: the run is not offered until a lead approves again", async ({ page }) => {
  test.setTimeout(600_000);

  await signIn(page, LEAD);
  await page.goto("/phases/1");
  await approveWithPreflight(page, "approved at demo size");
  await expect(page.getByTestId("approval-state")).not.toContainText("stale");
  await signOut(page);

  await tsx(["e2e/legacy-sql.ts", GROW_THREEFOLD]);

  // The admin finds no Run button, and the reason.
  // Pages refresh a plan's row estimates at most every 30 s (lib/plan/plan-cache.ts): within that, the admin sees it.
  await signIn(page, ADMIN);
  const state = page.getByTestId("approval-state");
  await expect(async () => {
    await page.goto("/phases/1");
    await expect(state).toContainText("but stale: the legacy data changed size since. A lead must approve again.", { timeout: 1_000 });
  }).toPass({ timeout: 60_000, intervals: [5_000] });
  await expect(state).toContainText(`Approved by ${LEAD.email}`);
  await expect(page.getByRole("button", { name: "Run phase 1" })).toHaveCount(0);
  await snap(page, "phase-1-stale-approval-admin");
  // The CLI refuses the run too, for the same reason.
  const refused = await unify(["run", "1", "--as", ADMIN.email], ADMIN.password).then(
    () => "",
    (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ""}${error.stderr ?? ""}`,
  );
  expect(refused).toMatch(/The legacy data changed size since phase 1 was approved .*: a lead must approve the plan again/);
  await signOut(page);

  // The lead sees approved vs current estimates: the identity step has about three times its rows.
  await signIn(page, LEAD);
  await expect(page.getByRole("region", { name: "Next action" })).toContainText("The legacy data changed size since phase 1 was approved");
  await page.goto("/phases/1");
  const estimates = page.getByRole("table", { name: "Approved and current row estimates" });
  const merge = estimates.getByRole("row").filter({ hasText: "merge-identities" });
  await expect(merge).toBeVisible();
  const [approved, now] = (await merge.getByRole("cell").allInnerTexts()).slice(1).map((text) => Number(text.replace(/[^\d]/g, "")));
  // Tables this small are counted exactly: users and people grew exactly threefold.
  expect(now).toBe(3 * approved);
  await snap(page, "phase-1-stale-approval-lead");
  // Approving again (with a fresh pre-flight of the grown data) clears it.
  await approveWithPreflight(page, "three times bigger, reviewed");
  await expect(state).not.toContainText("stale");
  await expect(state).toContainText("three times bigger, reviewed");
  await expect(estimates).toHaveCount(0);
  await signOut(page);

  await signIn(page, ADMIN);
  await page.goto("/phases/1");
  await expect(page.getByRole("button", { name: "Run phase 1" })).toBeVisible();
});
