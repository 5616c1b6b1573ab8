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

/** Screenshots go under test-results/screens so a person can look at what users see. */
export async function snap(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}
