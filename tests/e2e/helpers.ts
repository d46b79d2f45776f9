// Shared steps: accounts made with the real admin command line, and enrollment through the real enroll screen.
import { execFileSync } from "node:child_process";
import { expect, type Browser, type Page } from "@playwright/test";

export type Role = "rider" | "grid_worker" | "station_staff" | "admin";

function admin(args: string[]): string {
  const bin = process.env.E2E_SERVER_BIN ?? "target/debug/suishoupai";
  return execFileSync(bin, ["user", "--db", process.env.E2E_DB!, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Creates a user with `suishoupai user add --json` and returns their id and one-time code. */
export function addUser(role: Role, name: string, grid = "demo-grid-01"): { user_id: string; code: string } {
  const place =
    role === "grid_worker" ? ["--grid", grid] : role === "station_staff" ? ["--station", "demo-station-01"] : [];
  return JSON.parse(admin(["add", "--role", role, "--name", name, "--json", ...place]));
}

export function revokeUser(id: string) {
  admin(["revoke", id]);
}

export function newCode(id: string): string {
  return JSON.parse(admin(["code", id, "--json"])).code;
}

/** Types the code on the enroll screen and waits for the signed-in shell. */
export async function enrollWithCode(page: Page, code: string) {
  await page.getByLabel("登录码").fill(code);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page.getByRole("navigation")).toBeVisible();
}

/** A new user of `role`, signed in on this page. */
export async function signIn(page: Page, role: Role, name = "测试用户", grid?: string): Promise<string> {
  const { user_id, code } = addUser(role, name, grid);
  await page.goto("/");
  await enrollWithCode(page, code);
  return user_id;
}

export async function noSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, "the page scrolls sideways").toBeLessThanOrEqual(0);
}

/** A camera-like 4000×3000 JPEG (a few MB), drawn in the browser. */
export async function cameraPhoto(browser: Browser): Promise<Buffer> {
  const page = await browser.newPage();
  const base64 = await page.evaluate(async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 4000;
    canvas.height = 3000;
    const ctx = canvas.getContext("2d")!;
    // A camera-like scene: sky and road gradients, objects with edges, and sensor noise, so the JPEG has
    // the size of a real 12 MP photo (several MB) rather than that of a flat colour.
    const sky = ctx.createLinearGradient(0, 0, 0, 1400);
    sky.addColorStop(0, "#6fa8dc");
    sky.addColorStop(1, "#d9e7f5");
    ctx.fillStyle = sky;
    ctx.fillRect(0, 0, 4000, 1400);
    const road = ctx.createLinearGradient(0, 1400, 0, 3000);
    road.addColorStop(0, "#777");
    road.addColorStop(1, "#333");
    ctx.fillStyle = road;
    ctx.fillRect(0, 1400, 4000, 1600);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 400; i++) {
      ctx.fillStyle = `hsl(${rnd() * 360}, ${30 + rnd() * 40}%, ${25 + rnd() * 50}%)`;
      ctx.fillRect(rnd() * 4000, 600 + rnd() * 2200, 40 + rnd() * 400, 20 + rnd() * 300);
    }
    ctx.fillStyle = "#111";
    ctx.beginPath();
    ctx.ellipse(2000, 2300, 420, 160, 0, 0, Math.PI * 2);
    ctx.fill();
    const img = ctx.getImageData(0, 0, 4000, 3000);
    for (let i = 0; i < img.data.length; i += 4) {
      const n = (rnd() - 0.5) * 24;
      img.data[i] += n;
      img.data[i + 1] += n;
      img.data[i + 2] += n;
    }
    ctx.putImageData(img, 0, 0);
    const blob: Blob = await new Promise((r) => canvas.toBlob((b) => r(b!), "image/jpeg", 0.92));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  await page.close();
  return Buffer.from(base64, "base64");
}

/** Takes a photo, fills the form and sends; returns once the app says it is saved on the phone. */
export async function snapAndSend(page: Page, photo: Buffer, note: string) {
  await page.getByRole("navigation").getByRole("link", { name: "随手拍", exact: true }).click();
  await page.getByTestId("photo-input").setInputFiles({ name: "IMG_0001.jpg", mimeType: "image/jpeg", buffer: photo });
  await expect(page.getByRole("button", { name: "井盖缺失或破损" })).toBeVisible();
  await expect(page.getByTestId("location")).toContainText("已定位", { timeout: 10_000 });
  await page.getByRole("button", { name: "井盖缺失或破损" }).click();
  await page.getByLabel("说明（可不填）").fill(note);
  await page.getByLabel("说明（可不填）").blur();
  await page.getByRole("button", { name: "发送", exact: true }).click();
  await expect(page.getByTestId("report-message")).toHaveText("已保存在手机上，联网后自动发送。");
}
