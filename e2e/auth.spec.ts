import { expect, test } from "@playwright/test";
import { ADMIN, ANALYST, createAnalyst, LEAD, signIn, signOut, snap } from "./helpers";

test("each role signs in and sees only the areas it may open", async ({ page }) => {
  await signIn(page, ADMIN);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Settings" })).toBeVisible();
  await snap(page, "overview-admin");
  await signOut(page);

  await signIn(page, LEAD);
  await expect(nav.getByRole("link", { name: "Activity" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Settings" })).toHaveCount(0);
  await signOut(page);

  await signIn(page, ANALYST);
  await expect(nav.getByRole("link", { name: "Analytics" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Activity" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Settings" })).toHaveCount(0);
  await snap(page, "overview-analyst");
});

test("a wrong password gets one clear message that does not say which part was wrong", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(ANALYST.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Email or password is incorrect");
  await snap(page, "login-wrong-password");
});

test("an analyst who opens Settings gets the 403 page, not a crash", async ({ page }) => {
  await signIn(page, ANALYST);
  const response = await page.goto("/settings");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  await snap(page, "forbidden-analyst-settings");
});

test("sign-out ends the session: the console sends you back to sign in", async ({ page }) => {
  await signIn(page, LEAD);
  await signOut(page);
  await page.goto("/activity");
  await expect(page).toHaveURL(/\/login$/);
});

test("an unknown address shows the 404 page, with the sidebar for a signed-in operator; the console has an icon", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await signIn(page, ANALYST);
  expect((await page.goto("/no-such-page"))?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  const icon = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect((await page.request.get(icon!)).status()).toBe(200);
});

test("an admin creates an analyst, who can then sign in; the activity log shows both", async ({ page }) => {
  const email = `new.analyst.${Date.now()}@example.com`;
  await signIn(page, ADMIN);
  const created = await createAnalyst(page, { email, name: "New Analyst", password: "analyst password 1" });
  await expect(page.getByRole("status")).toHaveText(`Created ${email}`);
  await expect(created).toBeVisible();
  await snap(page, "settings-operator-created");
  await signOut(page);

  await signIn(page, { email, password: "analyst password 1", name: "New Analyst" });
  await signOut(page);

  await signIn(page, ADMIN);
  await page.goto("/activity");
  const log = page.getByRole("table", { name: "Activity log" });
  await expect(log.getByRole("row").filter({ hasText: "Create an operator" }).filter({ hasText: email })).toHaveCount(1);
  await expect(log.getByRole("row").filter({ hasText: "Signed in" }).filter({ hasText: email }).first()).toBeVisible();
  await snap(page, "activity");
  // Filters narrow the log and travel with its pages.
  await page.getByLabel("What").selectOption("auth.");
  await page.getByLabel("Who").fill(email);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/kind=auth\./);
  await expect(log.getByRole("row").filter({ hasText: "Create an operator" })).toHaveCount(0);
  await expect(log.getByRole("row").filter({ hasText: "Signed in" }).filter({ hasText: email }).first()).toBeVisible();
});

test("an admin changes an operator's roles and disables them; a disabled operator cannot sign in", async ({ page }) => {
  const email = `changing.${Date.now()}@example.com`;
  await signIn(page, ADMIN);
  const row = await createAnalyst(page, { email, name: "Changing Operator", password: "changing password 1" });
  await expect(row).toBeVisible();

  await row.getByRole("checkbox", { name: "Team lead" }).check();
  // The button is disabled while the save is in flight too: the reload waits for the server action's answer, or it could abort it.
  const saved = page.waitForResponse((r) => r.request().method() === "POST" && r.request().headers()["next-action"] !== undefined);
  await row.getByRole("button", { name: "Save roles" }).click();
  expect((await saved).ok()).toBe(true);
  await expect(row.getByRole("button", { name: "Save roles" })).toBeDisabled();
  await page.reload();
  await expect(page.getByTestId(`operator-${email}`).getByRole("checkbox", { name: "Team lead" })).toBeChecked();

  // Disabling asks first; keeping the operator changes nothing.
  const operatorRow = page.getByTestId(`operator-${email}`);
  await operatorRow.getByRole("button", { name: "Disable…" }).click();
  await operatorRow.getByRole("button", { name: "Keep" }).click();
  await expect(operatorRow).toContainText("active");
  await operatorRow.getByRole("button", { name: "Disable…" }).click();
  await operatorRow.getByRole("button", { name: "Disable", exact: true }).click();
  await expect(operatorRow).toContainText("disabled");
  await signOut(page);

  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("changing password 1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Email or password is incorrect");
});

test("every response carries the security headers: never framed, no sniffing, no referrer, a CSP", async ({ page }) => {
  for (const path of ["/login", "/api/health"]) {
    const response = await page.request.get(path);
    const headers = response.headers();
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"]).toContain("default-src 'self'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("no-referrer");
  }
  // The pages still work under the policy: sign-in renders and hydrates.
  await signIn(page, ADMIN);
});

test("addresses no page answers — a NUL in a filter, a cursor past any entry — are a 404, not a crash", async ({ page }) => {
  await signIn(page, ADMIN);
  expect((await page.goto("/conflicts?q=%00"))?.status()).toBe(404);
  expect((await page.goto("/activity?before=999999999999999999999"))?.status()).toBe(404);
  expect((await page.goto("/activity?before=abc"))?.status()).toBe(404);
  expect((await page.goto("/activity"))?.status()).toBe(200);
});

test("a refused Create operator keeps what was typed, with the reason beside it; Settings shows what each role may do", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/settings");
  await page.getByLabel("Email").fill(LEAD.email);
  await page.getByLabel("Name").fill("Second Lead");
  await page.getByLabel("Initial password").fill("a long password 1");
  await page.getByRole("checkbox", { name: "Team lead" }).last().check();
  await page.getByRole("button", { name: "Create operator" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "already exists" })).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue(LEAD.email);
  await expect(page.getByLabel("Name")).toHaveValue("Second Lead");
  await expect(page.getByRole("checkbox", { name: "Team lead" }).last()).toBeChecked();
  const permissions = page.getByRole("table", { name: "Permissions by role" });
  await expect(permissions.getByRole("row").filter({ hasText: "Approve a phase's plan" })).toContainText("✓");
  await snap(page, "settings-permissions");
});
