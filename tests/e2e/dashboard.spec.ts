// The district's figures as an official reads them: headline figures with 环比, the grids in their 红黄绿 colours
// with the reasons, the table drilling down 街道 → 社区 → 网格 to a red grid; and the same figures offline.
import { randomUUID } from "node:crypto";
import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { addUser, dbExec, enrollWithCode, noSidewaysScroll, signIn, switchToEnglish } from "./helpers";

/** The text of the first worksheet of an XLSX file (read with Python's zipfile, which Debian has). */
function sheetText(file: string): string {
  const script = "import zipfile,sys; print(zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml').decode())";
  return execFileSync("python3", ["-c", script, file], { encoding: "utf8" });
}

test("an official drills down to a red grid and sees why, at a desk and on a phone, and offline", async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL, timezoneId: "Asia/Shanghai" });
  const page = await office.newPage();
  await page.goto("/");
  await enrollWithCode(page, addUser("official", "区领导").code);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("数据看板");
  // What this week and month of 团结社区 held before (none in a new district; a district with a history has reports
  // there already).
  await expect(page.getByTestId("headline")).toContainText("上报");
  let [weekBefore, monthBefore] = [0, 0];
  const levels = page.getByTestId("level-table");
  if ((await levels.getByRole("button", { name: "大同街道" }).count()) > 0) {
    // The community's trend as the dashboard fetches it: the newest week, then the newest month.
    const newest = async (every: string, open: () => Promise<void>) => {
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().includes("/stats/trend") && r.url().includes(`every=${every}`) && r.url().includes("community=")),
        open(),
      ]);
      const points = (await res.json()).points as { received: number }[];
      return points.length ? points[points.length - 1].received : 0;
    };
    await levels.getByRole("button", { name: "大同街道" }).click();
    weekBefore = await newest("week", () => levels.getByRole("button", { name: "团结社区" }).click());
    monthBefore = await newest("month", () => page.getByTestId("trend").getByRole("button", { name: "按月" }).click());
  }

  // Three reports in demo-grid-05 (大同街道 · 团结社区), all past their deadline.
  const rider = addUser("rider", "看板骑手");
  const api = office.request;
  const { token } = await (await api.post("/api/v1/enroll", { data: { code: rider.code } })).json();
  for (let i = 0; i < 3; i++) {
    const res = await api.put(`/api/v1/reports/${randomUUID()}`, {
      headers: { Authorization: `Bearer ${token}` },
      data: {
        category: "manhole_cover",
        description: `看板：井盖缺失 ${i}`,
        lat: 30.9 + i * 0.001,
        lon: 104.19,
        captured_at: new Date(Date.now() - 60_000).toISOString(),
      },
    });
    expect(res.status()).toBe(201);
  }
  dbExec(process.env.E2E_DB!, "UPDATE reports SET deadline = '2026-01-01T00:00:00.000Z' WHERE submitted LIKE '%看板：%'");

  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("数据看板");
  const headline = page.getByTestId("headline");
  await expect(headline).toContainText("上报");
  await expect(headline).toContainText("办结率");
  // The map: demo-grid-05 is red, and says why.
  const grid = page.locator('path[data-grid="demo-grid-05"]');
  await expect(grid).toHaveAttribute("data-color", "red");
  await expect(grid.locator("title")).toContainText("3 项逾期");
  // Higher levels take the colour of their worst grid, with the count of each colour.
  const street = page.getByTestId("level-table").locator('tr[data-key="大同街道"] td.color-cell');
  await expect(street).toHaveAttribute("data-color", "red");
  await expect(street).toContainText("1 红");
  // The table: 大同街道 → 团结社区 → the grid, with its three overdue tasks.
  const table = page.getByTestId("level-table");
  await table.getByRole("button", { name: "大同街道" }).click();
  await table.getByRole("button", { name: "团结社区" }).click();
  const row = table.locator('tr[data-key="demo-grid-05"]');
  await expect(row).toContainText("大弯街道北网格");
  await expect(row.locator("td").nth(4)).toHaveText("3");
  // Its colour and why, in the row; its colour over the period; its three overdue tasks on the map.
  await expect(row.locator("td.color-cell")).toHaveAttribute("data-color", "red");
  await expect(row.locator("td.color-cell")).toContainText("红 · 3 项逾期");
  await expect(page.getByTestId("colour-history").locator('li[data-grid="demo-grid-05"] svg')).toHaveAttribute("data-now", "red");
  await expect(page.getByTestId("warning-map").locator("circle.point-overdue")).toHaveCount(3);
  // The trend counts them in this period's week.
  const weeks = page.getByTestId("trend").locator("g[data-bucket]");
  await expect(weeks.last()).toHaveAttribute("data-received", String(weekBefore + 3));
  await page.getByTestId("trend").getByRole("button", { name: "按月" }).click();
  await expect(page.getByTestId("trend").locator("g[data-bucket]").last()).toHaveAttribute("data-received", String(monthBefore + 3));
  // The period's reports of this 社区 as XLSX, from the dashboard.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("dashboard-export").getByTestId("export-reports-xlsx").click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^reports-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const file = test.info().outputPath("reports.xlsx");
  await download.saveAs(file);
  const sheet = sheetText(file);
  expect(sheet).toContain("看板：井盖缺失 0");
  expect(sheet).toContain("看板：井盖缺失 2");
  expect(sheet).toContain("大弯街道北网格");
  await noSidewaysScroll(page);
  await page.screenshot({ path: "test-results/screens/dashboard-zh.png", fullPage: true });
  await table.getByRole("button", { name: "返回上一级" }).click();
  await expect(table.getByRole("button", { name: "团结社区" })).toBeVisible();

  // On a phone, and in English.
  const small = await (await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, baseURL, timezoneId: "Asia/Shanghai" })).newPage();
  await small.goto("/");
  await enrollWithCode(small, addUser("official", "手机上的领导").code);
  await expect(small.locator('path[data-grid="demo-grid-05"]')).toHaveAttribute("data-color", "red");
  await noSidewaysScroll(small);
  await small.screenshot({ path: "test-results/screens/dashboard-phone-zh.png", fullPage: true });
  await small.goto("/settings");
  await switchToEnglish(small);
  await small.goto("/dashboard");
  await expect(small.getByRole("heading", { level: 1 })).toHaveText("Figures");
  await expect(small.locator('path[data-grid="demo-grid-05"] title')).toContainText("3 overdue");
  await small.screenshot({ path: "test-results/screens/dashboard-phone-en.png", fullPage: true });

  // Offline, the last figures show, with how old they are.
  await office.setOffline(true);
  await page.reload();
  await expect(page.getByTestId("dashboard-kept")).toContainText("离线：显示");
  await expect(page.getByTestId("headline")).toContainText("上报");
  await expect(page.locator('path[data-grid="demo-grid-05"]')).toHaveAttribute("data-color", "red");
  await office.setOffline(false);
  await office.close();
  await small.context().close();
});

test("a grid worker plans a walk on a map of their grid; a problem that keeps coming back says to escalate", async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, baseURL, timezoneId: "Asia/Shanghai" });
  const api = context.request;
  const rider = addUser("rider", "井盖骑手");
  const { token } = await (await api.post("/api/v1/enroll", { data: { code: rider.code } })).json();
  // The same missing manhole cover three times within 50 m: one task, a recurring hotspot.
  const ids: string[] = [];
  for (const metres of [0, 15, 30]) {
    const id = randomUUID();
    ids.push(id);
    const res = await api.put(`/api/v1/reports/${id}`, {
      headers: { Authorization: `Bearer ${token}` },
      data: {
        category: "manhole_cover",
        description: `又丢了 ${metres}`,
        lat: 30.905 + metres / 111_000,
        lon: 104.195,
        captured_at: new Date(Date.now() - 60_000).toISOString(),
      },
    });
    expect(res.status()).toBe(201);
  }
  const page = await context.newPage();
  await signIn(page, "grid_worker", "网格员小王", "demo-grid-05");
  await page.goto("/tasks");
  const map = page.getByTestId("task-map");
  await expect(map.locator('path[data-grid="demo-grid-05"]')).toBeVisible();
  // One hazard, one task: the second and third joined the first, which the map shows once.
  await expect(map.locator(`circle[data-point="${ids[0]}"]`)).toBeVisible();
  for (const id of ids.slice(1)) await expect(map.locator(`circle[data-point="${id}"]`)).toHaveCount(0);
  await noSidewaysScroll(page);
  await page.screenshot({ path: "test-results/screens/tasks-map-phone-zh.png", fullPage: true });
  // Its point opens the task, which says how many joined it and that the problem keeps coming back.
  await map.locator(`circle[data-point="${ids[0]}"]`).dispatchEvent("click");
  await expect(page).toHaveURL(new RegExp(`/tasks/${ids[0]}$`));
  await expect(page.getByTestId("joined-count")).toHaveText("另有 2 人上报同一隐患");
  await expect(page.getByTestId("task-hotspot")).toHaveText("反复出现");
  await expect(page.getByTestId("hotspot-advice")).toContainText("提级研处");
  // Map apps in China get their own coordinates: 高德 GCJ-02, 百度 BD-09.
  await expect(page.getByRole("link", { name: "高德地图" })).toHaveAttribute("href", /coordinate=gaode/);
  await expect(page.getByRole("link", { name: "百度地图" })).toHaveAttribute("href", /coord_type=bd09ll/);
  await page.screenshot({ path: "test-results/screens/task-hotspot-phone-zh.png", fullPage: true });
  await context.close();
});
