// Every main screen at 360×640, in Chinese and in English, into docs/screens/ (README shows them), each as the
// role that uses it: a rider with a delivered report, the worker of that grid, a station's staff.
import { execFileSync } from "node:child_process";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { addUser, cameraPhoto, enrollWithCode, snapAndSend } from "../e2e/helpers";

const phone = {
  viewport: { width: 360, height: 640 },
  deviceScaleFactor: 1,
  isMobile: true,
  hasTouch: true,
  geolocation: { latitude: 30.885, longitude: 104.255, accuracy: 12 },
  permissions: ["geolocation"],
};

async function shot(page: Page, name: string, lang: string) {
  // Let pictures, fonts and the sync settle. Not "networkidle": the live-changes stream keeps a request open for as
  // long as the page is.
  await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete));
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(500);
  await page.screenshot({ path: `docs/screens/${name}-${lang}.png` });
}

async function phoneOf(browser: Browser, role: "rider" | "grid_worker" | "station_staff" | "department_staff", name: string, lang: string) {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const { code } = addUser(role, name, "demo-grid-07");
  await page.goto("/");
  await enrollWithCode(page, code);
  return page;
}

async function english(page: Page) {
  await page.goto("/settings");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Settings");
}

for (const lang of ["zh", "en"]) {
  test(`main screens (${lang})`, async ({ browser }) => {
    const en = lang === "en";
    const photo = await cameraPhoto(browser);

    const rider = await phoneOf(browser, "rider", "骑手小李", lang);
    await snapAndSend(rider, photo, "井盖松动，电动车经过会翻");
    await rider.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
    await rider.getByRole("button", { name: "立即同步" }).click();
    await expect(rider.getByTestId("sync-summary")).toHaveText("全部已送达", { timeout: 20_000 });
    if (en) await english(rider);
    await rider.goto("/");
    await shot(rider, "report", lang);
    await rider.goto("/my-reports");
    await shot(rider, "my-reports", lang);
    await rider.emulateMedia({ colorScheme: "dark" });
    await shot(rider, "my-reports-dark", lang);
    await rider.emulateMedia({ colorScheme: "light" });
    await rider.getByTestId("my-reports").locator("a").first().click();
    await expect(rider.getByTestId("report-detail")).toBeVisible();
    await shot(rider, "report-detail", lang);
    await rider.goto("/stations");
    await expect(rider.locator(".station")).toHaveCount(22);
    await shot(rider, "stations", lang);
    await rider.goto("/pass");
    await shot(rider, "pass", lang);
    await rider.goto("/settings");
    await shot(rider, "settings", lang);
    await rider.goto("/");
    await rider.getByTestId("photo-input").setInputFiles({ name: "IMG_0002.jpg", mimeType: "image/jpeg", buffer: photo });
    await expect(rider.getByTestId("location")).toBeVisible();
    await rider.getByRole("button", { name: en ? "Flooding" : "积水内涝" }).click();
    await shot(rider, "report-form", lang);
    // The enroll screen, in the language chosen: signing out keeps it.
    await rider.goto("/settings");
    await rider.getByRole("button", { name: en ? "Sign out" : "退出登录" }).click();
    await rider.getByRole("alertdialog").getByRole("button").last().click();
    await expect(rider.getByRole("navigation")).toHaveCount(0);
    await shot(rider, "enroll", lang);

    const worker = await phoneOf(browser, "grid_worker", "网格员王芳", lang);
    if (en) await english(worker);
    await worker.goto("/tasks");
    await expect(worker.getByTestId("tasks").locator("li")).not.toHaveCount(0);
    await shot(worker, "tasks", lang);
    await worker.getByTestId("tasks").locator("a").first().click();
    await expect(worker.getByTestId("task-actions")).toBeVisible();
    await shot(worker, "task-detail", lang);

    const staff = await phoneOf(browser, "station_staff", "驿站张敏", lang);
    if (en) await english(staff);
    await staff.goto("/checkins");
    await shot(staff, "checkins", lang);
  });
}

for (const lang of ["zh", "en"]) {
  test(`a department called to a task, and the rider's verdict (${lang})`, async ({ browser }) => {
    const en = lang === "en";
    const t = (zh: string, english: string) => (en ? english : zh);
    const photo = await cameraPhoto(browser);
    const rider = await phoneOf(browser, "rider", "骑手小陈", lang);
    await snapAndSend(rider, photo, "井盖没了");
    await rider.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
    const mine = rider.getByTestId("my-reports").locator("li").first();
    await expect(mine).toContainText("已送达", { timeout: 20_000 });
    const href = await mine.getByRole("link").getAttribute("href");
    const reportId = href!.split("/").pop()!;
    if (en) await english(rider);

    // The worker escalates: 城管, as the 清单 says, must answer (报到).
    const worker = await phoneOf(browser, "grid_worker", "网格员老周", lang);
    if (en) await english(worker);
    await worker.goto(`/tasks/${reportId}`);
    await worker.getByRole("button", { name: t("接单", "Accept") }).click();
    await expect(worker.getByTestId("server-status")).toHaveText(t("已受理", "Accepted"), { timeout: 20_000 });
    await worker.getByLabel(t("升级原因", "Reason for escalating")).fill(t("井盖需城管更换", "The cover needs replacing"));
    await worker.getByRole("button", { name: t("升级", "Escalate"), exact: true }).click();
    const waiting = worker.getByTestId("task-summary").getByTestId("task-call");
    await expect(waiting).toBeVisible({ timeout: 20_000 });
    await worker.getByTestId("task-summary").scrollIntoViewIfNeeded();
    await shot(worker, "department-waiting", lang);

    // The department's list, then its answer and 办结.
    const dept = await phoneOf(browser, "department_staff", "城管小王", lang);
    if (en) await english(dept);
    await dept.goto("/tasks");
    const row = dept.getByTestId("tasks").locator(`a[href="/tasks/${reportId}"]`);
    await expect(row).toBeVisible({ timeout: 20_000 });
    await row.scrollIntoViewIfNeeded();
    await shot(dept, "department-tasks", lang);
    await row.click();
    await dept.getByRole("button", { name: t("报到", "Acknowledge") }).click();
    await expect(dept.getByTestId("task-summary").getByTestId("task-call")).toContainText(t("已报到", "has acknowledged"), { timeout: 20_000 });
    await dept.getByLabel(t("备注或办结说明", "Note or resolution")).fill(t("已更换新井盖", "New cover fitted"));
    await dept.getByRole("button", { name: t("办结", "Resolve") }).click();
    await expect(dept.getByTestId("server-status")).toHaveText(t("已办结", "Resolved"), { timeout: 20_000 });

    // The rider is asked.
    await rider.goto(`/my-reports/${reportId}`);
    await rider.evaluate(() => window.dispatchEvent(new Event("online")));
    const prompt = rider.getByTestId("verdict-prompt");
    await expect(prompt).toBeVisible({ timeout: 20_000 });
    await prompt.scrollIntoViewIfNeeded();
    await shot(rider, "verdict", lang);
  });
}

/** The district's last 90 days, lived by `suishoupai demo-history` into the test server's database (once). */
function threeMonthsOfHistory() {
  try {
    execFileSync(process.env.E2E_SERVER_BIN!, ["--db", process.env.E2E_DB!, "demo-history", "--days", "90"], { stdio: "pipe" });
  } catch (e: any) {
    if (!String(e.stderr).includes("already has a demo history")) throw e;
  }
}

/** `YYYY-MM-DD` of `days` ago in Beijing time. */
function daysAgo(days: number): string {
  return new Date(Date.now() + 8 * 3600_000 - days * 86_400_000).toISOString().slice(0, 10);
}

for (const lang of ["zh", "en"]) {
  test(`the dashboard over three months (${lang})`, async ({ browser }) => {
    threeMonthsOfHistory();
    const en = lang === "en";
    for (const [size, viewport] of [["desk", { width: 1280, height: 800 }], ["phone", { width: 360, height: 640 }]] as const) {
      const context = await browser.newContext({ ...phone, viewport, isMobile: size === "phone", timezoneId: "Asia/Shanghai" });
      const page = await context.newPage();
      const { code } = addUser("official", "区领导");
      await page.goto("/");
      await enrollWithCode(page, code);
      if (en) await english(page);
      await page.goto("/dashboard");
      await page.getByTestId("dashboard-from").fill(daysAgo(89));
      await page.getByTestId("trend").getByRole("button", { name: en ? "Monthly" : "按月" }).click();
      await expect(page.getByTestId("trend").locator("g[data-bucket]")).toHaveCount(4);
      await expect(page.locator('path[data-grid="demo-grid-05"]')).toBeVisible();
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, `dashboard-${size}`, lang);
      // 大同街道 → 团结社区: the grid that went red → yellow → green.
      await page.getByTestId("level-table").getByRole("button", { name: "大同街道" }).click();
      await page.getByTestId("level-table").getByRole("button", { name: "团结社区" }).click();
      const strip = page.getByTestId("colour-history").locator('li[data-grid="demo-grid-05"] svg');
      await expect(strip.locator('rect[data-color="red"]')).not.toHaveCount(0);
      await expect(strip).toHaveAttribute("data-now", /green|yellow/);
      await page.evaluate(() => window.scrollTo(0, 0));
      if (size === "desk") await shot(page, "dashboard-grid-desk", lang);
      await context.close();
    }
  });
}

for (const lang of ["zh", "en"]) {
  test(`a rider's concern form and the station's concern list (${lang})`, async ({ browser }) => {
    const en = lang === "en";
    const t = (zh: string, english: string) => (en ? english : zh);
    const rider = await phoneOf(browser, "rider", "骑手小李", lang);
    if (en) await english(rider);
    await rider.goto("/concerns/new");
    const form = rider.getByTestId("concern-form");
    await form.getByTestId("concern-topic").selectOption({ label: t("小区进门难", "Getting into compounds") });
    await form.getByTestId("concern-text").fill(t("锦绣花园小区不让骑手进门送餐", "The Jinxiu Garden guards won't let riders in"));
    await shot(rider, "concern-form", lang);
    await form.getByTestId("concern-send").click();
    await expect(rider.getByTestId("concern-status")).toHaveText(t("已提交", "Received"), { timeout: 20_000 });
    await rider.goto("/concerns/new");
    await rider.getByRole("button", { name: t("金点子", "An idea") }).click();
    await rider.getByTestId("concern-topic").selectOption({ label: t("停车", "Parking") });
    await rider.getByTestId("concern-text").fill(t("在地铁口划一块外卖车临时停放区", "A short-stay spot for delivery bikes by the metro exit"));
    await rider.getByTestId("concern-station").selectOption("demo-station-01");
    await rider.getByTestId("concern-send").click();
    await expect(rider.getByTestId("concern-status")).toHaveText(t("已提交", "Received"), { timeout: 20_000 });

    const staff = await phoneOf(browser, "station_staff", "驿站张敏", lang);
    if (en) await english(staff);
    await staff.goto("/concerns");
    await expect(staff.getByTestId("concern-list").locator("li")).not.toHaveCount(0, { timeout: 20_000 });
    await shot(staff, "concerns", lang);
    await staff.getByTestId("concern-list").locator("a").first().click();
    await expect(staff.getByTestId("concern-actions")).toBeVisible();
    await shot(staff, "concern-detail", lang);
  });
}
