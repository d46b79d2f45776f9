// Live changes: a grid worker's open 任务 page shows a rider's new urgent report within seconds — the server's event
// stream says there is news and the phone pulls the feed — while the phone's own poll comes only every 30 s. The
// task is counted on the tab and announced by a vibration. A stream that drops comes back; a stream that can't be
// held (a proxy that buffers or cuts it) leaves the poll to bring the task.
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { freshSpot, phone, session, signIn, switchToEnglish } from "./helpers";

/** An urgent report in demo-grid-07 (each at a place of its own: a new hazard, not one joined to an earlier
 * test's), sent by the rider's token over the API. */
async function report(rider: Page, note: string): Promise<string> {
  const id = randomUUID();
  const spot = freshSpot();
  const res = await rider.request.put(`/api/v1/reports/${id}`, {
    headers: { Authorization: `Bearer ${(await session(rider)).token}` },
    data: {
      category: "manhole_cover",
      urgent: true,
      description: note,
      lat: spot.latitude,
      lon: spot.longitude,
      accuracy_m: 8,
      photos: [],
      captured_at: new Date(Date.now() - 60_000).toISOString(),
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  return id;
}

/** The stream's request has gone out, and a moment later the stream is held (Playwright does not report the
 * response of a request whose body is still streaming, nor does its offline mode cut one). */
const streamOpened = async (page: Page) => {
  await page.waitForRequest((r) => r.url().includes("/api/v1/changes/stream"));
  await page.waitForTimeout(1_000);
};

/** A rider's phone and a grid worker's (demo-grid-07) on its 任务 page, each signed in; `prepare` readies the
 * worker's context before its page opens (routes, scripts). */
async function riderAndWorker(browser: Browser, prepare: (ctx: BrowserContext) => Promise<unknown> = async () => {}) {
  const riderCtx = await browser.newContext(phone);
  const rider = await riderCtx.newPage();
  await signIn(rider, "rider", "夜班骑手");
  const workerCtx = await browser.newContext(phone);
  await prepare(workerCtx);
  const worker = await workerCtx.newPage();
  const opened = streamOpened(worker);
  opened.catch(() => {}); // awaited only by the tests that need it
  await signIn(worker, "grid_worker", "网格员老周", "demo-grid-07");
  await expect(worker.getByRole("heading", { level: 1 })).toHaveText("网格任务");
  return {
    rider,
    worker,
    opened,
    close: async () => {
      await riderCtx.close();
      await workerCtx.close();
    },
  };
}

test("a new urgent report reaches the worker's open task list in seconds, counted and announced", async ({ browser }) => {
  test.setTimeout(120_000);
  // Count vibrations: the page may vibrate only after a touch, which a test does not give.
  const { rider, worker, opened, close } = await riderAndWorker(browser, (ctx) =>
    ctx.addInitScript(() => {
      (window as any).vibrations = 0;
      navigator.vibrate = () => ++(window as any).vibrations > 0;
    })
  );
  await opened;
  // Tasks left waiting by earlier tests on this server count too: the badge grows from what it shows now.
  const badge = worker.getByTestId("tasks-badge");
  const shown = async () => ((await badge.count()) ? Number(await badge.textContent()) : 0);
  let before = -1;
  await expect
    .poll(async () => {
      const first = await shown();
      await worker.waitForTimeout(1_000);
      before = await shown();
      return before === first; // the first pulls have settled
    })
    .toBe(true);

  // Three in a row, each on the list within 5 s: the 30-second poll could bring one by chance, not three.
  const sent: string[] = [];
  for (const note of ["井盖没了", "电线垂下来了", "路面塌了一个坑"]) {
    const id = await report(rider, note);
    sent.push(id);
    await expect(worker.locator(`a[href="/tasks/${id}"]`)).toBeVisible({ timeout: 5_000 });
  }
  await expect(badge).toHaveText(String(before + 3));
  await expect(worker.locator('a[href="/tasks"]')).toHaveAttribute("aria-description", `${before + 3} 件任务等你接单或报到`);
  await expect.poll(() => worker.evaluate(() => (window as any).vibrations)).toBeGreaterThanOrEqual(1);
  await worker.screenshot({ path: "test-results/screens/live-tasks-zh.png" });

  const after = await report(rider, "又一个井盖没了");
  await expect(worker.locator(`a[href="/tasks/${after}"]`)).toBeVisible({ timeout: 5_000 });
  await expect(badge).toHaveText(String(before + 4));

  // Turned off in 设置: no more vibrations (the task still comes).
  await worker.goto("/settings");
  await switchToEnglish(worker);
  const alerts = worker.getByTestId("urgent-alerts");
  await expect(alerts).toBeChecked();
  await alerts.uncheck();
  await worker.screenshot({ path: "test-results/screens/live-settings-en.png", fullPage: true });
  await worker.getByRole("navigation").getByRole("link", { name: "Tasks", exact: true }).click();
  const vibrated = await worker.evaluate(() => (window as any).vibrations);
  const quiet = await report(rider, "第五个");
  await expect(worker.locator(`a[href="/tasks/${quiet}"]`)).toBeVisible({ timeout: 5_000 });
  await expect(worker.locator('a[href="/tasks"]')).toHaveAttribute(
    "aria-description",
    `${before + 5} tasks waiting for you to take or acknowledge`
  );
  expect(await worker.evaluate(() => (window as any).vibrations)).toBe(vibrated);
  await worker.screenshot({ path: "test-results/screens/live-tasks-en.png" });
  await close();
});

test("a stream cut by a proxy leaves the 30-second poll to bring the task", async ({ browser }) => {
  test.setTimeout(120_000);
  // A proxy that answers the stream with nothing and closes it, every time.
  let cut = 0;
  const { rider, worker, close } = await riderAndWorker(browser, (ctx) =>
    ctx.route("**/api/v1/changes/stream", (route) => {
      cut += 1;
      return route.fulfill({ status: 200, contentType: "text/event-stream", body: "" });
    })
  );
  await expect.poll(() => cut).toBeGreaterThanOrEqual(1);
  const id = await report(rider, "井盖没了");
  await expect(worker.locator(`a[href="/tasks/${id}"]`)).toBeVisible({ timeout: 40_000 });
  // The phone backs off between tries rather than hammering the server.
  expect(cut).toBeLessThan(10);
  await close();
});

test("a stream that breaks comes back by itself and brings what happened meanwhile", async ({ browser }) => {
  test.setTimeout(120_000);
  // The first two tries break (a tunnel, a lost connection); the third holds.
  let tries = 0;
  const { rider, worker, close } = await riderAndWorker(browser, (ctx) =>
    ctx.route("**/api/v1/changes/stream", (route) => (++tries <= 2 ? route.abort("connectionreset") : route.continue()))
  );
  await expect.poll(() => tries).toBeGreaterThanOrEqual(1);
  // Reported while the phone has no stream: the stream's return (about 3 s of backoff later, well before the
  // 30-second poll) pulls it.
  const id = await report(rider, "井盖没了");
  await expect(worker.locator(`a[href="/tasks/${id}"]`)).toBeVisible({ timeout: 15_000 });
  expect(tries).toBeGreaterThanOrEqual(3);
  await close();
});
