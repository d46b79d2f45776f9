// A rider's own data (个人信息保护法): 设置 → 我的数据 downloads what the server keeps about them as a zip that reads
// back; erasing the account waits until everything on the phone is delivered, then leaves the report with the
// district (reported by 已注销用户) and clears the phone.
import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { addUser, cameraPhoto, phone, session, signIn, snapAndSend, stored } from "./helpers";

test("a rider downloads their data, and erases the account only once everything is delivered", async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const photo = await cameraPhoto(browser);
  const ctx = await browser.newContext(phone);
  const page = await ctx.newPage();
  await signIn(page, "rider", "注销骑手");
  await snapAndSend(page, photo, "路灯不亮");
  await page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  const first = page.getByTestId("my-reports").locator("li").first();
  await expect(first).toContainText("已送达", { timeout: 15_000 });
  const reportId = (await first.getByRole("link").getAttribute("href"))!.split("/").pop()!;

  // The download: a zip with data.json naming the report, and the photo.
  await page.getByRole("navigation").getByRole("link", { name: "设置", exact: true }).click();
  const card = page.getByTestId("my-data");
  const [download] = await Promise.all([page.waitForEvent("download"), card.getByRole("button", { name: "下载我的数据" }).click()]);
  const file = await download.path();
  const listing = execFileSync("python3", ["-c", `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
data = json.loads(z.read("data.json"))
print(data["account"]["name"], [r["id"] for r in data["reports"]], sum(n.startswith("photos/") for n in z.namelist()))
`, file!], { encoding: "utf8" });
  expect(listing.trim()).toBe(`注销骑手 ['${reportId}'] 1`);

  // Offline, a second report waits on the phone: erasing is refused until it is delivered.
  await ctx.setOffline(true);
  await snapAndSend(page, photo, "井盖松了");
  await page.getByRole("navigation").getByRole("link", { name: "设置", exact: true }).click();
  await card.getByRole("button", { name: "注销账号" }).click();
  await expect(card.getByTestId("erase-unsent")).toContainText("还有 1 项未送达");
  await card.getByRole("button", { name: "取消" }).click();
  await ctx.setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect.poll(() => stored<number>(page, "outbox", "count"), { timeout: 20_000 }).toBe(0);

  const { token } = await session(page);
  await card.getByRole("button", { name: "注销账号" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "确定注销" }).click();
  await expect(page.getByLabel("登录码")).toBeVisible({ timeout: 15_000 });
  expect(await stored<number>(page, "reports", "count")).toBe(0);
  expect(await stored<number>(page, "photos", "count")).toBe(0);

  // The server: the old token is dead; the report stays, no longer leading to the rider.
  const api = (await browser.newContext({ baseURL })).request;
  expect((await api.get("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(401);
  const admin = await (await api.post("/api/v1/enroll", { data: { code: addUser("admin", "管理员").code } })).json();
  const report = await (await api.get(`/api/v1/reports/${reportId}`, { headers: { Authorization: `Bearer ${admin.token}` } })).json();
  expect(report.reporter_name).toBe("已注销用户");
  await ctx.close();
});
