// 部门联处 · 吹哨报到, the whole loop on phones: a rider reports a missing manhole cover; the grid's worker escalates
// it, which calls the department the 清单 names (城管); the department's staff, offline, answer (报到) and resolve
// it with a photo; the rider says 不满意, which reopens it for the worker; resolved again, the rider says 满意. The
// timeline on every phone tells the whole story.
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { cameraPhoto, dbRows, openTask, phone, session, signIn, snapAndSend, stored, switchToEnglish } from "./helpers";

const CHENGGUAN = "区综合行政执法局（城管）";

/** Syncs now, on any page: the app syncs when the network comes (back). */
async function sync(page: Page) {
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
}

test("rider reports → worker calls 城管 → 城管 offline answers and resolves → 不满意 reopens → resolved → 满意", async ({ browser }) => {
  test.setTimeout(180_000);
  const photo = await cameraPhoto(browser);
  const contexts: BrowserContext[] = [];
  const open = async () => {
    const ctx = await browser.newContext(phone);
    contexts.push(ctx);
    return { ctx, page: await ctx.newPage() };
  };
  const rider = await open();
  const worker = await open();
  const dept = await open();
  const workerConsole: string[] = [];
  worker.page.on("console", (m) => workerConsole.push(`${m.type()}: ${m.text()}`));

  await signIn(rider.page, "rider", "吹哨骑手");
  await snapAndSend(rider.page, photo, "井盖没了，晚上很危险");
  await rider.page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  const mine = rider.page.getByTestId("my-reports").locator("li").first();
  await expect(mine).toContainText("已送达", { timeout: 15_000 });
  const reportId = (await mine.getByRole("link").getAttribute("href"))!.split("/").pop()!;

  // The department sees nothing before it is called.
  await signIn(dept.page, "department_staff", "城管小王");
  await expect(dept.page.getByRole("heading", { level: 1 })).toHaveText("部门任务");
  await expect(dept.page.getByText("还没有叫到本部门的任务。")).toBeVisible();

  // The worker accepts and escalates: the 清单's department is chosen already.
  await signIn(worker.page, "grid_worker", "网格员老周", "demo-grid-07");
  await openTask(worker.page, reportId, "已收到");
  await worker.page.getByRole("button", { name: "接单" }).click();
  await expect(worker.page.getByTestId("server-status")).toHaveText("已受理", { timeout: 15_000 });
  await expect(worker.page.getByTestId("action-department")).toHaveValue("chengguan");
  await worker.page.getByLabel("升级原因").fill("井盖需城管更换");
  await worker.page.getByRole("button", { name: "升级", exact: true }).click();
  const waiting = worker.page.getByTestId("task-summary").getByTestId("task-call");
  await expect(waiting).toHaveText(new RegExp(`^等待 ${CHENGGUAN.replace(/[（）]/g, ".")} 报到 · 剩 (1 小时 5\\d|2 小时 0) 分$`), { timeout: 15_000 });
  await expect(worker.page.getByTestId("timeline")).toContainText(`升级至 部门联处 · 吹哨：${CHENGGUAN}`);
  await worker.page.screenshot({ path: "test-results/screens/department-waiting-zh.png", fullPage: true });
  await worker.page.getByRole("link", { name: "返回任务列表" }).click();
  await expect(worker.page.getByTestId("tasks").getByTestId("task-call")).toContainText("等待");

  // The department's list has it; with the network off, 报到 then 办结 with a photo, both kept on the phone.
  await sync(dept.page);
  const row = dept.page.getByTestId("tasks").locator(`a[href="/tasks/${reportId}"]`);
  await expect(row).toBeVisible({ timeout: 15_000 });
  await expect(row.getByTestId("task-call")).toContainText("等待");
  await row.scrollIntoViewIfNeeded();
  await dept.page.screenshot({ path: "test-results/screens/department-tasks-zh.png" });
  await row.click();
  await dept.ctx.setOffline(true);
  await dept.page.getByRole("button", { name: "报到" }).click();
  await expect(dept.page.getByTestId("pending-actions")).toContainText("1 项操作待提交");
  await dept.page.getByLabel("备注或办结说明").fill("已更换新井盖");
  await dept.page.getByTestId("action-photo").setInputFiles({ name: "fixed.jpg", mimeType: "image/jpeg", buffer: photo });
  await expect(dept.page.getByTestId("task-actions").locator("img.thumb")).toHaveCount(1, { timeout: 15_000 });
  await dept.page.getByRole("button", { name: "办结" }).click();
  await expect(dept.page.getByTestId("pending-actions")).toContainText("2 项操作待提交");
  await dept.ctx.setOffline(false);
  await dept.page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(dept.page.getByTestId("server-status")).toHaveText("已办结", { timeout: 20_000 });
  const deptTimeline = dept.page.getByTestId("timeline");
  await expect(deptTimeline).toContainText("报到");
  await expect(deptTimeline.locator("img.thumb")).toHaveCount(1, { timeout: 15_000 });
  // Only the reporter is asked for a verdict: no badge on the department's 我的上报.
  await expect(dept.page.getByTestId("verdict-badge")).toHaveCount(0);

  // The rider: 不满意 — the task goes back to the worker.
  await sync(rider.page);
  await expect(mine).toContainText("已办结", { timeout: 15_000 });
  await mine.getByRole("link").click();
  const prompt = rider.page.getByTestId("verdict-prompt");
  await prompt.getByLabel("说明（选填）").fill("新井盖没盖严");
  await prompt.getByRole("button", { name: "不满意" }).click();
  await expect(rider.page.getByTestId("server-status")).toHaveText("已受理", { timeout: 20_000 });

  await sync(worker.page);
  await openTask(worker.page, reportId, "已受理");
  try {
    await expect(worker.page.getByTestId("server-status")).toHaveText("已受理", { timeout: 15_000 });
  } catch (e) {
    // What the server holds and what the worker's phone holds, to tell a wrong answer from a stale phone.
    const row = dbRows(process.env.E2E_DB!, `SELECT status, version, level, reopened, duplicate_of, change_seq, timeline FROM reports WHERE id = '${reportId}'`);
    const copy = await stored<unknown>(worker.page, "reports", "get", reportId);
    const screen = await worker.page.locator("main").innerText();
    throw new Error(
      `${e}\nthe server's row: ${JSON.stringify(row)}\nthe worker's copy: ${JSON.stringify(copy)}` +
        `\nthe worker's screen at ${worker.page.url()}: ${screen}\nthe worker's console:\n${workerConsole.join("\n")}`,
    );
  }
  await expect(worker.page.getByTestId("timeline")).toContainText("新井盖没盖严");
  await worker.page.getByLabel("备注或办结说明").fill("重新安装，已盖严");
  await worker.page.getByRole("button", { name: "办结" }).click();
  await expect(worker.page.getByTestId("server-status")).toHaveText("已办结", { timeout: 15_000 });
  await expect(worker.page.getByTestId("verdict-badge")).toHaveCount(0);

  await sync(rider.page);
  await expect(rider.page.getByTestId("server-status")).toHaveText("已办结", { timeout: 15_000 });
  await rider.page.getByTestId("verdict-prompt").getByRole("button", { name: "满意", exact: true }).click();
  await expect(rider.page.getByTestId("verdict")).toContainText("你的评价：满意", { timeout: 15_000 });

  // Every phone tells the whole story.
  const story = ["已收到", "已受理", `吹哨：${CHENGGUAN}`, "报到", "已办结", "新井盖没盖严", "重新安装，已盖严"];
  await sync(dept.page);
  for (const page of [rider.page, worker.page, dept.page]) {
    const timeline = page.getByTestId("timeline");
    for (const step of story) {
      await expect(timeline, step).toContainText(step, { timeout: 15_000 });
    }
  }
  for (const ctx of contexts) await ctx.close();
});

test("in English: the department's list, the waiting state, and the district's level-3 decision", async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const photo = await cameraPhoto(browser);
  const open = async () => {
    const ctx = await browser.newContext(phone);
    return { ctx, page: await ctx.newPage() };
  };
  const rider = await open();
  await signIn(rider.page, "rider", "Rider");
  await snapAndSend(rider.page, photo, "manhole open");
  await rider.page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  const mine = rider.page.getByTestId("my-reports").locator("li").first();
  await expect(mine).toContainText("已送达", { timeout: 15_000 });
  const reportId = (await mine.getByRole("link").getAttribute("href"))!.split("/").pop()!;

  const english = async (page: Page) => {
    await page.goto("/settings");
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Settings");
  };
  const worker = await open();
  await signIn(worker.page, "grid_worker", "Worker Zhou", "demo-grid-07");
  await english(worker.page);
  await worker.page.goto(`/tasks/${reportId}`);
  try {
    await expect(worker.page.getByLabel("Reason for escalating")).toBeVisible({ timeout: 30_000 });
  } catch (e) {
    // What the page says and what the phone holds, to tell a task that never arrived from one shown wrongly.
    const screen = await worker.page.locator("body").innerText();
    const copy = await stored<unknown>(worker.page, "reports", "get", reportId);
    throw new Error(`${e}\nthe worker's screen: ${screen}\nthe worker's copy: ${JSON.stringify(copy)}`);
  }
  await worker.page.getByLabel("Reason for escalating").fill("The cover needs replacing by the city");
  await worker.page.getByRole("button", { name: "Escalate", exact: true }).click();
  await expect(worker.page.getByTestId("task-summary").getByTestId("task-call")).toContainText(
    `Waiting for ${CHENGGUAN} to acknowledge · `,
    { timeout: 15_000 }
  );
  await worker.page.screenshot({ path: "test-results/screens/department-waiting-en.png", fullPage: true });

  const dept = await open();
  await signIn(dept.page, "department_staff", "Wang");
  await english(dept.page);
  await dept.page.goto("/tasks");
  await sync(dept.page);
  await expect(dept.page.getByRole("heading", { level: 1 })).toHaveText("Department tasks");
  await expect(dept.page.getByTestId("tasks").locator(`a[href="/tasks/${reportId}"]`)).toBeVisible({ timeout: 15_000 });
  await dept.page.getByTestId("tasks").locator(`a[href="/tasks/${reportId}"]`).scrollIntoViewIfNeeded();
  await dept.page.screenshot({ path: "test-results/screens/department-tasks-en.png" });

  // To level 3; the district decides in its console: the decision lands in the timeline.
  await worker.page.getByLabel("Reason for escalating or calling").fill("Needs the district");
  await worker.page.getByRole("button", { name: "Escalate", exact: true }).click();
  await expect(worker.page.getByTestId("task-level")).toContainText("Escalated to the district", { timeout: 15_000 });
  const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL });
  const admin = await office.newPage();
  await signIn(admin, "admin", "District admin");
  await english(admin);
  await admin.goto("/district");
  const queued = admin.getByTestId("escalated-task").filter({ has: admin.locator(`a[href="/tasks/${reportId}"]`) });
  await expect(queued).toBeVisible({ timeout: 15_000 });
  await queued.getByTestId("decide").locator("summary").click();
  await queued.getByTestId("decide-note").fill("Housing bureau leads; done within ten days");
  await queued.getByTestId("decide-department").selectOption("zhujian");
  await admin.screenshot({ path: "test-results/screens/district-escalations-en.png" });
  await queued.getByTestId("decide-send").click();
  await expect(admin.getByTestId("escalations")).toBeVisible();
  await sync(worker.page);
  await expect(worker.page.getByTestId("timeline")).toContainText("Housing bureau leads; done within ten days", { timeout: 15_000 });
  await expect(worker.page.getByTestId("task-summary").getByTestId("task-call")).toContainText("Waiting for 区住房和城乡建设局");
  for (const c of [rider.ctx, worker.ctx, dept.ctx, office]) await c.close();
});

test("a second 不满意 goes to the district's queue, not back to the grid", async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const photo = await cameraPhoto(browser);
  const riderCtx = await browser.newContext(phone);
  const rider = await riderCtx.newPage();
  await signIn(rider, "rider", "较真骑手");
  await snapAndSend(rider, photo, "路灯一直不亮");
  await rider.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  const mine = rider.getByTestId("my-reports").locator("li").first();
  await expect(mine).toContainText("已送达", { timeout: 15_000 });
  const reportId = (await mine.getByRole("link").getAttribute("href"))!.split("/").pop()!;

  // The worker resolves, the rider says 不满意 (reopened), resolved again, 不满意 again — over the API.
  const workerCtx = await browser.newContext(phone);
  const worker = await workerCtx.newPage();
  await signIn(worker, "grid_worker", "网格员老周", "demo-grid-07");
  const as = async (page: Page) => ({ Authorization: `Bearer ${(await session(page)).token}` });
  const put = async (page: Page, path: string, body: object) => {
    const res = await page.request.put(path, { headers: await as(page), data: body });
    expect(res.status(), `${path} ${await res.text()}`).toBe(201);
    return (await res.json()) as { version: number; status: string };
  };
  const act = (kind: string, version: number, note?: string) =>
    put(worker, `/api/v1/task-actions/${randomUUID()}`, { report_id: reportId, kind, note, expected_version: version });
  const judge = (comment: string) =>
    put(rider, `/api/v1/verdicts/${randomUUID()}`, { report_id: reportId, verdict: "unsatisfied", comment });
  const first = await (await worker.request.get(`/api/v1/reports/${reportId}`, { headers: await as(worker) })).json();
  let now = await act("accept", first.version);
  now = await act("resolve", now.version, "已换灯泡");
  now = await judge("当晚又灭了");
  expect(now.status).toBe("accepted");
  now = await act("resolve", now.version, "已换整套灯具");
  now = await judge("还是时亮时灭");
  expect(now.status).toBe("resolved");

  const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL });
  const admin = await office.newPage();
  await signIn(admin, "admin", "区管理员");
  await admin.goto("/district");
  const flagged = admin.getByTestId("disputed-task").filter({ has: admin.locator(`a[href="/tasks/${reportId}"]`) });
  await expect(flagged).toContainText("上报人再次不满意，已报区里复核：还是时亮时灭", { timeout: 15_000 });
  await expect(admin.getByText("两次不满意 · 区里复核")).toBeVisible();
  await flagged.scrollIntoViewIfNeeded();
  await admin.screenshot({ path: "test-results/screens/district-disputed-zh.png" });
  await admin.goto("/settings");
  await switchToEnglish(admin);
  await admin.goto("/district");
  await expect(admin.getByText("Unsatisfied twice: for the district")).toBeVisible({ timeout: 15_000 });
  await expect(flagged).toContainText("Not satisfied");
  await flagged.scrollIntoViewIfNeeded();
  await admin.screenshot({ path: "test-results/screens/district-disputed-en.png" });
  for (const ctx of [riderCtx, workerCtx, office]) await ctx.close();
});
