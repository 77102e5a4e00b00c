// Playwright drives Debian's chromium package (/usr/bin/chromium): no browser download.
// run.sh starts the demo server and the built storefront and passes their addresses in
// E2E_BASE_URL (the storefront) and E2E_API_URL (the API's /graphql, for staff calls).
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "tests",
  // One worker: the tests share one demo database and the machine is small.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: process.env.E2E_BASE_URL ?? "http://127.0.0.1:4173",
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.E2E_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
    viewport: { width: 1280, height: 900 },
    trace: "retain-on-failure",
  },
});
