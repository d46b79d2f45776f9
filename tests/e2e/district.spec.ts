// The district's side: an admin loads the district's own grids in the console — a file with one broken polygon is
// refused with the fault named and nothing changed, the fixed file is previewed, applied and drawn, and a rider's
// next report lands in the new grid — then onboards riders from a CSV and prints their cards, one of which enrolls.
// Its own server and database: the shared one keeps the demo grids the other specs rely on.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, test } from "@playwright/test";
import { cameraPhoto, dbRows, enrollWithCode, noSidewaysScroll, phone, ServerProcess, snapAndSend, switchToEnglish } from "./helpers";

const PORT = Number(process.env.DISTRICT_PORT ?? 18098);
const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "suishoupai-district-")), "district.db");
const server = new ServerProcess(PORT, db, "target/e2e-district-server.log");
const bin = process.env.E2E_SERVER_BIN ?? "target/debug/suishoupai";

function addUser(role: string, name: string): string {
  const out = execFileSync(bin, ["user", "add", "--db", db, "--role", role, "--name", name, "--json"], { encoding: "utf8" });
  return JSON.parse(out).code;
}

/** A square grid of 0.04°, south-west corner at (lat, lon). */
function square(id: string, name: string, lat: number, lon: number) {
  const d = 0.04;
  return {
    type: "Feature",
    properties: { id, name, community: "华严社区", street: "大弯街道" },
    geometry: { type: "Polygon", coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] },
  };
}

const fixed = {
  type: "FeatureCollection",
  // The phone's fix (30.885 N, 104.255 E) is in qbj-east.
  features: [square("qbj-west", "华严西网格", 30.86, 104.215), square("qbj-east", "华严东网格", 30.86, 104.255)],
};
const broken = structuredClone(fixed);
broken.features[1].geometry.coordinates[0].pop(); // the ring no longer closes

test.use({ baseURL: server.base });
test.beforeAll(async () => server.start());
test.afterAll(async () => void (await server.kill()));

test("an admin loads the district's grids: a broken file changes nothing, the fixed one routes the next report", async ({ browser }) => {
  test.setTimeout(120_000);
  const office = await browser.newContext({
    viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, baseURL: server.base, timezoneId: "Asia/Shanghai",
  });
  const page = await office.newPage();
  await page.goto("/");
  await enrollWithCode(page, addUser("admin", "区管理员"));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("区级管理");
  await expect(page.getByTestId("district-map-summary")).toHaveText("8 个网格 · 22 个驿站");

  const before = dbRows(db, "SELECT id, retired_at FROM grids ORDER BY id");
  await page.getByLabel("选择文件").setInputFiles({ name: "grids.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(broken)) });
  await page.getByRole("button", { name: "检查文件" }).click();
  const faults = page.getByTestId("import-faults");
  await expect(faults).toContainText("文件有 1 处错误，没有做任何更改");
  await expect(faults).toContainText('第 2 个要素（id "qbj-east"）：外环没有闭合：最后一个坐标须与第一个相同');
  expect(dbRows(db, "SELECT id, retired_at FROM grids ORDER BY id")).toEqual(before);
  await page.screenshot({ path: "test-results/screens/district-refused-zh.png" });

  await page.getByLabel("选择文件").setInputFiles({ name: "grids.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(fixed)) });
  await page.getByRole("button", { name: "检查文件" }).click();
  const preview = page.getByTestId("import-preview");
  await expect(preview).toContainText("新增 2：qbj-west、qbj-east");
  await expect(preview).toContainText("停用 8");
  expect(dbRows(db, "SELECT id, retired_at FROM grids ORDER BY id")).toEqual(before);
  await preview.getByRole("button", { name: "应用这些更改" }).click();
  await expect(page.getByTestId("import-applied")).toContainText("新增 2");
  await expect(page.getByTestId("district-map-summary")).toHaveText("2 个网格 · 22 个驿站", { timeout: 15_000 });
  await expect(page.getByTestId("district-map").locator("path.grid-shape")).toHaveCount(2);
  await expect(page.getByTestId("audit-log")).toContainText("导入网格（GeoJSON） +2 ~0 −8 · 区管理员");
  await noSidewaysScroll(page);
  await page.screenshot({ path: "test-results/screens/district-console-zh.png" });

  const rider = await (await browser.newContext({ ...phone, baseURL: server.base })).newPage();
  await rider.goto("/");
  await enrollWithCode(rider, addUser("rider", "骑手小周"));
  await snapAndSend(rider, await cameraPhoto(browser), "新网格里的井盖");
  await expect.poll(() => dbRows(db, "SELECT grid_id FROM reports WHERE submitted LIKE '%新网格里的井盖%'"), { timeout: 15_000 }).toEqual([["qbj-east"]]);

  // The district's reports of this month, downloaded from the console as CSV and as XLSX.
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-reports-csv").click()]);
  const csvText = fs.readFileSync(await csv.path(), "utf8");
  expect(csvText.startsWith("\ufeff编号,上报时间,类别")).toBe(true);
  expect(csvText).toContain("新网格里的井盖");
  expect(csvText).toContain("华严东网格");
  const [xlsx] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-reports-xlsx").click()]);
  expect(xlsx.suggestedFilename()).toMatch(/^reports-\d{4}-\d{2}-01-\d{4}-\d{2}-\d{2}\.xlsx$/);
  expect(fs.readFileSync(await xlsx.path()).subarray(0, 2).toString()).toBe("PK");

  // The same console on a phone, and in English.
  const small = await (await browser.newContext({ ...phone, baseURL: server.base })).newPage();
  await small.goto("/");
  await enrollWithCode(small, addUser("admin", "手机上的管理员"));
  await expect(small.getByTestId("district-map-summary")).toHaveText("2 个网格 · 22 个驿站");
  await noSidewaysScroll(small);
  await small.screenshot({ path: "test-results/screens/district-console-phone-zh.png", fullPage: true });
  await small.goto("/settings");
  await switchToEnglish(small);
  await small.goto("/district");
  await expect(small.getByRole("heading", { level: 1 })).toHaveText("District");
  await noSidewaysScroll(small);
  await small.screenshot({ path: "test-results/screens/district-console-phone-en.png", fullPage: true });
  await page.context().close();
  await rider.context().close();
  await small.context().close();
});

test("riders onboarded from a CSV get cards to print, and a printed code enrolls", async ({ browser }) => {
  test.setTimeout(90_000);
  const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, baseURL: server.base });
  const page = await office.newPage();
  await page.goto("/");
  await enrollWithCode(page, addUser("admin", "区管理员"));
  await page.getByLabel("导入什么").selectOption("users");
  const rows = ["role,name,grid,station,department,phone"];
  for (let i = 0; i < 50; i++) rows.push(`rider,新骑手${String(i).padStart(2, "0")},,,,139${String(i).padStart(8, "0")}`);
  const csv = Buffer.from(rows.join("\n") + "\n");
  await page.getByLabel("选择文件").setInputFiles({ name: "riders.csv", mimeType: "text/csv", buffer: csv });
  await page.getByRole("button", { name: "检查文件" }).click();
  await expect(page.getByTestId("import-preview")).toContainText("检查通过");
  expect(dbRows(db, "SELECT COUNT(*) FROM users WHERE name LIKE '新骑手%'")).toEqual([[0]]);
  await page.getByRole("button", { name: "应用这些更改" }).click();
  await expect(page.getByTestId("import-applied")).toContainText("已为 50 人生成登录码");
  const [sheet] = await Promise.all([page.waitForEvent("popup"), page.getByRole("button", { name: "打印登录卡" }).click()]);
  await expect(sheet.locator("section.card")).toHaveCount(50);
  await sheet.emulateMedia({ media: "print" });
  await sheet.pdf({ path: "test-results/screens/onboarding-sheets.pdf", format: "A4" });
  await sheet.screenshot({ path: "test-results/screens/onboarding-sheet.png" });
  const code = (await sheet.locator("section.card .code").first().textContent())!;
  expect(code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}$/);

  const rider = await (await browser.newContext({ ...phone, baseURL: server.base })).newPage();
  await rider.goto("/");
  await enrollWithCode(rider, code);
  await expect(rider.getByRole("heading", { level: 1 })).toHaveText("随手拍");
  await rider.context().close();
  await office.close();
});

test("the console finds a station's people, reissues the codes of those not signed in, and revokes one", async ({ browser }) => {
  test.setTimeout(90_000);
  const csv = path.join(path.dirname(db), "staff.csv");
  fs.writeFileSync(csv, "role,name,grid,station,department,phone\nstation_staff,驿站小青,,demo-station-04,,\nstation_staff,驿站小江,,demo-station-04,,\n");
  execFileSync(bin, ["import", "users", csv, "--db", db]);
  const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, baseURL: server.base });
  const page = await office.newPage();
  page.on("dialog", (d) => void d.accept());
  await page.goto("/");
  await enrollWithCode(page, addUser("admin", "区管理员"));
  const people = page.getByTestId("people-card");
  await people.getByLabel("网格、驿站或部门").selectOption("s:demo-station-04");
  await expect(people.getByTestId("people-count")).toHaveText("共 2 人 · 已登录 0 人");
  await people.getByRole("button", { name: "为这里未登录的人补发登录码" }).click();
  await expect(people.getByTestId("people-message")).toContainText("已补发 2 个登录码");
  const [sheet] = await Promise.all([page.waitForEvent("popup"), people.getByRole("button", { name: "打印登录卡" }).click()]);
  await expect(sheet.locator("section.card")).toHaveCount(2);
  const code = (await sheet.locator("section.card .code").first().textContent())!;
  const staff = await (await browser.newContext({ ...phone, baseURL: server.base })).newPage();
  await staff.goto("/");
  await enrollWithCode(staff, code);
  await expect(staff.getByRole("heading", { level: 1 })).toHaveText("驿站签到");

  await people.getByLabel("角色").selectOption("station_staff");
  await expect(people.getByTestId("people-count")).toHaveText("共 2 人 · 已登录 1 人");
  const notIn = people.getByTestId("person").filter({ hasText: "未登录" });
  await notIn.getByRole("button", { name: "停用" }).click();
  await expect(people.getByTestId("person").filter({ hasText: "已停用" })).toHaveCount(1);
  await page.screenshot({ path: "test-results/screens/district-people-zh.png", fullPage: true });
  await staff.context().close();
  await office.close();
});
