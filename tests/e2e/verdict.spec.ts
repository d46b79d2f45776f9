// The loop ends with the person who raised the problem: a resolved report asks its rider 满意 / 不满意 (a badge on
// 我的上报); 不满意, given offline, reaches the server when the phone is back and reopens the task for the grid;
// resolved again, the rider says 满意.
import { expect, test, type Page } from "@playwright/test";
import { addUser, cameraPhoto, phone, signIn, snapAndSend, switchToEnglish } from "./helpers";

test("a rider judges a resolved report: 不满意 offline reopens it for the grid, then 满意", async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const photo = await cameraPhoto(browser);
  const ctx = await browser.newContext(phone);
  const rider = await ctx.newPage();
  await signIn(rider, "rider", "评价骑手");
  await snapAndSend(rider, photo, "路灯不亮了");
  await rider.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  const row = rider.getByTestId("my-reports").locator("li").first();
  await expect(row).toContainText("已送达", { timeout: 15_000 });
  const reportId = (await row.getByRole("link").getAttribute("href"))!.split("/").pop()!;

  // The grid's worker accepts and resolves it (over the API: the worker's phone is tested elsewhere).
  const api = (await browser.newContext({ baseURL })).request;
  const { token } = await (await api.post("/api/v1/enroll", { data: { code: addUser("grid_worker", "网格员老周", "demo-grid-07").code } })).json();
  const auth = { Authorization: `Bearer ${token}` };
  const task = async () => (await api.get(`/api/v1/reports/${reportId}`, { headers: auth })).json();
  const act = async (kind: string, extra: object = {}) => {
    const t = await task();
    const res = await api.put(`/api/v1/task-actions/${crypto.randomUUID()}`, {
      headers: auth,
      data: { report_id: reportId, kind, expected_version: t.version, ...extra },
    });
    expect(res.status(), await res.text()).toBe(201);
  };
  await act("accept");
  await act("resolve", { note: "换了灯泡" });

  const sync = (page: Page) => page.getByRole("button", { name: "立即同步" }).click();
  await sync(rider);
  await expect(row).toContainText("已办结", { timeout: 15_000 });
  await expect(rider.getByTestId("verdict-badge")).toHaveText("1");
  await row.getByRole("link").click();
  const prompt = rider.getByTestId("verdict-prompt");
  await expect(prompt).toContainText("对处理结果满意吗？");
  await rider.screenshot({ path: "test-results/screens/verdict-prompt-zh.png", fullPage: true });

  // 不满意 with the network off: kept on the phone, the badge gone, sent when the network is back.
  await ctx.setOffline(true);
  await prompt.getByLabel("说明（选填）").fill("晚上还是黑的");
  await prompt.getByRole("button", { name: "不满意" }).click();
  await expect(rider.getByTestId("verdict")).toContainText("已存手机");
  await expect(rider.getByTestId("verdict-badge")).toHaveCount(0);
  await ctx.setOffline(false);
  await rider.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect.poll(async () => (await task()).status, { timeout: 20_000 }).toBe("accepted");
  const reopened = await task();
  expect(reopened.timeline.at(-1).note).toContain("晚上还是黑的");
  expect(reopened.verdicts).toEqual({ satisfied: 0, unsatisfied: 1 });
  await expect(rider.getByTestId("server-status")).toHaveText("已受理", { timeout: 15_000 });
  await expect(rider.getByTestId("verdict-prompt")).toHaveCount(0);

  // Resolved again: asked again; 满意.
  await act("resolve", { note: "换了整个灯头" });
  await rider.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  await sync(rider);
  await expect(row).toContainText("已办结", { timeout: 15_000 });
  await expect(rider.getByTestId("verdict-badge")).toHaveText("1");
  await row.getByRole("link").click();
  await rider.getByTestId("verdict-prompt").getByRole("button", { name: "满意", exact: true }).click();
  await expect(rider.getByTestId("verdict")).toContainText("你的评价：满意", { timeout: 15_000 });
  expect((await task()).verdicts).toEqual({ satisfied: 1, unsatisfied: 1 });
  expect((await task()).status).toBe("resolved");
  await ctx.close();
});

test("the verdict prompt in English, at 360×640", async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const photo = await cameraPhoto(browser);
  const ctx = await browser.newContext(phone);
  const rider = await ctx.newPage();
  await signIn(rider, "rider", "Rider");
  await snapAndSend(rider, photo, "lamp out");
  await rider.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  const row = rider.getByTestId("my-reports").locator("li").first();
  await expect(row).toContainText("已送达", { timeout: 15_000 });
  const reportId = (await row.getByRole("link").getAttribute("href"))!.split("/").pop()!;
  const api = (await browser.newContext({ baseURL })).request;
  const { token } = await (await api.post("/api/v1/enroll", { data: { code: addUser("grid_worker", "Worker", "demo-grid-07").code } })).json();
  const auth = { Authorization: `Bearer ${token}` };
  for (const [kind, extra] of [["accept", {}], ["resolve", { note: "fixed" }]] as const) {
    const t = await (await api.get(`/api/v1/reports/${reportId}`, { headers: auth })).json();
    const res = await api.put(`/api/v1/task-actions/${crypto.randomUUID()}`, {
      headers: auth,
      data: { report_id: reportId, kind, expected_version: t.version, ...extra },
    });
    expect(res.status()).toBe(201);
  }
  await rider.goto("/settings");
  await switchToEnglish(rider);
  await rider.goto("/my-reports");
  await rider.getByRole("button", { name: "Sync now" }).click();
  await expect(rider.getByTestId("verdict-badge")).toHaveText("1", { timeout: 15_000 });
  await rider.goto(`/my-reports/${reportId}`);
  await expect(rider.getByTestId("verdict-prompt")).toContainText("Are you satisfied", { timeout: 15_000 });
  await rider.screenshot({ path: "test-results/screens/verdict-prompt-en.png", fullPage: true });
  await ctx.close();
});
