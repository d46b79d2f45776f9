// A grid worker's work made offline is never lost: actions queued on one task reach the server in order, and a
// real conflict (someone else acted meanwhile) keeps the action, says what happened in words, and lets the worker
// redo or drop it.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { cameraPhoto, openTask, phone, signIn, snapAndSend, switchToChinese, switchToEnglish } from "./helpers";

/** A rider's report in demo-grid-07; its id. */
async function reported(browser: Browser, note: string): Promise<string> {
  const photo = await cameraPhoto(browser);
  const rider = await (await browser.newContext(phone)).newPage();
  await signIn(rider, "rider", "报告的骑手");
  await snapAndSend(rider, photo, note);
  await rider.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  const row = rider.getByTestId("my-reports").locator("li").first();
  await expect(row).toContainText("已送达", { timeout: 15_000 });
  const id = (await row.getByRole("link").getAttribute("href"))!.split("/").pop()!;
  await rider.context().close();
  return id;
}

async function worker(browser: Browser, name: string) {
  const ctx = await browser.newContext(phone);
  const page = await ctx.newPage();
  await signIn(page, "grid_worker", name, "demo-grid-07");
  return { ctx, page };
}

async function backOnline(page: Page) {
  await page.context().setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
}

test("accept then note offline: both reach the server, in order", async ({ browser }) => {
  test.setTimeout(90_000);
  const id = await reported(browser, "路灯不亮");
  const { ctx, page } = await worker(browser, "网格员李娜");
  await page.goto(`/tasks/${id}`);
  await expect(page.getByTestId("report-detail")).toContainText("路灯不亮", { timeout: 15_000 });
  // The task list's page is fetched once the app is idle: on the phone before the network goes (it opens below).
  await expect(page.locator("html")).toHaveAttribute("data-pages", "ready", { timeout: 15_000 });

  await ctx.setOffline(true);
  await page.getByRole("button", { name: "接单" }).click();
  await expect(page.getByTestId("task-status")).toHaveText("已受理（待提交）");
  // The worker carries on from the accepted task: its next actions are offered at once.
  await expect(page.getByRole("button", { name: "开始处置" })).toBeVisible();
  await page.getByLabel("备注或办结说明").fill("灯杆在小区门口，明天带梯子来");
  await page.getByRole("button", { name: "备注" }).click();
  await expect(page.getByTestId("pending-actions")).toContainText("2 项操作待提交");
  // The list's sync card counts them: it never says 全部已送达 while actions wait.
  await page.getByRole("link", { name: "返回任务列表" }).click();
  await expect(page.getByTestId("sync-summary")).toContainText("待发送 2 条");

  await backOnline(page);
  await expect(page.getByTestId("sync-summary")).toHaveText("全部已送达", { timeout: 15_000 });
  await openTask(page, id, "已受理");
  await expect(page.getByTestId("server-status")).toHaveText("已受理", { timeout: 15_000 });
  await expect(page.getByTestId("pending-actions")).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByTestId("parked-actions")).toHaveCount(0);
  const timeline = page.getByTestId("timeline");
  await expect(timeline.locator("li")).toHaveCount(3);
  await expect(timeline.locator("li").nth(2)).toContainText("备注");
  await expect(timeline.locator("li").nth(2)).toContainText("灯杆在小区门口，明天带梯子来");
  await expect(page.getByTestId("task-status")).toHaveText("已受理");
  await page.screenshot({ path: "test-results/screens/task-offline-chain-zh.png", fullPage: true });
  await ctx.close();
});

test("an action applied whose answer was lost is not counted twice: the next one expects the right version", async ({ browser }) => {
  test.setTimeout(90_000);
  const id = await reported(browser, "井盖松动");
  const { ctx, page } = await worker(browser, "网格员陈刚");
  await page.goto(`/tasks/${id}`);
  await expect(page.getByTestId("report-detail")).toContainText("井盖松动", { timeout: 15_000 });
  // Every answer to a task action is lost on the way back (the server commits it): the accept stays queued on
  // the phone while the server, and the phone's next pull, already have it.
  let losing = true;
  await ctx.route("**/api/v1/task-actions/**", async (route) => {
    if (!losing) return route.continue();
    await route.fetch();
    return route.abort("connectionreset");
  });
  await page.getByRole("button", { name: "接单" }).click();
  await expect(page.getByTestId("server-status")).toHaveText("已受理", { timeout: 15_000 });
  await expect(page.getByTestId("pending-actions")).toHaveCount(0);
  // 开始处置 is made on the accepted task (version 2), not on a version counting the accept again.
  await page.getByRole("button", { name: "开始处置" }).click();
  losing = false;
  await backOnline(page);
  await expect(page.getByTestId("server-status")).toHaveText("处理中", { timeout: 20_000 });
  await expect(page.getByTestId("parked-actions")).toHaveCount(0);
  await expect(page.getByTestId("pending-actions")).toHaveCount(0, { timeout: 15_000 });
  await ctx.close();
});

test("a real conflict keeps the action, says who did what, and redo applies it", async ({ browser }) => {
  test.setTimeout(90_000);
  const id = await reported(browser, "井盖松动");
  const a = await worker(browser, "网格员李娜");
  const b = await worker(browser, "网格员王芳");
  await a.page.goto(`/tasks/${id}`);
  await expect(a.page.getByTestId("report-detail")).toContainText("井盖松动", { timeout: 15_000 });

  // A escalates offline on the received task; meanwhile B accepts it online.
  await a.ctx.setOffline(true);
  await a.page.getByLabel("升级原因").fill("井盖属燃气公司，需要部门联处");
  await a.page.getByRole("button", { name: "升级" }).click();
  await expect(a.page.getByTestId("pending-actions")).toContainText("1 项操作待提交");
  await b.page.goto(`/tasks/${id}`);
  await b.page.getByRole("button", { name: "接单" }).click();
  await expect(b.page.getByTestId("server-status")).toHaveText("已受理", { timeout: 15_000 });

  await backOnline(a.page);
  const parked = a.page.getByTestId("parked-action");
  await expect(parked).toHaveCount(1, { timeout: 15_000 });
  await expect(parked).toContainText("井盖属燃气公司，需要部门联处");
  await expect(parked).toContainText(/网格员王芳 已于 [\d-]+ \d\d:\d\d 接单/);
  await expect(parked).not.toContainText("{");
  await expect(a.page.getByTestId("server-status")).toHaveText("已受理");
  await a.page.screenshot({ path: "test-results/screens/task-conflict-zh.png", fullPage: true });
  // The same screen in English.
  await a.page.goto("/settings");
  await switchToEnglish(a.page);
  await a.page.goto(`/tasks/${id}`);
  await expect(parked).toContainText(/网格员王芳: "Accept" at [\d-]+ \d\d:\d\d/);
  await expect(parked.getByRole("button", { name: "Redo on the task as it is" })).toBeVisible();
  await a.page.screenshot({ path: "test-results/screens/task-conflict-en.png", fullPage: true });
  await a.page.goto("/settings");
  await switchToChinese(a.page);
  await a.page.goto(`/tasks/${id}`);

  // Redo on the task as it now is: applied, and nothing waits any more.
  await parked.getByRole("button", { name: "按现状重做" }).click();
  await expect(a.page.getByTestId("task-level")).toContainText("部门联处", { timeout: 15_000 });
  await expect(a.page.getByTestId("parked-actions")).toHaveCount(0);
  await expect(a.page.getByTestId("timeline")).toContainText("升级至 部门联处");
  await expect(a.page.getByTestId("timeline")).toContainText("井盖属燃气公司，需要部门联处");

  // In English the same screen speaks English.
  await a.page.goto("/settings");
  await switchToEnglish(a.page);
  await a.page.goto(`/tasks/${id}`);
  await expect(a.page.getByTestId("timeline")).toContainText("Escalated to");
  await a.page.screenshot({ path: "test-results/screens/task-timeline-en.png", fullPage: true });
  await a.ctx.close();
  await b.ctx.close();
});

test("a new version of the task arriving while the worker types leaves the field, its text and the focus alone", async ({ browser }) => {
  test.setTimeout(90_000);
  const id = await reported(browser, "树枝挡路");
  const a = await worker(browser, "网格员李娜");
  const b = await worker(browser, "网格员王芳");
  await a.page.goto(`/tasks/${id}`);
  await expect(a.page.getByTestId("report-detail")).toContainText("树枝挡路", { timeout: 15_000 });
  await a.page.getByLabel("备注或办结说明").click();
  await a.page.keyboard.type("已联系园林");

  // B accepts; A's phone learns of it while A's cursor is still in the note.
  await b.page.goto(`/tasks/${id}`);
  await b.page.getByRole("button", { name: "接单" }).click();
  await expect(b.page.getByTestId("server-status")).toHaveText("已受理", { timeout: 15_000 });
  await a.page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(a.page.getByTestId("server-status")).toHaveText("已受理", { timeout: 15_000 });
  await a.page.keyboard.type("，明早处理");
  await expect(a.page.getByLabel("备注或办结说明")).toHaveValue("已联系园林，明早处理");
  await expect(a.page.getByLabel("备注或办结说明")).toBeFocused();
  await a.ctx.close();
  await b.ctx.close();
});

test("an action missing what it needs is refused beside its field, before it is queued", async ({ browser }) => {
  const id = await reported(browser, "树枝挡路");
  const { ctx, page } = await worker(browser, "网格员李娜");
  await page.goto(`/tasks/${id}`);
  await expect(page.getByTestId("report-detail")).toContainText("树枝挡路", { timeout: 15_000 });
  await page.getByRole("button", { name: "升级" }).click();
  await expect(page.getByTestId("error-reason")).toHaveText("请填写升级原因");
  await expect(page.getByTestId("pending-actions")).toHaveCount(0);
  await ctx.close();
});

test("a refused action can be dropped, and only then is it gone", async ({ browser }) => {
  test.setTimeout(90_000);
  const id = await reported(browser, "护栏倒了");
  const a = await worker(browser, "网格员李娜");
  const b = await worker(browser, "网格员王芳");
  await a.page.goto(`/tasks/${id}`);
  await expect(a.page.getByTestId("report-detail")).toContainText("护栏倒了", { timeout: 15_000 });
  await a.ctx.setOffline(true);
  await a.page.getByLabel("升级原因").fill("需要交通部门");
  await a.page.getByRole("button", { name: "升级" }).click();
  // B rejects the task meanwhile: A's escalation can no longer apply at all.
  await b.page.goto(`/tasks/${id}`);
  await b.page.getByRole("button", { name: "退回" }).click();
  await expect(b.page.getByTestId("server-status")).toHaveText("已退回", { timeout: 15_000 });
  await backOnline(a.page);
  const parked = a.page.getByTestId("parked-action");
  await expect(parked).toHaveCount(1, { timeout: 15_000 });
  await expect(parked).toContainText("任务现在的状态不允许此操作，只能放弃。");
  await expect(parked.getByRole("button", { name: "按现状重做" })).toHaveCount(0);
  await a.page.reload();
  await expect(parked).toContainText("需要交通部门", { timeout: 15_000 });
  await parked.getByRole("button", { name: "放弃" }).click();
  await expect(a.page.getByTestId("parked-actions")).toHaveCount(0);
  await a.ctx.close();
  await b.ctx.close();
});

test("the installed app opens a grid worker on 任务, and the 新星奖 card is there offline", async ({ browser }) => {
  const { ctx, page } = await worker(browser, "网格员李娜");
  await page.goto("/?home");
  await expect(page).toHaveURL(/\/tasks$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("网格任务");
  await page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  await expect(page.getByTestId("leaderboard")).toBeVisible({ timeout: 15_000 });
  // Installed: the service worker has every file and answers the reload.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
  await ctx.setOffline(true);
  await page.reload();
  await expect(page.getByTestId("my-points")).toHaveText("我的积分：0");
  await ctx.close();
});
