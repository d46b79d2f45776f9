// Section 9 of BENCHMARKS.md, the phone's side of live changes: the time from an urgent report's 201 to the grid
// worker's open 任务 page showing it (a MutationObserver in the page stamps the moment its link appears), for 50
// reports sent one after another with the live stream, and for 50 sent one every 0.6 s with the stream refused
// (the phone's 30-second poll alone). Release PWA and server, loopback. Figures go to $BENCH_DIR/live-page.json.
import * as fs from "node:fs";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { session, signIn } from "../tests/e2e/helpers";

const dir = path.resolve(process.env.BENCH_DIR ?? "target/bench");
const COUNT = Number(process.env.BENCH_LIVE_REPORTS ?? 50);

declare global {
  interface Window {
    shown: Record<string, number>;
  }
}

/** A worker of demo-grid-07 on the 任务 page, stamping (epoch ms) when each task's link first appears. */
async function worker(ctx: BrowserContext): Promise<Page> {
  await ctx.addInitScript(() => {
    window.shown = {};
    new MutationObserver(() => {
      for (const a of document.querySelectorAll<HTMLAnchorElement>('a[href^="/tasks/"]')) {
        const id = a.getAttribute("href")!.slice("/tasks/".length);
        window.shown[id] ??= Date.now();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const page = await ctx.newPage();
  await signIn(page, "grid_worker", "网格员老周", "demo-grid-07");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("网格任务");
  await page.waitForTimeout(2_000); // the first sync and the stream settle
  return page;
}

/** An urgent report in demo-grid-07 by the rider's token; resolves with the moment its 201 came (epoch ms). */
async function report(rider: Page, token: string): Promise<[string, number]> {
  const id = randomUUID();
  const res = await rider.request.put(`/api/v1/reports/${id}`, {
    headers: { Authorization: `Bearer ${token}` },
    data: {
      category: "manhole_cover",
      urgent: true,
      description: "井盖没了",
      lat: 30.885,
      lon: 104.255,
      accuracy_m: 8,
      photos: [],
      captured_at: new Date(Date.now() - 60_000).toISOString(),
    },
  });
  expect(res.status()).toBe(201);
  return [id, Date.now()];
}

const pct = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((s.length * p) / 100) - 1)];
};
const summary = (ms: number[]) => ({ n: ms.length, p50: pct(ms, 50), p95: pct(ms, 95), max: Math.max(...ms) });

test("live changes: report 201 → the worker's open task list, live and by the poll", async ({ browser }) => {
  test.setTimeout(10 * 60_000);
  const riderCtx = await browser.newContext();
  const rider = await riderCtx.newPage();
  await signIn(rider, "rider", "夜班骑手");
  const token = (await session(rider)).token;

  const measure = async (page: Page, sent: [string, number][], wait: number) => {
    await expect
      .poll(() => page.evaluate((ids) => ids.every((id) => window.shown[id]), sent.map((s) => s[0])), { timeout: wait })
      .toBe(true);
    const shown = await page.evaluate(() => window.shown);
    return sent.map(([id, at]) => shown[id] - at);
  };

  // Live: one report at a time, the next once the last is on the list.
  const liveCtx = await browser.newContext();
  const live = await worker(liveCtx);
  const liveMs: number[] = [];
  for (let i = 0; i < COUNT; i++) {
    const sent = await report(rider, token);
    liveMs.push(...(await measure(live, [sent], 10_000)));
  }
  await liveCtx.close();

  // The poll alone: the stream refused, a report every 0.6 s over about 30 s, each waiting for the next tick.
  const pollCtx = await browser.newContext();
  await pollCtx.route("**/api/v1/changes/stream", (route) => route.fulfill({ status: 503, body: "" }));
  const poll = await worker(pollCtx);
  const sent: [string, number][] = [];
  for (let i = 0; i < COUNT; i++) {
    sent.push(await report(rider, token));
    await poll.waitForTimeout(600);
  }
  const pollMs = await measure(poll, sent, 90_000);
  await pollCtx.close();
  await riderCtx.close();

  const result = { live: summary(liveMs), poll: summary(pollMs) };
  console.log(JSON.stringify(result));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "live-page.json"), JSON.stringify(result, null, 2));
});
