// Playwright drives Debian's chromium package (/usr/bin/chromium): no browser download.
// run.sh starts `omnicart serve --demo` (the storefront at /, the mobile page at /mobile/,
// the API at /graphql) and passes its address in E2E_BASE_URL and E2E_API_URL. Chromium
// resolves no host but 127.0.0.1: the pages must work without internet access.
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
    baseURL: process.env.E2E_BASE_URL ?? "http://127.0.0.1:8000",
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
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
      ],
    },
    viewport: { width: 1280, height: 900 },
    trace: "retain-on-failure",
  },
});
