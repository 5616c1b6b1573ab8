import { expect } from "@playwright/test";
import { ADMIN, LEAD, approveWithPreflight, signIn, signOut, snap } from "./helpers";
import { ownConsoleCli, testWithOwnConsole } from "./own-console";

/**
 * Phase 5 on a console of its own: Phases 1–4 brought to succeeded and both flags turned on
 * through the CLI against this console's database; then a lead marks a compatibility view
 * unneeded, sets the retention date and approves, an admin runs Phase 5, and the manifest is shown.
 */
const DATA_DIR = ".data/e2e-phase-5";
const { unify, bringToSucceeded } = ownConsoleCli(DATA_DIR);
const UNNEEDED = "users_compat";

const test = testWithOwnConsole(DATA_DIR);
test.use({ viewport: { width: 1280, height: 900 } });

test("a lead approves Phase 5 with a view marked unneeded, an admin runs it, and the archive manifest is shown", async ({ page }) => {
  test.setTimeout(900_000);
  for (const phase of [1, 2, 3, 4]) await bringToSucceeded(phase);
  for (const flag of ["USE_UNIFIED_EMPLOYEES_TABLE", "USE_UNIFIED_AUDITS_TABLE"]) {
    await unify(["flags", "set", flag, "on", "--comment", "readers on unified before cleanup", "--as", ADMIN.email], ADMIN.password);
  }

  // The lead: plan options first (they are part of the plan), then the pre-flight report and the approval.
  await signIn(page, LEAD);
  await page.goto("/phases/5");
  const options = page.getByRole("form", { name: "Phase 5 plan options" });
  const keepUntil = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
  await options.getByLabel("Keep the archive until").fill(keepUntil);
  await options.getByRole("checkbox", { name: new RegExp(`^${UNNEEDED}`) }).check();
  await options.getByRole("button", { name: "Save the plan options" }).click();
  await expect(options.getByRole("status")).toContainText(`kept until ${keepUntil}, 1 view marked unneeded`);
  await page.reload();
  await expect(page.getByRole("form", { name: "Phase 5 plan options" }).getByRole("checkbox", { name: new RegExp(`^${UNNEEDED}`) })).toBeChecked();
  // The plan states what the options chose: the view leaves the unified schema, the date is in the archive record.
  const plan = JSON.parse(await unify(["plan", "5", "--json"], LEAD.password)) as { steps: { statements: string[] }[] };
  const statements = plan.steps.flatMap((step) => step.statements);
  expect(statements).toContain(`ALTER VIEW IF EXISTS "unified"."${UNNEEDED}" SET SCHEMA "legacy_archive_views"`);
  expect(statements.some((sql) => sql.includes(`DATE '${keepUntil}'`))).toBe(true);
  await snap(page, "phase-5-options");
  await approveWithPreflight(page, "readers are on unified; users_compat has no reader left");
  await snap(page, "phase-5-approved");
  await signOut(page);

  // The admin runs it; the final validation decides.
  await signIn(page, ADMIN);
  await page.goto("/phases/5");
  await expect(page.getByRole("form", { name: "Phase 5 plan options" }).getByRole("button", { name: "Save the plan options" })).toHaveCount(0);
  await page.getByRole("button", { name: "Run phase 5" }).click();
  await expect(page.getByTestId("post-validation-verdict")).toContainText("Post-validation passed", { timeout: 480_000 });
  await page.reload();

  const manifest = page.getByTestId("archive-manifest");
  await expect(manifest).toContainText("archived");
  await expect(manifest).toContainText("public → legacy_archive");
  await expect(manifest).toContainText(`by ${ADMIN.email}`);
  await expect(manifest).toContainText(`Kept until${keepUntil}`);
  const tables = manifest.getByRole("table", { name: "Archived tables" });
  for (const table of ["users", "people", "scorecards", "audit_assignments", "notifications"]) await expect(tables.getByRole("cell", { name: table, exact: true })).toBeVisible();
  // The manifest's figures are the CLI's (the same lib function), row for row.
  const shown = JSON.parse(await unify(["archive", "show", "--json"], ADMIN.password)) as { manifest: { totals: { tables: number }; tables: { name: string; rows: number; checksum: string }[] } };
  await expect(tables.getByRole("row")).toHaveCount(1 + shown.manifest.totals.tables);
  await expect(manifest).toContainText(UNNEEDED);
  const users = shown.manifest.tables.find((t) => t.name === "users")!;
  await expect(tables.getByRole("row").filter({ has: page.getByRole("cell", { name: "users", exact: true }) })).toContainText(users.checksum);

  // Dropping is not yet allowed: the retention date is ahead.
  await expect(page.getByRole("button", { name: "Drop the archive" })).toBeDisabled();
  await expect(page.getByText(`Kept until ${keepUntil}, the date a lead set`)).toBeVisible();
  await snap(page, "phase-5-manifest");

  // After Phase 5 a flag can be retired on the Flags page.
  await page.goto("/flags");
  const retire = page.getByRole("form", { name: "Retire USE_UNIFIED_AUDITS_TABLE" });
  await retire.getByLabel(/Why retire/).fill("legacy audit tables archived");
  await retire.getByRole("button", { name: "Retire" }).click();
  // Retired, it leaves the flags one can retire or toggle and is listed with its final value.
  await expect(retire).toHaveCount(0);
  await expect(page.getByText("always on")).toBeVisible();
  await expect(page.getByTestId("flag-USE_UNIFIED_AUDITS_TABLE")).toHaveCount(0);
  await snap(page, "phase-5-flags-retired");
});
