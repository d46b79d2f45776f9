// 暖心驿站 end to end: the rider's pass computed on the phone, staff confirming a check-in with the network off
// on both phones, the rider's visit list, and an expired code refused.
import { expect, test, type Page } from "@playwright/test";
import { session, signIn, totp } from "./helpers";

async function passSecret(page: Page): Promise<string> {
  return (await session(page)).pass_secret!;
}

test("a rider's pass is an RFC 6238 code with a QR code and a countdown, made without network", async ({ page, context }) => {
  await signIn(page, "rider", "小李");
  const secret = await passSecret(page);
  await context.setOffline(true);
  await page.getByRole("navigation").getByRole("link", { name: "驿站码", exact: true }).click();
  const shown = (await page.getByTestId("pass-code").innerText()).replace(" ", "");
  const now = Date.now() / 1000;
  expect([totp(secret, now), totp(secret, now - 30)]).toContain(shown);
  await expect(page.locator(".qr svg")).toHaveCount(1);
  await expect(page.getByTestId("pass-countdown")).toHaveText(/\d+ 秒后更新/);
  await page.screenshot({ path: "test-results/screens/pass-zh.png" });
});

test("with both phones offline, staff record a check-in that is confirmed once both sync", async ({ browser }) => {
  const riderCtx = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true });
  const staffCtx = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true });
  const rider = await riderCtx.newPage();
  const staff = await staffCtx.newPage();
  await signIn(rider, "rider", "到站骑手");
  await signIn(staff, "station_staff", "驿站小王");
  await rider.goto("/settings");
  await expect(rider.getByTestId("reference-counts")).toContainText("驿站 22 个");
  // The page was loaded again: every page's code is on the phone before the network goes.
  await expect(rider.locator("html")).toHaveAttribute("data-pages", "ready", { timeout: 15_000 });
  await riderCtx.setOffline(true);
  await staffCtx.setOffline(true);

  await rider.getByRole("navigation").getByRole("link", { name: "驿站码", exact: true }).click();
  const code = await rider.getByTestId("pass-code").innerText();
  await staff.getByLabel("骑手的驿站码").fill(code);
  await staff.getByRole("button", { name: "确认签到" }).click();
  await expect(staff.getByTestId("checkin-message")).toHaveText("已记录在手机上，联网后由服务器确认。");
  await expect(staff.getByTestId("checkin-list").locator("li")).toHaveCount(1);
  await expect(staff.getByTestId("checkin-list")).toContainText("待同步");
  await expect(staff.getByTestId("checkins-today")).toHaveText("今天 1 人次");
  await staff.screenshot({ path: "test-results/screens/checkins-pending-zh.png" });

  await staffCtx.setOffline(false);
  await staff.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(staff.getByTestId("checkin-list")).toContainText("已确认", { timeout: 15_000 });
  await expect(staff.getByTestId("checkin-list")).toContainText("到站骑手");
  await staff.screenshot({ path: "test-results/screens/checkins-confirmed-zh.png" });

  await riderCtx.setOffline(false);
  await rider.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(rider.getByTestId("visits")).toContainText("暖心驿站·大弯：1 次", { timeout: 15_000 });
  await riderCtx.close();
  await staffCtx.close();
});

test("an expired code is refused with a clear message", async ({ browser }) => {
  const riderPage = await browser.newPage({ viewport: { width: 360, height: 640 } });
  await signIn(riderPage, "rider", "截图骑手");
  const secret = await passSecret(riderPage);
  await riderPage.close();
  const staff = await browser.newPage({ viewport: { width: 360, height: 640 } });
  await signIn(staff, "station_staff", "驿站小赵");
  const screenshotCode = totp(secret, Date.now() / 1000 - 120); // a screenshot from two minutes ago
  await staff.getByLabel("骑手的驿站码").fill(screenshotCode);
  await staff.getByRole("button", { name: "确认签到" }).click();
  await expect(staff.getByTestId("checkin-list")).toContainText("被拒：驿站码无效或已过期", { timeout: 15_000 });
  // The refused visit is not counted (visits confirmed at this station by other tests' staff may be).
  const confirmed = await staff.getByTestId("checkin-list").locator("li", { hasText: "已确认" }).count();
  await expect(staff.getByTestId("checkins-today")).toHaveText(`今天 ${confirmed} 人次`);
  await staff.screenshot({ path: "test-results/screens/checkins-refused-zh.png" });
  await staff.close();
});
