// The closed loop 收集—响应—反馈: a rider reports; the worker of that grid (and not another grid's) sees the task,
// accepts it offline, escalates and resolves it; the rider's 我的上报 shows the whole timeline and the points.
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { cameraPhoto, freshSpot, phone, signIn, snapAndSend, switchToEnglish } from "./helpers";

async function sync(page: Page) {
  await page.getByRole("button", { name: "立即同步" }).click();
}

test("report → the grid's worker accepts offline, escalates, resolves → the rider sees it all", async ({ browser }) => {
  test.setTimeout(90_000);
  const photo = await cameraPhoto(browser);
  const contexts: BrowserContext[] = [];
  const open = async () => {
    const ctx = await browser.newContext(phone);
    contexts.push(ctx);
    return { ctx, page: await ctx.newPage() };
  };
  const rider = await open();
  const worker = await open();
  const outsider = await open();

  // The worker stands where the rider reported.
  const spot = freshSpot();
  await worker.ctx.setGeolocation(spot);
  await signIn(rider.page, "rider", "闭环骑手");
  await snapAndSend(rider.page, photo, "井盖缺了一半", spot);
  await rider.page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  await expect(rider.page.getByTestId("my-reports").locator("li").first()).toContainText("已送达", { timeout: 15_000 });
  const href = await rider.page.getByTestId("my-reports").locator("li").first().getByRole("link").getAttribute("href");
  const reportId = href!.split("/").pop()!;

  await signIn(worker.page, "grid_worker", "网格员王芳", "demo-grid-07");
  await signIn(outsider.page, "grid_worker", "别的网格员", "demo-grid-01");
  const task = worker.page.getByTestId("tasks").locator("li").filter({ has: worker.page.locator(`a[href="/tasks/${reportId}"]`) });
  await expect(task).toBeVisible({ timeout: 15_000 });
  await expect(task).toContainText("已收到");
  await expect(task).toContainText(/剩 (1 小时 5\d|2 小时 0) 分/);
  await expect(task.getByTestId("task-distance")).toHaveText(/0\.0 公里 · /);
  await expect(outsider.page.getByRole("heading", { level: 1 })).toHaveText("网格任务");
  await expect(outsider.page.locator(`a[href="/tasks/${reportId}"]`)).toHaveCount(0);
  await worker.page.screenshot({ path: "test-results/screens/tasks-zh.png" });

  // Accept with the network off: saved on the phone, submitted when it returns.
  await task.getByRole("link").click();
  await expect(worker.page.getByTestId("report-detail")).toContainText("井盖缺了一半");
  await worker.ctx.setOffline(true);
  await worker.page.getByRole("button", { name: "接单" }).click();
  await expect(worker.page.getByText("已保存在手机上，联网后提交。")).toBeVisible();
  await expect(worker.page.getByTestId("pending-actions")).toContainText("1 项操作待提交");
  await worker.ctx.setOffline(false);
  await worker.page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(worker.page.getByTestId("server-status")).toHaveText("已受理", { timeout: 15_000 });
  await expect(worker.page.getByTestId("expected-by")).toContainText("预计");

  await worker.page.getByLabel("升级原因").fill("涉及燃气管线，需要部门联处");
  await worker.page.getByRole("button", { name: "升级" }).click();
  await expect(worker.page.getByTestId("task-level")).toContainText("部门联处", { timeout: 15_000 });
  await worker.page.getByLabel("备注或办结说明").fill("已更换新井盖，感谢上报");
  await worker.page.getByTestId("action-photo").setInputFiles({ name: "done.jpg", mimeType: "image/jpeg", buffer: photo });
  await expect(worker.page.getByTestId("task-actions").locator("img.thumb")).toHaveCount(1, { timeout: 15_000 });
  const log: string[] = [];
  worker.page.on("console", (m) => log.push(`${m.type()}: ${m.text()}`));
  worker.page.on("pageerror", (e) => log.push(`pageerror: ${e.message}`));
  await worker.page.getByRole("button", { name: "办结" }).click();
  // Saved on the phone first (a lost tap or a refused field would show here), then applied.
  await expect(worker.page.getByTestId("action-message")).toHaveText("已保存在手机上，联网后提交。");
  await expect(worker.page.getByTestId("server-status"), log.join("\n")).toHaveText("已办结", { timeout: 15_000 });
  await worker.page.screenshot({ path: "test-results/screens/task-resolved-zh.png" });

  await sync(rider.page);
  const row = rider.page.getByTestId("my-reports").locator("li").first();
  await expect(row).toContainText("已办结", { timeout: 15_000 });
  await row.getByRole("link").click();
  const timeline = rider.page.getByTestId("timeline");
  await expect(timeline.locator("li")).toHaveCount(4);
  await expect(timeline).toContainText("涉及燃气管线，需要部门联处");
  await expect(timeline).toContainText("已更换新井盖，感谢上报");
  await expect(timeline.getByTestId("timeline-by").first()).toHaveText("网格员王芳");
  await expect(timeline.locator("img.thumb")).toHaveCount(1); // the resolution photo
  await expect(rider.page.getByTestId("report-points")).toHaveText("新星奖积分：15");
  await rider.page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  await expect(rider.page.getByTestId("my-points")).toHaveText("我的积分：15");
  await expect(rider.page.getByTestId("points-balance")).toHaveText("积分余额：15");
  await expect(rider.page.getByTestId("points-history").locator("li")).toHaveCount(2);
  await expect(rider.page.getByTestId("points-history")).toContainText("隐患已办结 +10");
  await expect(rider.page.getByTestId("leaderboard")).toContainText("闭*");
  await rider.page.screenshot({ path: "test-results/screens/report-closed-loop-zh.png" });
  for (const ctx of contexts) await ctx.close();
});

test("a report rejected as a duplicate leads its reporter to the original's progress", async ({ browser }) => {
  test.setTimeout(90_000);
  const photo = await cameraPhoto(browser);
  const first = await (await browser.newContext(phone)).newPage();
  const second = await (await browser.newContext(phone)).newPage();
  const worker = await (await browser.newContext(phone)).newPage();
  const reportId = async (page: Page) => {
    await page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
    const row = page.getByTestId("my-reports").locator("li").first();
    await expect(row).toContainText("已送达", { timeout: 15_000 });
    return (await row.getByRole("link").getAttribute("href"))!.split("/").pop()!;
  };
  await signIn(first, "rider", "先报的骑手");
  await snapAndSend(first, photo, "原始上报");
  const original = await reportId(first);
  await signIn(second, "rider", "后报的骑手");
  await snapAndSend(second, photo, "重复上报");
  const duplicate = await reportId(second);

  await signIn(worker, "grid_worker", "网格员", "demo-grid-07");
  // 75 m apart: two tasks, until the worker judges them one hazard.
  await worker.goto(`/tasks/${duplicate}`);
  await worker.getByLabel("退回原因").selectOption("duplicate");
  await worker.getByLabel("重复于（上报编号）").fill(original);
  await worker.getByRole("button", { name: "退回" }).click();
  await expect(worker.getByTestId("server-status")).toHaveText("已退回", { timeout: 15_000 });

  await second.getByRole("button", { name: "立即同步" }).click();
  const row = second.getByTestId("my-reports").locator("li").first();
  await expect(row).toContainText("已退回", { timeout: 15_000 });
  await row.getByRole("link").click();
  await second.getByTestId("duplicate-of").click();
  await expect(second).toHaveURL(new RegExp(`/my-reports/${original}$`));
  await expect(second.getByTestId("report-detail")).toContainText("原始上报");
  await expect(second.getByTestId("server-status")).toHaveText("已收到");
});

test("two riders at one spot make one task: the worker sees 另有 1 人上报 and their photos; the second follows it", async ({ browser }) => {
  test.setTimeout(90_000);
  const photo = await cameraPhoto(browser);
  const first = await (await browser.newContext(phone)).newPage();
  const second = await (await browser.newContext(phone)).newPage();
  const worker = await (await browser.newContext(phone)).newPage();
  const spot = freshSpot();
  const delivered = async (page: Page) => {
    await page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
    const row = page.getByTestId("my-reports").locator("li").first();
    await expect(row).toContainText("已送达", { timeout: 15_000 });
    return row;
  };
  await signIn(first, "rider", "先报的骑手");
  await snapAndSend(first, photo, "地下通道积水", spot);
  const group = (await (await delivered(first)).getByRole("link").getAttribute("href"))!.split("/").pop()!;
  await signIn(second, "rider", "后报的骑手");
  await snapAndSend(second, photo, "通道里水到膝盖", spot);
  const joined = await delivered(second);
  await expect(joined).toContainText("已并入");
  const joinedHref = (await joined.getByRole("link").getAttribute("href"))!;

  // One task for the worker, saying who else reported it; their reports and photos come when asked.
  await signIn(worker, "grid_worker", "网格员", "demo-grid-07");
  await worker.goto(`/tasks/${group}`);
  await expect(worker.getByTestId("joined-count")).toHaveText("另有 1 人上报同一隐患", { timeout: 15_000 });
  await expect(worker.getByTestId("joined-reports").locator("li")).toHaveCount(0);
  await worker.getByTestId("joined-load").click();
  const other = worker.getByTestId("joined-reports").locator("li");
  await expect(other).toHaveCount(1);
  await expect(other).toContainText("后报的骑手");
  await expect(other).toContainText("通道里水到膝盖");
  await expect(other.locator("img.thumb")).toHaveCount(1);
  await expect(worker.getByTestId("joined-load")).toHaveCount(0);
  await worker.screenshot({ path: "test-results/screens/task-joined-zh.png" });
  await worker.getByRole("button", { name: "接单" }).click();
  await expect(worker.getByTestId("server-status")).toHaveText("已受理", { timeout: 15_000 });

  // The second rider's report: joined, not turned away, and it leads to the group's progress.
  await second.getByRole("button", { name: "立即同步" }).click();
  await joined.getByRole("link").click();
  await expect(second.getByTestId("server-status")).toHaveText("已并入");
  await expect(second.getByTestId("joined-notice")).toBeVisible();
  await second.screenshot({ path: "test-results/screens/report-joined-zh.png" });
  await second.getByTestId("duplicate-of").click();
  await expect(second).toHaveURL(new RegExp(`/my-reports/${group}$`));
  await expect(second.getByTestId("report-detail")).toContainText("地下通道积水");
  await expect(second.getByTestId("server-status")).toHaveText("已受理", { timeout: 15_000 });

  // The same in English.
  await worker.goto("/settings");
  await switchToEnglish(worker);
  await worker.goto(`/tasks/${group}`);
  await expect(worker.getByTestId("joined-count")).toHaveText("1 more report of this hazard");
  await worker.getByTestId("joined-load").click();
  await expect(worker.getByTestId("joined-reports").locator("img.thumb")).toHaveCount(1);
  await worker.screenshot({ path: "test-results/screens/task-joined-en.png" });
  await second.goto("/settings");
  await switchToEnglish(second);
  await second.goto(joinedHref);
  await expect(second.getByTestId("server-status")).toHaveText("Joined");
  await expect(second.getByTestId("joined-notice")).toContainText("your report joined theirs");
  await second.screenshot({ path: "test-results/screens/report-joined-en.png" });
});

test("a task or a report the phone does not hold says so once the phone has synced, in both languages", async ({ browser }) => {
  const photo = await cameraPhoto(browser);
  const ctx = await browser.newContext(phone);
  const page = await ctx.newPage();
  await signIn(page, "rider", "链接骑手");
  await snapAndSend(page, photo, "路面塌陷");
  await page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  const mine = page.getByTestId("my-reports").locator("li").first();
  await expect(mine).toContainText("已送达", { timeout: 15_000 });
  await mine.getByRole("link").click();
  await expect(page.getByTestId("report-detail")).toBeVisible();
  await expect(page.getByTestId("not-on-phone")).toHaveCount(0);
  // A link to a report of someone else's phone (or one this phone has not synced).
  await page.goto(`/my-reports/${randomUUID()}`);
  await expect(page.getByTestId("not-on-phone")).toHaveText("手机上没有这条上报。联网同步后，你的上报会出现在「我的上报」里。", { timeout: 15_000 });
  await expect(page.getByTestId("report-detail")).toHaveCount(0);

  const worker = await (await browser.newContext(phone)).newPage();
  await signIn(worker, "grid_worker", "网格员小林", "demo-grid-07");
  await worker.goto(`/tasks/${randomUUID()}`);
  await expect(worker.getByTestId("not-on-phone")).toHaveText("手机上还没有这项任务。联网同步后，它会出现在这里。", { timeout: 15_000 });
  await worker.screenshot({ path: "test-results/screens/task-not-on-phone-zh.png" });
  await worker.goto("/settings");
  await switchToEnglish(worker);
  await worker.goto(`/tasks/${randomUUID()}`);
  await expect(worker.getByTestId("not-on-phone")).toHaveText(
    "This task is not on this phone yet. It appears here once the phone syncs with a network.",
    { timeout: 15_000 }
  );
  await worker.screenshot({ path: "test-results/screens/task-not-on-phone-en.png" });
  await ctx.close();
  await worker.context().close();
});
