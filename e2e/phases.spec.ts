import { expect, test, type Page } from "@playwright/test";
import { ADMIN, ANALYST, LEAD, approveWithPreflight, ensurePhaseOneSucceeded, expectNoSidewaysScroll, rerunMergeStepAsAdmin, signIn, signOut, snap } from "./helpers";

const nextAction = (page: Page) => page.getByRole("region", { name: "Next action" });

test("a lead approves Phase 1, an admin runs it to the end, an analyst follows without a Run button", async ({ page }) => {
  test.setTimeout(300_000);

  // The lead reads the plan's SQL and pre-flight checks, then approves that exact plan.
  await signIn(page, LEAD);
  await expect(nextAction(page)).toContainText("Review and approve phase 1");
  await snap(page, "overview-lead-before");
  await nextAction(page).getByRole("link", { name: "Review the plan" }).click();
  await expect(page.getByRole("heading", { name: "Phase 1 · Foundation" })).toBeVisible();
  const sql = page.getByTestId("sql-employees-table");
  await sql.getByText("SQL of employees-table").click();
  await expect(sql.locator("pre").first()).toContainText("CREATE TABLE IF NOT EXISTS");
  await expect(page.getByRole("list", { name: "Pre-flight checks" }).getByRole("listitem").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Run phase 1" })).toHaveCount(0);
  // No approval without a pre-flight report of this plan: the lead runs it, reads it and acknowledges its warnings.
  await expect(page.getByTestId("preflight-report")).toContainText("No pre-flight report for this plan yet");
  await expect(page.getByRole("button", { name: "Approve plan" })).toHaveCount(0);
  await approveWithPreflight(page, "SQL and pre-flight checks reviewed");
  await expect(page.getByTestId("approval-state")).toContainText(`Approved by ${LEAD.email}`);
  await expect(page.getByRole("table", { name: "Approval history" })).toContainText("SQL and pre-flight checks reviewed");
  // Decided once: the form gives way to the decision, which the lead may still withdraw.
  await expect(page.getByRole("button", { name: "Approve plan" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Withdraw approval" })).toBeVisible();
  await expectNoSidewaysScroll(page);
  await snap(page, "phase-1-approved-by-lead");
  await signOut(page);

  // The admin dry-runs, runs, and watches the run finish with its post-validation passed.
  await signIn(page, ADMIN);
  await expect(nextAction(page)).toContainText("Run phase 1");
  await page.goto("/phases/1");
  await page.getByRole("button", { name: "Dry run" }).click();
  await expect(page.getByRole("region", { name: "Dry run" })).toContainText("Nothing was changed");
  await page.getByRole("button", { name: "Run phase 1" }).click();
  await expect(page.getByText(`requested by ${ADMIN.email}`)).toBeVisible();
  // Watched from the top of the page: one bar for the whole phase, in rows, reaching 100%.
  await expect(page.getByRole("region", { name: "Run progress" })).toBeVisible();
  await expect(page.getByTestId("run-percent")).toHaveText("100%", { timeout: 180_000 });
  await expect(page.getByTestId("step-compat-views")).toContainText("succeeded", { timeout: 180_000 });
  await expect(page.getByTestId("post-validation-verdict")).toContainText("Post-validation passed");
  await expect(page.getByRole("main").getByText("succeeded").first()).toBeVisible();
  await expect(page.getByRole("log", { name: "Run log" })).toContainText("post-validation passed");
  await expect(page.getByRole("button", { name: "Run phase 1" })).toHaveCount(0);
  // From its third step on, Phase 1 keeps employees current while the legacy application writes users and people.
  await expect(page.getByTestId("sync-status")).toContainText("Live sync is on for 2 of 2 legacy tables");
  await expectNoSidewaysScroll(page);
  await snap(page, "phase-1-succeeded-admin");
  await page.goto("/");
  await expect(page.getByTestId("pipeline-phase-1")).toContainText("succeeded");
  await expect(page.getByTestId("pipeline-phase-1")).toContainText("Passed");
  await snap(page, "overview-admin-after-phase-1");
  await signOut(page);

  // The analyst sees the outcome, and no button that acts.
  await signIn(page, ANALYST);
  await page.goto("/phases/1");
  await expect(page.getByRole("heading", { name: "Phase 1 · Foundation" })).toBeVisible();
  await expect(page.getByTestId("post-validation-verdict")).toContainText("Post-validation passed");
  for (const name of ["Run phase 1", "Dry run", "Rehearse on a sample", "Approve plan", "Reject plan", "Run step", "Roll back…", "Pause", "Cancel run"]) {
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
  }
  await expectNoSidewaysScroll(page);
  await snap(page, "phase-1-analyst");
  await page.goto("/conflicts");
  await expect(page.getByRole("table", { name: "Merge conflicts" }).getByRole("row").nth(1)).toBeVisible();
  await expect(page.getByRole("button", { name: "Override" })).toHaveCount(0);
  await expectNoSidewaysScroll(page);
  await snap(page, "conflicts-analyst");
});

test("a lead overrides a merge choice and an admin applies it by running the merge step", async ({ page }) => {
  test.setTimeout(300_000);
  await ensurePhaseOneSucceeded(page);

  await signIn(page, LEAD);
  await page.goto("/conflicts?field=full_name");
  const table = page.getByRole("table", { name: "Merge conflicts" });
  const email = (await table.getByRole("row").nth(1).getByRole("cell").first().innerText()).trim();
  const row = table.getByRole("row").filter({ hasText: email }).first();
  await row.getByRole("button", { name: "Override" }).click();
  const form = page.getByRole("form", { name: `Override full_name of ${email}` });
  await form.getByRole("radio", { name: "Another value" }).check();
  await form.getByRole("textbox", { name: "Typed value" }).fill("Name Chosen By Lead");
  await form.getByLabel("Why").fill("confirmed with HR");
  await form.getByRole("button", { name: "Save override" }).click();
  await expect(form.getByRole("status")).toContainText("Override saved");
  await expect(row).toContainText("Name Chosen By Lead");
  await expect(row).toContainText("pending");
  await expect(form.getByRole("radio", { name: "Another value" })).toBeChecked();
  await expect(form.getByRole("textbox", { name: "Typed value" })).toHaveValue("Name Chosen By Lead");
  await expect(page.getByText(/override waits for the next run of the merge step/)).toBeVisible();
  await expectNoSidewaysScroll(page);
  await snap(page, "conflicts-lead-override");
  await signOut(page);

  await rerunMergeStepAsAdmin(page);
  await page.goto(`/conflicts?field=full_name&q=${encodeURIComponent(email)}`);
  await expect(page.getByRole("table", { name: "Merge conflicts" }).getByRole("row").nth(1)).toContainText("applied");
  await snap(page, "conflicts-override-applied");
  await signOut(page);

  // The lead changes their mind: the override goes, the rule decides again on the next merge run.
  await signIn(page, LEAD);
  await page.goto(`/conflicts?field=full_name&q=${encodeURIComponent(email)}`);
  const again = page.getByRole("table", { name: "Merge conflicts" }).getByRole("row").nth(1);
  await again.getByRole("button", { name: "Override" }).click();
  const reopened = page.getByRole("form", { name: `Override full_name of ${email}` });
  await reopened.getByRole("button", { name: "Withdraw override" }).click();
  await expect(reopened.getByRole("status")).toContainText("Override withdrawn");
  await expect(again).not.toContainText("Name Chosen By Lead");
});

test("run progress is for signed-in operators only, and an unknown run is a 404", async ({ page }) => {
  const anonymous = await page.request.get("/api/runs/1");
  expect(anonymous.status()).toBe(401);
  expect(await anonymous.json()).toEqual({ error: "Sign in to read run progress" });
  await signIn(page, ANALYST);
  const unknown = await page.request.get("/api/runs/999999");
  expect(unknown.status()).toBe(404);
  expect((await page.request.get("/api/runs/not-a-number")).status()).toBe(404);
});

test("Phase 5 is planned with its options shown read-only to an admin; an unknown phase is 404", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/phases/5");
  await expect(page.getByRole("heading", { name: "Plan options" })).toBeVisible();
  await expect(page.getByText("A team lead sets these before approving the plan.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Save the plan options" })).toHaveCount(0);
  const missing = await page.goto("/phases/9");
  expect(missing?.status()).toBe(404);
  await page.goto("/phases");
  await expect(page.getByTestId("phase-row-5")).not.toContainText("not yet planned");
  await snap(page, "phases-list");
});

test("a lead approves Phase 2, an admin runs it and watches every audit table load, the phase goes green, then rolls it back", async ({ page }) => {
  test.setTimeout(420_000);
  await ensurePhaseOneSucceeded(page);

  await signIn(page, LEAD);
  await page.goto("/phases/2");
  await expect(page.getByRole("heading", { name: "Phase 2 · Audit unification" })).toBeVisible();
  const sql = page.getByTestId("sql-load-audits");
  await sql.getByText("SQL of load-audits").click();
  // Each unit's two statements: where a batch ends, and the batch itself.
  await expect(sql.locator("pre").filter({ hasText: "INSERT INTO" }).first()).toContainText('"unified".audits');
  await approveWithPreflight(page, "one audits table: SQL and pre-flight reviewed");
  await snap(page, "phase-2-approved-by-lead");
  await signOut(page);

  await signIn(page, ADMIN);
  await page.goto("/phases/2");
  await page.getByRole("button", { name: "Run phase 2" }).click();
  await expect(page.getByText(`requested by ${ADMIN.email}`)).toBeVisible();
  // One progress row per audit table, with its rows and rate, while the units load side by side.
  const units = page.getByTestId("units-load-audits");
  await expect(units).toContainText("12 units", { timeout: 120_000 });
  await expect(units).toContainText("Escalation Audit");
  await expect(page.getByTestId("run-percent")).toHaveText("100%", { timeout: 240_000 });
  await expect(units).toContainText("12 units, 12 done");
  // Each unit's row names the worker that claimed it (host:pid of the server's worker here).
  await expect(units.getByTestId("unit-worker")).toHaveCount(12);
  await expect(units.getByTestId("unit-worker").first()).toHaveText(/^on \S+:\d+$/);
  await expect(page.getByTestId("step-audit-compat-views")).toContainText("succeeded", { timeout: 240_000 });
  await expect(page.getByTestId("post-validation-verdict")).toContainText("Post-validation passed", { timeout: 240_000 });
  // The legacy tables keep being written to: live sync is on for every audit table.
  await page.reload();
  await expect(page.getByTestId("sync-status")).toContainText("Live sync is on for 12 of 12 legacy tables");
  await expectNoSidewaysScroll(page);
  await snap(page, "phase-2-succeeded-admin");
  await page.goto("/");
  await expect(page.getByTestId("pipeline-phase-2")).toContainText("succeeded");
  await snap(page, "overview-admin-after-phase-2");

  // Undone with a button: the audits, their indexes and the compatibility views go, the legacy tables stay.
  await page.goto("/phases/2");
  await page.getByRole("button", { name: "Roll back…" }).click();
  await page.getByRole("button", { name: "Roll back phase 2" }).click();
  await expect(page.getByRole("main").getByText("rolled back").first()).toBeVisible({ timeout: 120_000 });
  // A rollback counts the steps it undid, not rows, and each step reads as its undoing.
  const steps = await page.getByRole("table", { name: "Steps" }).locator("tbody > tr[data-testid^='step-']").count();
  await expect(page.getByTestId("run-counted")).toHaveText(`${steps} of ${steps} steps undone`, { timeout: 60_000 });
  await expect(page.getByTestId("run-banner")).not.toContainText("rows");
  await expect(page.getByTestId("step-audit-compat-views")).toContainText("Undo: ");
  await expect(page.getByRole("log", { name: "Run log" })).toContainText("Undo: ");
  await snap(page, "phase-2-rolled-back-admin");
  await page.goto("/");
  await expect(nextAction(page)).toContainText("Phase 2 was rolled back: a lead must approve its plan again before it can run again.");
  await signOut(page);

  // The lead is told why the approval went: the rollback, not a changed plan.
  await signIn(page, LEAD);
  await expect(nextAction(page)).toContainText("Phase 2 was rolled back, and an approval is for one run");
  await expect(nextAction(page)).not.toContainText("changed");
  await expect(page.getByTestId("pipeline-phase-2")).toContainText("Rolled back: a lead must approve again");
  await page.goto("/phases/2");
  await expect(page.getByTestId("approval-state")).toContainText("Phase 2 was rolled back, and an approval is for one run");
  await signOut(page);
});
