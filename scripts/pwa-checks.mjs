// The checks of Lighthouse's former PWA category, which Lighthouse 12 dropped, in the system Chromium:
// installable (Chromium's own installability check), a service worker controlling the start URL, the start URL
// opening with the network off, a maskable icon, theme colour, touch icon, viewport, nothing wider than the
// screen. Prints one line per check and writes them as JSON. Run by scripts/lighthouse.sh:
// node scripts/pwa-checks.mjs URL OUT.json
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";

const [url, out] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "suishoupai-pwa-checks-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  viewport: { width: 360, height: 640 },
  isMobile: true,
  hasTouch: true,
});
const checks = [];
const check = (name, ok, detail = "") => {
  checks.push({ name, ok, detail });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
};
try {
  const page = await context.newPage();
  await page.goto(url);
  const controlled = await page
    .waitForFunction(async () => {
      await navigator.serviceWorker.ready;
      return navigator.serviceWorker.controller !== null;
    }, null, { timeout: 15_000 })
    .then(() => true, () => false);
  check("a service worker controls the start URL", controlled);
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  check("installable (Chromium's installability check)", installabilityErrors.length === 0,
    installabilityErrors.map((e) => e.errorId).join(", "));
  const manifest = JSON.parse((await cdp.send("Page.getAppManifest")).data ?? "{}");
  check("a maskable icon", (manifest.icons ?? []).some((i) => (i.purpose ?? "").includes("maskable")));
  check("theme colour in the manifest and the page",
    Boolean(manifest.theme_color) && (await page.locator('meta[name="theme-color"]').count()) > 0);
  check("a touch icon for iOS", (await page.locator('link[rel="apple-touch-icon"]').count()) > 0);
  const viewport = await page.locator('meta[name="viewport"]').getAttribute("content");
  check("a viewport for phones", /width=device-width/.test(viewport ?? ""), viewport ?? "");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check("nothing wider than the screen", overflow <= 0, `${overflow} px`);
  await context.setOffline(true);
  const offline = await page.reload().then((res) => res?.status() ?? 0, () => 0);
  const heading = await page
    .getByRole("heading", { level: 1 })
    .first()
    .waitFor({ state: "visible", timeout: 10_000 })
    .then(() => true, () => false);
  check("the start URL opens with the network off", offline === 200 && heading, `status ${offline}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
writeFileSync(out, JSON.stringify(checks, null, 2));
process.exit(checks.every((c) => c.ok) ? 0 : 1);
