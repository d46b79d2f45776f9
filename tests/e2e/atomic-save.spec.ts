// A tab closed at any moment while a report is being saved: the report (待发送) and its outbox entry are written in
// one IndexedDB transaction, so after the app is opened again both are there or neither — never a queued report
// that would not be sent, never an outbox entry without its report.
import { expect, test, type Page } from "@playwright/test";
import { cameraPhoto, signIn } from "./helpers";

test.use({ geolocation: { latitude: 30.885, longitude: 104.255, accuracy: 10 }, permissions: ["geolocation"] });

async function savedState(page: Page): Promise<{ queued: string[]; outbox: string[] }> {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open("suishoupai");
        open.onsuccess = () => {
          const tx = open.result.transaction(["reports", "outbox"]);
          const reports = tx.objectStore("reports").getAll();
          const outbox = tx.objectStore("outbox").getAll();
          tx.oncomplete = () => {
            resolve({
              // 待发送, or 发送中 when a sync had begun (it tries every outbox entry again at the next start).
              queued: reports.result
                .filter((r: any) => r.state === "queued" || r.state === "sending")
                .map((r: any) => r.id)
                .sort(),
              outbox: outbox.result.filter((e: any) => (e.kind ?? "report") === "report").map((e: any) => e.id).sort(),
            });
            open.result.close();
          };
        };
      })
  );
}

test("a tab closed while saving leaves the report and its outbox entry together or neither", async ({ browser, context }) => {
  test.setTimeout(120_000);
  const photo = await cameraPhoto(browser);
  let page = await context.newPage();
  await signIn(page, "rider", "关页骑手");
  await page.goto("/settings");
  await expect(page.getByTestId("reference-counts")).toHaveText("类别 11 个 · 驿站 22 个 · 网格 8 个");
  // The app opens again offline below: from the service worker's copy, so it must be in place.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await context.setOffline(true); // nothing leaves the outbox during the test
  // From closing as the tap lands (before anything is written) to closing well after the save.
  const delays = [-1, -1, -1, 0, 1, 2, 4, 8, 15, 30, 60, 2000];
  for (const delay of delays) {
    await page.getByRole("navigation").getByRole("link", { name: "随手拍", exact: true }).click();
    await page.getByTestId("photo-input").setInputFiles({ name: "IMG.jpg", mimeType: "image/jpeg", buffer: photo });
    await page.getByRole("button", { name: "井盖缺失或破损" }).click();
    await expect(page.getByTestId("location")).toContainText("已定位", { timeout: 10_000 });
    const send = page.getByRole("button", { name: "发送", exact: true }).click();
    if (delay < 0) {
      // Closed while the tap is still on its way: the app may or may not have begun to save.
      send.catch(() => {});
    } else {
      await send;
      await new Promise((r) => setTimeout(r, delay));
    }
    await page.close();
    page = await context.newPage();
    await page.goto("/");
    await expect(page.getByRole("navigation")).toBeVisible();
    const state = await savedState(page);
    expect(state.outbox, delay < 0 ? "closed as Send was tapped" : `closed ${delay} ms after Send`).toEqual(state.queued);
  }
  const { queued } = await savedState(page);
  // The sweep crossed the moment of the save: some closes came before it, some after.
  expect(queued.length, "closed after the save: the report was kept whole").toBeGreaterThan(0);
  expect(queued.length, "closed before the save: nothing was written").toBeLessThan(delays.length);
  console.log(`figures: tab closed while saving: ${delays.length} closes, ${queued.length} reports saved whole, ${delays.length - queued.length} left as drafts, 0 half-saved`);
});
