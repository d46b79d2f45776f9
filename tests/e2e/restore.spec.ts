// The disk dies; the server comes back from the last backup. Every phone that delivered something after that
// backup sees the server's new life in the change feed and sends it again — the rider's report, the grid worker's
// actions on it, the station's check-in — and the restored server ends up with each exactly once.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { addUser, cameraPhoto, dbRows, enrollWithCode, phone, ServerProcess, session, snapAndSend, totp, type Role } from "./helpers";

const PORT = 18093;
const BASE = `http://127.0.0.1:${PORT}`;
const bin = process.env.E2E_SERVER_BIN ?? "target/debug/suishoupai";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "suishoupai-restore-"));
const db = path.join(dir, "live.db");
const restored = path.join(dir, "restored.db");
const archive = path.join(dir, "backup.zip");
let server = new ServerProcess(PORT, db, "target/e2e-restore-server.log");

test.afterAll(async () => server.kill());

/** A phone of a new user of `role`, signed in on the restore test's server. */
async function open(browser: Browser, role: Role, name: string, grid?: string) {
  const ctx = await browser.newContext({ ...phone, baseURL: BASE });
  const page = await ctx.newPage();
  const { user_id, code } = addUser(role, name, grid, db);
  await page.goto("/");
  await enrollWithCode(page, code);
  return { ctx, page, user_id };
}

async function delivered(page: Page, photo: Buffer, note: string): Promise<string> {
  await snapAndSend(page, photo, note);
  await page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  const row = page.getByTestId("my-reports").locator("li").filter({ hasText: note });
  await expect(row).toContainText("已送达", { timeout: 15_000 });
  return (await row.getByRole("link").getAttribute("href"))!.split("/").pop()!;
}

test("after a restore from a backup, every phone sends again what the backup lacks: each report, action and check-in once", async ({ browser }) => {
  test.setTimeout(150_000);
  const photo = await cameraPhoto(browser);
  await server.start();
  const rider = await open(browser, "rider", "恢复骑手");
  const worker = await open(browser, "grid_worker", "恢复网格员", "demo-grid-07");
  const staff = await open(browser, "station_staff", "恢复驿站");

  const before = await delivered(rider.page, photo, "备份前的上报");
  execFileSync(bin, ["--db", db, "backup", "--out", archive]);

  // After the backup: a report, the worker's 接单 and a note on it, and a check-in of the rider at the station.
  const after = await delivered(rider.page, photo, "备份后的上报");
  await worker.page.goto("/tasks");
  await expect(worker.page.locator(`a[href="/tasks/${after}"]`)).toBeVisible({ timeout: 20_000 });
  await worker.page.goto(`/tasks/${after}`);
  await worker.page.getByRole("button", { name: "接单" }).click();
  await expect(worker.page.getByTestId("server-status")).toHaveText("已受理", { timeout: 15_000 });
  await worker.page.getByLabel("备注或办结说明").fill("备份后到现场");
  await worker.page.getByRole("button", { name: "备注", exact: true }).click();
  await expect(worker.page.getByTestId("timeline")).toContainText("备份后到现场", { timeout: 15_000 });
  await expect(worker.page.getByTestId("pending-actions")).toHaveCount(0, { timeout: 15_000 });
  const secret = (await session(rider.page)).pass_secret!;
  await staff.page.getByLabel("骑手的驿站码").fill(`SSP1:${rider.user_id}:${totp(secret, Date.now() / 1000)}`);
  await staff.page.getByRole("button", { name: "确认签到" }).click();
  await expect(staff.page.getByTestId("checkin-list")).toContainText("已确认", { timeout: 15_000 });
  expect(dbRows(db, `SELECT count(*) FROM task_actions WHERE report_id = '${after}'`)).toEqual([[2]]);

  // The disk dies: the server is restored from the backup, on the same address. The rider is out of signal
  // for a while.
  await rider.ctx.setOffline(true);
  await server.kill();
  execFileSync(bin, ["restore", archive, "--db", restored]);
  const count = (query: string) => dbRows(restored, query)[0][0];
  expect(count(`SELECT count(*) FROM reports WHERE id = '${after}'`)).toBe(0);
  expect(count("SELECT count(*) FROM task_actions")).toBe(0);
  expect(count("SELECT count(*) FROM checkins")).toBe(0);
  server = new ServerProcess(PORT, restored, "target/e2e-restore-server.log");
  await server.start();

  // The worker's phone and the station's sync first: the worker's actions wait for the task until the rider's
  // phone is back in signal and has sent it again.
  const nudge = async (...pages: Page[]) => {
    for (const p of pages) await p.evaluate(() => window.dispatchEvent(new Event("online")));
  };
  await expect
    .poll(
      async () => {
        await nudge(worker.page, staff.page);
        return count("SELECT count(*) FROM checkins");
      },
      { timeout: 30_000, intervals: [1_000] }
    )
    .toBe(1);
  expect(count("SELECT count(*) FROM task_actions")).toBe(0);
  await rider.ctx.setOffline(false);
  await expect
    .poll(
      async () => {
        await nudge(rider.page, worker.page);
        return count(`SELECT count(*) FROM task_actions WHERE report_id = '${after}'`);
      },
      { timeout: 60_000, intervals: [1_000, 2_000] }
    )
    .toBe(2);

  // Everything once, in its order, with the report's photo; nothing on any phone needs attention.
  expect(count(`SELECT count(*) FROM reports WHERE id IN ('${before}', '${after}')`)).toBe(2);
  expect(count("SELECT count(*) FROM reports")).toBe(2);
  expect(count(`SELECT count(*) FROM report_photos WHERE report_id = '${after}'`)).toBe(1);
  expect(dbRows(restored, `SELECT kind FROM task_actions WHERE report_id = '${after}' ORDER BY rowid`)).toEqual([["accept"], ["note"]]);
  expect(count(`SELECT status FROM reports WHERE id = '${after}'`)).toBe("accepted");
  expect(count(`SELECT count(*) FROM checkins WHERE rider_id = '${rider.user_id}'`)).toBe(1);
  await rider.page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  await expect(rider.page.getByTestId("my-reports").locator("li")).toHaveCount(2);
  for (const row of await rider.page.getByTestId("my-reports").locator("li").all()) {
    await expect(row).toContainText("已送达", { timeout: 15_000 });
  }
  await worker.page.goto(`/tasks/${after}`);
  await expect(worker.page.getByTestId("server-status")).toHaveText("已受理", { timeout: 15_000 });
  await expect(worker.page.getByTestId("pending-actions")).toHaveCount(0, { timeout: 30_000 });
  await expect(staff.page.getByTestId("checkin-list")).toContainText("已确认");
  for (const p of [rider, worker, staff]) await p.ctx.close();
});
