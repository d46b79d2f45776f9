// The screenshots of docs/screens (scripts/screenshots.sh): the same server and phone as the end-to-end tests,
// at 360×640 CSS pixels and one device pixel per CSS pixel, so the images stay small.
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

export default defineConfig({
  ...base,
  testDir: "tests/screens",
  outputDir: "test-results/screens-run",
  timeout: 120_000,
  use: { ...base.use, deviceScaleFactor: 1 },
});
