// Scanning the enrollment QR code where the browser has BarcodeDetector. Chromium on Linux has none, so the
// detector is stood in for here (it reports the code it "sees"); the camera is Chromium's fake device.
import { expect, test } from "@playwright/test";
import { chromiumArgs, chromiumPath } from "../../playwright.chromium";
import { addUser } from "./helpers";

test.use({
  permissions: ["camera"],
  launchOptions: {
    executablePath: chromiumPath,
    args: [...chromiumArgs, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
  },
});

test("scanning a code with the camera enrolls the phone and stops the camera", async ({ page }) => {
  const { code } = addUser("rider", "扫码骑手");
  await page.addInitScript((code) => {
    (window as any).__framesSeen = 0;
    // Every camera track the page is given, to check each one is stopped.
    (window as any).__tracks = [];
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      (window as any).__tracks.push(...stream.getTracks());
      return stream;
    };
    (window as any).BarcodeDetector = class {
      constructor(public options: unknown) {}
      async detect(source: HTMLVideoElement) {
        // Only a playing camera frame yields the code.
        if (!(source instanceof HTMLVideoElement) || !source.srcObject || source.videoWidth === 0) return [];
        (window as any).__framesSeen++;
        return (window as any).__framesSeen < 3 ? [] : [{ rawValue: code, format: "qr_code" }];
      }
    };
  }, code);
  await page.goto("/");
  await page.getByRole("button", { name: "扫码登录" }).click();
  await expect(page.locator("video.scanner")).toBeVisible();
  await expect(page.getByRole("navigation")).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("随手拍");
  const live = await page.evaluate(() => document.querySelectorAll("video").length);
  expect(live).toBe(0);
  // The camera is off: every track it gave has ended (a hidden video could still hold a live one).
  const tracks: string[] = await page.evaluate(() => (window as any).__tracks.map((t: MediaStreamTrack) => t.readyState));
  expect(tracks.length).toBeGreaterThan(0);
  expect(tracks).toEqual(tracks.map(() => "ended"));
});

test("without a camera the scanner says so in Chinese and the code can still be typed", async ({ page }) => {
  await page.addInitScript(() => {
    (window as any).BarcodeDetector = class {
      async detect() {
        return [];
      }
    };
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
  });
  await page.goto("/");
  await page.getByRole("button", { name: "扫码登录" }).click();
  await expect(page.getByRole("alert")).toHaveText(/无法打开摄像头：Permission denied。请直接输入登录码。/);
  await expect(page.getByLabel("登录码")).toBeEditable();
});
