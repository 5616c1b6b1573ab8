import { expect } from "@playwright/test";
import { ADMIN, LEAD, signIn, signOut, snap } from "./helpers";
import { ownConsoleCli, testWithOwnConsole } from "./own-console";

/**
 * A scorecard table registered after Phase 2, on a console of its own: the Overview says so, a
 * lead approves loading just that table, an admin runs it, and the notice is gone.
 */
const DATA_DIR = ".data/e2e-new-scorecard";
const { tsx, bringToSucceeded } = ownConsoleCli(DATA_DIR);

const REGISTER = `
CREATE TABLE "Late Audit" (id bigserial PRIMARY KEY, employee_email text, auditor_email text, audit_date date, status text,
  total_score numeric, comments text, created_at timestamptz, updated_at timestamptz, "Tone Score" integer);
INSERT INTO scorecards (id, name, table_name, channel, passing_score) VALUES (9001, 'Late', 'Late Audit', NULL, 60);
INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position) VALUES (9001, 'tone', 'Tone Score', 'Tone', 10, 1, 1);
INSERT INTO "Late Audit" (employee_email, auditor_email, audit_date, status, total_score, created_at, "Tone Score")
SELECT u.email, 'brand.new@example.com', DATE '2026-01-01' + g, 'done', 50 + g, TIMESTAMPTZ '2026-01-01 10:00+00' + g * INTERVAL '1 hour', g % 11
  FROM generate_series(1, 30) g CROSS JOIN LATERAL (SELECT email FROM users ORDER BY id OFFSET g % 5 LIMIT 1) u;
`;

const test = testWithOwnConsole(DATA_DIR);

test("a scorecard table registered after Phase 2: the Overview says so, a lead approves loading just it, an admin runs it", async ({ page }) => {
  test.setTimeout(900_000);
  await bringToSucceeded(1);
  await bringToSucceeded(2);
  await tsx(["e2e/legacy-sql.ts", REGISTER]);

  await signIn(page, LEAD);
  const notice = page.getByTestId("new-scorecards-notice");
  await expect(notice).toContainText("A new scorecard table “Late Audit” was registered after Phase 2: load it");
  await expect(notice).toContainText("Review its plan and approve it.");
  await snap(page, "overview-lead-new-scorecard");
  await notice.getByRole("link", { name: "Load it" }).click();
  await expect(page).toHaveURL(/\/phases\/2#new-scorecards$/);
  const card = page.getByTestId("new-scorecards");
  await expect(card.getByRole("list", { name: "Steps of the load" }).getByRole("listitem")).toHaveCount(4);
  await card.getByText("Load every audit table into audits").click();
  await expect(card.locator("pre").filter({ hasText: "INSERT INTO" }).first()).toContainText("Late Audit");
  await expect(card).not.toContainText("audits_pkey");
  await card.getByLabel("Comment").fill("only the late scorecard");
  await card.getByRole("button", { name: "Approve loading" }).click();
  await expect(page.getByTestId("new-scorecards-approval")).toContainText(`Approved by ${LEAD.email}`);
  await expect(card.getByRole("button", { name: "Approve loading" })).toHaveCount(0);
  await snap(page, "phase-2-new-scorecard-approved");
  await signOut(page);

  await signIn(page, ADMIN);
  await expect(notice).toContainText(`${LEAD.email} approved loading it: run the load.`);
  await page.goto("/phases/2#new-scorecards");
  await page.getByRole("button", { name: "Load the new tables" }).click();
  await expect(page.getByTestId("post-validation-verdict")).toContainText("Post-validation passed", { timeout: 240_000 });
  await expect(page.getByTestId("step-load-audits")).toContainText("30 / 30 rows");
  await snap(page, "phase-2-new-scorecard-loaded");
  await page.goto("/");
  await expect(page.getByTestId("pipeline-phase-2")).toContainText("succeeded");
  await expect(page.getByTestId("new-scorecards-notice")).toHaveCount(0);
});
