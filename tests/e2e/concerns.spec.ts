// 青亲暖新 on the phones: a rider raises 小区进门难 with the network off; once online it reaches the station, whose
// staff answer (the rider reads the answer) and resolve it; the rider says 满意. A 金点子 adopted earns the rider's
// 新星奖 points, once.
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { addUser, phone, session, signIn } from "./helpers";

const sync = async (page: Page) => {
  await page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  await page.getByRole("button", { name: "立即同步" }).click();
};

async function raise(rider: Page, kind: "困难诉求" | "金点子", topic: string, text: string) {
  await rider.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  await rider.getByTestId("raise-concern").click();
  const form = rider.getByTestId("concern-form");
  await form.getByRole("button", { name: kind }).click();
  await form.getByTestId("concern-topic").selectOption({ label: topic });
  await form.getByTestId("concern-text").fill(text);
  await form.getByTestId("concern-station").selectOption("demo-station-01");
  await form.getByTestId("concern-send").click();
  await expect(rider).toHaveURL(/\/concerns\/[0-9a-f-]{36}$/);
  return rider.url().split("/").pop()!;
}

/** The staff's phone on one concern: from the 诉求 tab's list. */
async function openOnStaffPhone(staff: Page, id: string) {
  await staff.getByRole("navigation").getByRole("link", { name: "诉求", exact: true }).click();
  const row = staff.getByTestId("concern-list").locator(`a[href="/concerns/${id}"]`);
  await expect(async () => {
    await staff.evaluate(() => window.dispatchEvent(new Event("online")));
    await expect(row).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await row.click();
}

async function act(staff: Page, button: string, text: string, status: string) {
  const actions = staff.getByTestId("concern-actions");
  await actions.getByTestId("concern-action-text").fill(text);
  await actions.getByRole("button", { name: button, exact: true }).click();
  await expect(staff.getByTestId("concern-step-waiting")).toHaveCount(0, { timeout: 20_000 });
  await expect(staff.getByTestId("concern-status")).toHaveText(status, { timeout: 20_000 });
}

async function balance(api: APIRequestContext, token: string): Promise<number> {
  const res = await api.get("/api/v1/leaderboard", { headers: { Authorization: `Bearer ${token}` } });
  return (await res.json()).my_balance;
}

test("a rider raises 小区进门难 offline; the station answers and resolves it; the rider is satisfied", async ({ browser, baseURL }) => {
  test.setTimeout(150_000);
  const riderCtx = await browser.newContext(phone);
  const rider = await riderCtx.newPage();
  await signIn(rider, "rider", "骑手小李");
  const staffCtx = await browser.newContext(phone);
  const staff = await staffCtx.newPage();
  await signIn(staff, "station_staff", "驿站张敏");

  // Offline: kept on the phone, shown as waiting.
  await riderCtx.setOffline(true);
  const id = await raise(rider, "困难诉求", "小区进门难", "锦绣花园小区不让骑手进门送餐");
  await expect(rider.getByTestId("concern-status")).toHaveText("待发送");
  await rider.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  await expect(rider.getByTestId("my-concern-list").locator("li")).toHaveCount(1);
  await expect(rider.getByTestId("my-concern-list")).toContainText("待发送");

  // Online: it reaches the station.
  await riderCtx.setOffline(false);
  await rider.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(rider.getByTestId("my-concern-list")).toContainText("已提交", { timeout: 20_000 });
  const api = (await browser.newContext({ baseURL })).request;
  const { token } = await session(rider);
  const onServer = async () =>
    (await api.get(`/api/v1/concerns/${id}`, { headers: { Authorization: `Bearer ${token}` } })).json();
  expect((await onServer()).topic).toBe("entry");

  // The staff answer; the rider reads the answer.
  await openOnStaffPhone(staff, id);
  await expect(staff.getByTestId("concern-detail")).toContainText("骑手小李");
  await expect(staff.getByTestId("concern-deadline")).toBeVisible();
  await act(staff, "答复", "已联系锦绣花园物业，明天起骑手登记后可进门", "已受理");
  await sync(rider);
  await expect(rider.getByTestId("my-concern-list")).toContainText("已受理", { timeout: 20_000 });
  await rider.getByTestId("my-concern-list").getByRole("link").first().click();
  await expect(rider.getByTestId("concern-timeline")).toContainText("已联系锦绣花园物业，明天起骑手登记后可进门");
  await expect(rider.getByTestId("concern-timeline")).toContainText("驿站张敏");

  // Resolved: the rider is asked, and says 满意.
  await act(staff, "办结", "物业已在门岗设骑手登记处", "已办结");
  await sync(rider);
  await expect(rider.getByTestId("my-concern-list")).toContainText("已办结", { timeout: 20_000 });
  await rider.getByTestId("my-concern-list").getByRole("link").first().click();
  await rider.getByTestId("concern-verdict-prompt").getByRole("button", { name: "满意", exact: true }).click();
  await expect(rider.getByTestId("concern-verdict")).toContainText("你的评价：满意", { timeout: 20_000 });
  await expect.poll(async () => (await onServer()).verdict, { timeout: 20_000 }).toBe("satisfied");
  const done = await onServer();
  expect(done.status).toBe("resolved");
  expect(done.timeline.map((s: { kind?: string }) => s.kind ?? "received")).toEqual(["received", "reply", "resolve"]);
  await riderCtx.close();
  await staffCtx.close();
});

test("a 金点子 adopted at the station earns its rider's points once", async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const riderCtx = await browser.newContext(phone);
  const rider = await riderCtx.newPage();
  await signIn(rider, "rider", "骑手小周");
  const staffCtx = await browser.newContext(phone);
  const staff = await staffCtx.newPage();
  await signIn(staff, "station_staff", "驿站刘洋");
  const api = (await browser.newContext({ baseURL })).request;
  const { token } = await session(rider);
  const before = await balance(api, token);

  const id = await raise(rider, "金点子", "停车", "在地铁口划一块外卖车临时停放区");
  await expect(rider.getByTestId("concern-status")).toHaveText("已提交", { timeout: 20_000 });
  await openOnStaffPhone(staff, id);
  // A suggestion is adopted or declined, never 办结.
  await expect(staff.getByTestId("concern-actions").getByRole("button", { name: "办结" })).toHaveCount(0);
  await act(staff, "采纳", "下周在 2 号口试点", "已采纳");
  await expect(staff.getByTestId("concern-actions")).toHaveCount(0);

  await expect.poll(() => balance(api, token), { timeout: 20_000 }).toBe(before + 5);
  await sync(rider);
  await expect(rider.getByTestId("my-concern-list")).toContainText("已采纳", { timeout: 20_000 });
  await rider.getByTestId("my-concern-list").getByRole("link").first().click();
  await expect(rider.getByTestId("concern-points")).toHaveText("新星奖 +5 分");
  // Synced again, from both phones (everything delivered is offered again, as after a server restore): still once.
  for (const page of [rider, staff]) {
    await page.evaluate(async () => {
      const db: IDBDatabase = await new Promise((ok, fail) => {
        const open = indexedDB.open("suishoupai");
        open.onsuccess = () => ok(open.result);
        open.onerror = () => fail(open.error);
      });
      const tx = db.transaction(["sent", "outbox"], "readwrite");
      const sent = tx.objectStore("sent");
      const all: IDBRequest<{ id: string }[]> = sent.getAll();
      await new Promise((ok) => (all.onsuccess = ok));
      for (const entry of all.result) tx.objectStore("outbox").put(entry, entry.id);
      await new Promise((ok) => (tx.oncomplete = ok));
    });
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
  }
  for (const page of [rider, staff]) {
    await expect
      .poll(() => page.evaluate(() => new Promise<number>((ok) => {
        const open = indexedDB.open("suishoupai");
        open.onsuccess = () => {
          const count = open.result.transaction("outbox").objectStore("outbox").count();
          count.onsuccess = () => ok(count.result);
        };
      })), { timeout: 20_000 })
      .toBe(0);
  }
  expect(await balance(api, token)).toBe(before + 5);
  await riderCtx.close();
  await staffCtx.close();
});

test("the district's 数据 screen counts the month's concerns per station, with the 办结率", async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const api = (await browser.newContext({ baseURL })).request;
  const enrolled = async (role: "rider" | "station_staff", name: string) =>
    (await (await api.post("/api/v1/enroll", { data: { code: addUser(role, name).code } })).json()).token as string;
  const rider = await enrolled("rider", "骑手小吴");
  const staff = await enrolled("station_staff", "驿站小赵");
  const id = crypto.randomUUID();
  const raised = await api.put(`/api/v1/concerns/${id}`, {
    headers: { Authorization: `Bearer ${rider}` },
    data: { kind: "difficulty", topic: "charging", text: "驿站充电柜坏了", station_id: "demo-station-01" },
  });
  expect(raised.status(), await raised.text()).toBe(201);
  const resolved = await api.put(`/api/v1/concern-actions/${crypto.randomUUID()}`, {
    headers: { Authorization: `Bearer ${staff}` },
    data: { concern_id: id, kind: "resolve", text: "已换新充电柜", expected_version: 1 },
  });
  expect(resolved.status(), await resolved.text()).toBe(201);
  const figures = await (
    await api.get(`/api/v1/stats/concerns?from=2026-01-01&to=2027-12-31`, { headers: { Authorization: `Bearer ${staff}` } })
  ).json();
  const station = figures.rows.find((r: { key: string }) => r.key === "demo-station-01");

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await signIn(page, "official", "区委社会工作部");
  await page.getByRole("navigation").getByRole("link", { name: "数据", exact: true }).click();
  await page.getByTestId("dashboard-from").fill("2026-01-01");
  await page.getByTestId("dashboard-from").dispatchEvent("change");
  await page.getByTestId("dashboard-to").fill("2027-12-31");
  await page.getByTestId("dashboard-to").dispatchEvent("change");
  const row = page.getByTestId("concern-figures").locator("tr", { hasText: station.name });
  await expect(row.locator("td").first()).toHaveText(String(station.received), { timeout: 15_000 });
  expect(station.resolved).toBeGreaterThanOrEqual(1);
  await expect(row.locator("td").nth(2)).toHaveText(String(station.resolved));
  await expect(row.locator("td").last()).toHaveText(`${Math.round(station.resolution_rate * 100)}%`);
  await page.getByTestId("dashboard-concerns").scrollIntoViewIfNeeded();
  await page.screenshot({ path: "test-results/screens/dashboard-concerns-zh.png" });
  await ctx.close();
});

test("station staff raise a concern at the counter with the rider's pass: it reaches the rider's phone", async ({ browser }) => {
  test.setTimeout(90_000);
  const riderCtx = await browser.newContext(phone);
  const rider = await riderCtx.newPage();
  await signIn(rider, "rider", "骑手老马");
  const staffCtx = await browser.newContext(phone);
  const staff = await staffCtx.newPage();
  await signIn(staff, "station_staff", "驿站小孙");

  await staff.getByRole("navigation").getByRole("link", { name: "诉求", exact: true }).click();
  await staff.getByTestId("raise-concern").click();
  const form = staff.getByTestId("concern-form");
  await form.getByTestId("concern-topic").selectOption({ label: "充电" });
  await form.getByTestId("concern-text").fill("电动车电池鼓包，想找地方换电");
  // Without the pass: said at once, in Chinese, and nothing typed is lost.
  await form.getByTestId("concern-send").click();
  await expect(form.getByTestId("concern-error")).toHaveText("请输入骑手的驿站码");
  await expect(form.getByTestId("concern-text")).toHaveValue("电动车电池鼓包，想找地方换电");

  await rider.getByRole("navigation").getByRole("link", { name: "驿站码", exact: true }).click();
  await form.getByTestId("concern-pass").fill(await rider.getByTestId("pass-code").innerText());
  await form.getByTestId("concern-send").click();
  await expect(staff.getByTestId("concern-status")).toHaveText("已提交", { timeout: 20_000 });
  await expect(staff.getByTestId("concern-detail")).toContainText("骑手老马");
  await expect(staff.getByTestId("concern-detail")).toContainText("驿站代登记");

  await rider.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  await rider.getByRole("button", { name: "立即同步" }).click();
  await expect(rider.getByTestId("my-concern-list")).toContainText("电动车电池鼓包", { timeout: 20_000 });
  await riderCtx.close();
  await staffCtx.close();
});
