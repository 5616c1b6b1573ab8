import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3217);
const UI_SPECS = /\/(a11y|keyboard|screens)\.spec\.ts$/;
const chromium = process.env.CHROMIUM_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

/** E2E journeys against the production build on a fresh embedded database with demo data. */
export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    ...devices["Desktop Chrome"],
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  // One server and one database for every spec. The journeys expect the fresh database the server
  // starts with; the pages as a person meets them (axe, keyboard only, screenshots) take any state
  // they find and run after them; the flags journey runs last: it brings Phases 1 and 2 to
  // succeeded whatever state it finds. Alone: `npx playwright test --no-deps e2e/keyboard.spec.ts`.
  projects: [
    { name: "journeys", testIgnore: [UI_SPECS, /flags\.spec\.ts$/] },
    { name: "ui", testMatch: UI_SPECS, dependencies: ["journeys"] },
    { name: "flags", testMatch: /flags\.spec\.ts$/, dependencies: ["ui"] },
  ],
  webServer: {
    command: `rm -rf .data/e2e && exec node_modules/.bin/tsx lib/cli/main.ts serve --demo --port ${PORT}`,
    url: `http://127.0.0.1:${PORT}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    env: {
      UNIFY_DATA_DIR: ".data/e2e",
      UNIFY_ADMIN_PASSWORD: "admin-e2e-password",
      UNIFY_DEMO_PASSWORD: "demo-e2e-password",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
