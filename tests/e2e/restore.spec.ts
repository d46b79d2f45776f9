// The disk dies; the server comes back from the last backup. A phone that delivered a report after that backup
// sees the server's new life in the change feed and sends its delivered reports again: the restored server ends
// up with every report exactly once.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, test } from "@playwright/test";
import { cameraPhoto, dbRows, enrollWithCode, ServerProcess, snapAndSend } from "./helpers";

const PORT = 18093;
const BASE = `http://127.0.0.1:${PORT}`;
const bin = process.env.E2E_SERVER_BIN ?? "target/debug/suishoupai";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "suishoupai-restore-"));
const db = path.join(dir, "live.db");
const restored = path.join(dir, "restored.db");
const archive = path.join(dir, "backup.zip");
let server = new ServerProcess(PORT, db, "target/e2e-restore-server.log");

test.use({
  baseURL: BASE,
  geolocation: { latitude: 30.885, longitude: 104.255, accuracy: 12 },
  permissions: ["geolocation"],
});
test.afterAll(async () => server.kill());

test("after a restore from a backup, the phone sends again what the backup lacks: every report once", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const photo = await cameraPhoto(browser);
  await server.start();
  const { code } = JSON.parse(
    execFileSync(bin, ["user", "--db", db, "add", "--role", "rider", "--name", "恢复骑手", "--json"], { encoding: "utf8" })
  );
  await page.goto("/");
  await enrollWithCode(page, code);
  const delivered = async (note: string) => {
    await snapAndSend(page, photo, note);
    await page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
    const row = page.getByTestId("my-reports").locator("li").filter({ hasText: note });
    await expect(row).toContainText("已送达", { timeout: 15_000 });
    return (await row.getByRole("link").getAttribute("href"))!.split("/").pop()!;
  };
  const before = await delivered("备份前的上报");
  execFileSync(bin, ["--db", db, "backup", "--out", archive]);
  const after = await delivered("备份后的上报");

  // The disk dies: the server is restored from the backup, on the same address.
  await server.kill();
  execFileSync(bin, ["restore", archive, "--db", restored]);
  expect(dbRows(restored, `SELECT count(*) FROM reports WHERE id = '${after}'`)).toEqual([[0]]);
  server = new ServerProcess(PORT, restored, "target/e2e-restore-server.log");
  await server.start();

  const count = () => dbRows(restored, `SELECT count(*) FROM reports WHERE id IN ('${before}', '${after}')`)[0][0];
  await expect
    .poll(
      async () => {
        await page.evaluate(() => window.dispatchEvent(new Event("online")));
        return count();
      },
      { timeout: 30_000, intervals: [1_000] }
    )
    .toBe(2);
  // Its photo came along, and nothing is doubled.
  expect(dbRows(restored, `SELECT count(*) FROM report_photos WHERE report_id = '${after}'`)).toEqual([[1]]);
  expect(dbRows(restored, "SELECT count(*) FROM reports")).toEqual([[2]]);
  await page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  await expect(page.getByTestId("my-reports").locator("li")).toHaveCount(2);
  for (const row of await page.getByTestId("my-reports").locator("li").all()) {
    await expect(row).toContainText("已送达", { timeout: 15_000 });
  }
});
