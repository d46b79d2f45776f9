// The server killed with SIGKILL in the middle of a sync — once as a report is on its way (it dies before the
// request reaches it), once just after it committed but before the phone heard — and restarted: every report ends
// up on the server exactly once.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, test } from "@playwright/test";
import { cameraPhoto, dbRows, enrollWithCode, ServerProcess, session, snapAndSend } from "./helpers";

const PORT = 18091;
const BASE = `http://127.0.0.1:${PORT}`;
const bin = process.env.E2E_SERVER_BIN ?? "target/debug/suishoupai";
const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "suishoupai-crash-")), "crash.db");
const server = new ServerProcess(PORT, db, "target/e2e-crash-server.log");
const startServer = () => server.start();
const killServer = () => server.kill();

test.use({
  baseURL: BASE,
  geolocation: { latitude: 30.885, longitude: 104.255, accuracy: 12 },
  permissions: ["geolocation"],
});
test.afterAll(async () => killServer());

test("SIGKILL as a report is on its way and after its commit, then a restart: each report exactly once", async ({ page, context, browser }) => {
  const photo = await cameraPhoto(browser);
  await startServer();
  const { code } = JSON.parse(
    execFileSync(bin, ["user", "--db", db, "add", "--role", "rider", "--name", "断电骑手", "--json"], { encoding: "utf8" })
  );
  await page.goto("/");
  await enrollWithCode(page, code);
  await page.goto("/settings");
  await expect(page.getByTestId("reference-counts")).toHaveText("类别 11 个 · 驿站 22 个 · 网格 8 个");
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await context.setOffline(true);
  for (const note of ["一", "二", "三"]) await snapAndSend(page, photo, note);

  let puts = 0;
  // On the context: its routes see every request of the context, the service worker's included (a page's route
  // once missed a report's PUT in CI).
  await context.route("**/api/v1/reports/*", async (route) => {
    if (route.request().method() !== "PUT") return route.continue();
    // The phone retries on its backoff by itself: a PUT while the server is down (or still starting) meets a
    // refused connection, as it would without the test, and is not one of the two the test stages.
    if (!server.running) return route.abort("connectionrefused");
    puts++;
    if (puts === 1) {
      await killServer(); // dies before the request arrives
      return route.abort("connectionrefused");
    }
    if (puts === 2) {
      try {
        await route.fetch(); // the server commits…
      } catch {
        puts--; // …unless it is not listening yet: the next PUT is the one
        return route.abort("connectionrefused");
      }
      await killServer(); // …and dies before answering
      return route.abort("connectionreset");
    }
    return route.continue();
  });
  await context.setOffline(false);
  await page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  const rows = page.getByTestId("my-reports").locator("li");

  await page.getByRole("button", { name: "立即同步" }).click();
  await expect.poll(() => puts).toBe(1);
  await startServer();
  await page.getByRole("button", { name: "立即同步" }).click();
  await expect.poll(() => puts).toBeGreaterThanOrEqual(2);
  await expect.poll(() => server.running).toBe(false);
  await startServer();
  await page.getByRole("button", { name: "立即同步" }).click();
  await expect(rows.filter({ hasText: "已送达" })).toHaveCount(3, { timeout: 20_000 });

  const { token } = await session(page);
  const feed = await (await page.request.get("/api/v1/changes?limit=500", { headers: { Authorization: `Bearer ${token}` } })).json();
  const reports = feed.changes.filter((c: any) => c.kind === "report");
  expect(reports.map((r: any) => r.data.description).sort()).toEqual(["一", "三", "二"].sort());
  expect(dbRows(db, "PRAGMA integrity_check")[0][0]).toBe("ok");
});
