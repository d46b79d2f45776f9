// End-to-end tests: the release PWA served by the real server (fresh database, demo data) in Debian's Chromium
// at a 360×640 phone viewport. Nothing is downloaded: the browser is /usr/bin/chromium.
import { defineConfig } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";
import { chromiumArgs, chromiumPath, phoneSettings } from "./playwright.chromium";

const port = process.env.E2E_PORT ?? "18080";
const server = process.env.E2E_SERVER_BIN ?? "target/debug/suishoupai";
// The tests create accounts with the admin command line on the server's database (helpers.ts). Workers
// evaluate this file again: they inherit the path chosen by the main process.
const db =
  process.env.E2E_DB ?? path.join(os.tmpdir(), `suishoupai-e2e-${process.pid}-${Date.now()}`, "suishoupai.db");
process.env.E2E_DB = db;
// The places tests report from are counted in a file of the run (helpers.ts, freshSpot).
process.env.E2E_SPOTS ??= path.join(os.tmpdir(), `suishoupai-e2e-spots-${process.pid}-${Date.now()}`);
process.env.E2E_SERVER_BIN = server;

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results",
  timeout: 30_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    ...phoneSettings,
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
  webServer: {
    // The server's log goes to target/e2e-server.log, to read when a test fails.
    command: `${server} serve --addr 127.0.0.1:${port} --db ${db} --dist dist --demo 2>target/e2e-server.log`,
    url: `http://127.0.0.1:${port}/api/v1/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe", // only start-up failures reach here: the log itself is redirected
  },
});
