// The phone benchmarks of scripts/bench.sh (photo, tap to saved, outbox drain): the release PWA served by the
// release server in Debian's Chromium at the e2e tests' phone settings. Not part of scripts/test.sh.
import { defineConfig } from "@playwright/test";
import * as path from "node:path";

const dir = path.resolve(process.env.BENCH_DIR ?? "target/bench");
const port = process.env.BENCH_PORT ?? "18101";
// Absolute: the web server's command runs in this file's directory.
const server = path.resolve(process.env.BENCH_SERVER_BIN ?? "target/release/suishoupai");
const dist = path.resolve(process.env.BENCH_DIST ?? "dist");
// tests/e2e/helpers.ts makes accounts with the admin command line on this database.
process.env.E2E_DB = process.env.E2E_DB ?? path.join(dir, "phone", "loopback.db");
process.env.E2E_SERVER_BIN = server;

import { chromiumArgs, chromiumPath, phoneSettings } from "../playwright.chromium";
export { chromiumArgs };

export default defineConfig({
  testDir: ".",
  testMatch: "*.bench.ts",
  outputDir: path.join(dir, "playwright"),
  timeout: 20 * 60_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    ...phoneSettings,
    geolocation: { latitude: 30.885, longitude: 104.255, accuracy: 12 },
    permissions: ["geolocation"],
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
  webServer: {
    command: `${server} serve --addr 127.0.0.1:${port} --db ${process.env.E2E_DB} --dist ${dist} --demo 2>${path.join(dir, "phone", "loopback-server.log")}`,
    url: `http://127.0.0.1:${port}/api/v1/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
