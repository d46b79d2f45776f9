// The district's figures as an official reads them: headline figures with 环比, the grids in their 红黄绿 colours
// with the reasons, the table drilling down 街道 → 社区 → 网格 to a red grid; and the same figures offline.
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { addUser, dbExec, enrollWithCode, noSidewaysScroll } from "./helpers";

test("an official drills down to a red grid and sees why, at a desk and on a phone, and offline", async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  // Three reports in demo-grid-05 (大同街道 · 团结社区), all past their deadline.
  const rider = addUser("rider", "看板骑手");
  const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL, timezoneId: "Asia/Shanghai" });
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

  const page = await office.newPage();
  await page.goto("/");
  await enrollWithCode(page, addUser("official", "区领导").code);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("数据看板");
  const headline = page.getByTestId("headline");
  await expect(headline).toContainText("上报");
  await expect(headline).toContainText("办结率");
  // The map: demo-grid-05 is red, and says why.
  const grid = page.locator('path[data-grid="demo-grid-05"]');
  await expect(grid).toHaveAttribute("data-color", "red");
  await expect(grid.locator("title")).toContainText("3 项逾期");
  // The table: 大同街道 → 团结社区 → the grid, with its three overdue tasks.
  const table = page.getByTestId("level-table");
  await table.getByRole("button", { name: "大同街道" }).click();
  await table.getByRole("button", { name: "团结社区" }).click();
  const row = table.locator('tr[data-key="demo-grid-05"]');
  await expect(row).toContainText("大弯街道北网格");
  await expect(row.locator("td").nth(3)).toHaveText("3");
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
  await small.getByRole("button", { name: "English" }).click();
  await small.goto("/dashboard");
  await expect(small.getByRole("heading", { level: 1 })).toHaveText("Figures");
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
