// The first load carries only the first screens (随手拍 and the enroll screen): every other page is a chunk of
// its own, fetched once the first screen is idle or when the page is first opened. A chunk that cannot be fetched
// leaves the app running: the page says so and 重试 fetches it again.
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test, type BrowserContext } from "@playwright/test";
import { addUser, cameraPhoto, enrollWithCode, session, signIn, snapAndSend, stored } from "./helpers";

// The page's own requests, without a service worker fetching every chunk ahead of it.
test.use({
  serviceWorkers: "block",
  geolocation: { latitude: 30.885, longitude: 104.255, accuracy: 12 },
  permissions: ["geolocation"],
});

const isPageChunk = (url: string) => /\/(split_|chunk_)[^/]*\.wasm$/.test(new URL(url).pathname);

/** Refuses every page chunk until the returned function is called; counts the refusals. */
async function refuseChunks(context: BrowserContext) {
  const refused: string[] = [];
  const handler = (route: any) => {
    refused.push(new URL(route.request().url()).pathname);
    return route.abort("internetdisconnected");
  };
  await context.route(isPageChunk, handler);
  return { refused, allow: () => context.unroute(isPageChunk, handler) };
}

test("随手拍 works with the first chunk alone; 我的上报 comes with its own chunk", async ({ page, context, browser }) => {
  const photo = await cameraPhoto(browser);
  await signIn(page, "rider", "首屏骑手");
  const chunks = await refuseChunks(context);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("随手拍");
  await page.getByTestId("photo-input").setInputFiles({ name: "a.jpg", mimeType: "image/jpeg", buffer: photo });
  await expect(page.getByRole("button", { name: "井盖缺失或破损" })).toBeVisible();
  await expect(page.getByRole("button", { name: "发送", exact: true })).toBeVisible();
  await expect(page.locator("html")).not.toHaveAttribute("data-pages", "ready");
  // The idle prefetch asked for the page chunks meanwhile and was refused: the first screen never needed them.
  await expect.poll(() => chunks.refused.length).toBeGreaterThan(0);
  await chunks.allow();
  await page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("我的上报");
});

test("the sync engine is a chunk of its own: a report saved before it could be fetched waits, then goes once it can", async ({
  page,
  context,
  browser,
}) => {
  const photo = await cameraPhoto(browser);
  await signIn(page, "rider", "引擎骑手");
  const chunks = await refuseChunks(context);
  await page.reload();
  await snapAndSend(page, photo, "引擎未到时的上报");
  await expect(page.getByTestId("report-message")).toHaveText("已保存在手机上，联网后自动发送。");
  await expect.poll(() => chunks.refused.some((c) => c.includes("split_sync_engine"))).toBe(true);
  expect(await stored<number>(page, "outbox", "count")).toBe(1);
  await chunks.allow();
  // The next run (the online event, as when the network returns) fetches the engine and sends the report.
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect.poll(() => stored<number>(page, "outbox", "count"), { timeout: 20_000 }).toBe(0);
  const { token } = await session(page);
  const feed = await (await page.request.get("/api/v1/changes?limit=500", { headers: { Authorization: `Bearer ${token}` } })).json();
  const mine = feed.changes.filter((c: any) => c.kind === "report" && c.data.description === "引擎未到时的上报");
  expect(mine).toHaveLength(1);
});

test("a page whose chunk cannot be fetched says so, the app goes on, and 重试 brings the page", async ({ page, context }) => {
  await signIn(page, "rider", "断网骑手");
  const chunks = await refuseChunks(context);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("随手拍");
  await page.getByRole("navigation").getByRole("link", { name: "驿站", exact: true }).click();
  await expect(page.getByTestId("page-not-loaded")).toContainText("这一页还没能下载到手机上");
  await page.screenshot({ path: "test-results/screens/page-not-loaded-zh.png" });
  // The app still runs: the tab bar goes back to 随手拍 and to 驿站 again.
  await page.getByRole("navigation").getByRole("link", { name: "随手拍", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("随手拍");
  await page.getByRole("navigation").getByRole("link", { name: "驿站", exact: true }).click();
  await expect(page.getByTestId("page-not-loaded")).toBeVisible();
  await chunks.allow();
  await page.getByRole("button", { name: "重试" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("暖心驿站");
  await expect(page.locator(".station")).toHaveCount(22);
});

test("the first load arrives as the build's brotli copies, byte for byte; the enroll screen fetches no page's chunk", async ({
  page,
}) => {
  const finished: import("@playwright/test").Request[] = [];
  page.on("requestfinished", (request) => {
    if (/\.(html|js|wasm|css)$/.test(file(request.url()))) finished.push(request);
  });
  await page.goto("/");
  await expect(page.getByLabel("登录码")).toBeVisible();
  // The enroll screen, idle: only the first chunk — a new phone opens none of the other pages yet.
  await page.evaluate(() => new Promise((idle) => requestIdleCallback(() => setTimeout(idle, 500))));
  const wasmNow = () => finished.map((r) => file(r.url())).filter((f) => f.endsWith(".wasm"));
  expect(wasmNow()).toHaveLength(1);
  // Signed in, the rider's pages arrive ahead of time, as the build's brotli copies too.
  await enrollWithCode(page, addUser("rider", "首载骑手").code);
  const sent = [];
  for (const request of finished) {
    const response = await request.response();
    sent.push({
      file: file(request.url()),
      encoding: await response!.headerValue("content-encoding"),
      bytes: (await request.sizes()).responseBodySize,
    });
  }
  expect(sent.filter((s) => s.file.endsWith(".wasm")).length).toBeGreaterThan(1);
  for (const s of sent) {
    expect(s.encoding, s.file).toBe("br");
    expect(s.bytes, s.file).toBe(fs.statSync(path.join("dist", `${s.file}.br`)).size);
  }
  expect(sent.map((s) => s.file)).toContain("index.html");
});

/** The file a URL names in dist/ (the shell for "/"). */
function file(url: string): string {
  return new URL(url).pathname.slice(1) || "index.html";
}
