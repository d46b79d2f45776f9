// The app shell as a rider meets it on a 360×640 phone: Chinese first, every tab, the language switch,
// and reference data that is still there after the network is cut and the page reloaded.
import { expect, test, type Page } from "@playwright/test";
import { noSidewaysScroll, signIn, switchToEnglish } from "./helpers";

// Every page, and the role that opens it, in the admin's order (an admin has every tab but 签到, which belongs to a
// station's counter, and 驿站码, which only riders have; 管理, the district's console, is their home, 数据 its figures).
const TABS = [
  { href: "/district", zh: "管理", en: "District", titleZh: "区级管理", titleEn: "District", role: "admin" },
  { href: "/dashboard", zh: "数据", en: "Figures", titleZh: "数据看板", titleEn: "Figures", role: "admin" },
  { href: "/tasks", zh: "任务", en: "Tasks", titleZh: "网格任务", titleEn: "Grid tasks", role: "admin" },
  { href: "/", zh: "随手拍", en: "Report", titleZh: "随手拍", titleEn: "Report a hazard", role: "admin" },
  { href: "/my-reports", zh: "我的上报", en: "My reports", titleZh: "我的上报", titleEn: "My reports", role: "admin" },
  { href: "/checkins", zh: "签到", en: "Check-ins", titleZh: "驿站签到", titleEn: "Station check-ins", role: "station_staff" },
  { href: "/stations", zh: "驿站", en: "Stations", titleZh: "暖心驿站", titleEn: "Warm-heart stations", role: "admin" },
  { href: "/pass", zh: "驿站码", en: "My pass", titleZh: "我的驿站码", titleEn: "My station pass", role: "rider" },
  { href: "/settings", zh: "设置", en: "Settings", titleZh: "设置", titleEn: "Settings", role: "admin" },
] as const;
const ADMIN_TABS = TABS.filter((t) => t.role === "admin");

const HAN = /[\u4e00-\u9fff]/;

function tabBar(page: Page) {
  return page.getByRole("navigation");
}

function screenName(href: string, lang: string) {
  return `test-results/screens/tab${href.replace(/\//g, "-")}-${lang}.png`;
}

test("a rider's app opens in Chinese with a tab bar within thumb reach", async ({ page }) => {
  await signIn(page, "rider", "骑手小李");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("随手拍");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  const links = tabBar(page).getByRole("link");
  await expect(links).toHaveText(["随手拍", "我的上报", "驿站", "驿站码", "设置"]);
  for (const box of await links.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()))) {
    expect(box.width).toBeGreaterThanOrEqual(48);
    expect(box.height).toBeGreaterThanOrEqual(48);
    expect(box.bottom).toBeGreaterThan(560); // at the bottom of a 640 px screen
  }
  await noSidewaysScroll(page);
  await page.screenshot({ path: "test-results/screens/report-zh.png" });
});

test("every tab opens its page", async ({ browser }) => {
  const visit = async (page: Page, tab: (typeof TABS)[number]) => {
    await tabBar(page).getByRole("link", { name: tab.zh, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`${tab.href.replace("/", "\\/")}$`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(tab.titleZh);
    await expect(tabBar(page).locator('[aria-current="page"]')).toHaveText(tab.zh);
    await noSidewaysScroll(page);
    await page.screenshot({ path: screenName(tab.href, "zh") });
  };
  for (const role of ["admin", "station_staff", "rider"] as const) {
    const page = await browser.newPage({ viewport: { width: 360, height: 640 } });
    await signIn(page, role, "管理员");
    if (role === "admin") await expect(tabBar(page).getByRole("link")).toHaveText(ADMIN_TABS.map((t) => t.zh));
    for (const tab of TABS.filter((t) => t.role === role)) await visit(page, tab);
    await page.close();
  }
});

test("a deep link opens its page directly and an unknown one says so", async ({ page }) => {
  await signIn(page, "rider");
  await page.goto("/settings");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("设置");
  await page.goto("/no-such-page");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("页面不存在");
});

test("the language switch turns every string English, is remembered, and switches back", async ({ page }) => {
  await signIn(page, "admin", "管理员");
  await page.goto("/settings");
  // The choice is written to IndexedDB in the background: this waits for it before anything reloads.
  await switchToEnglish(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Settings");
  await expect(tabBar(page).getByRole("link")).toHaveText(ADMIN_TABS.map((t) => t.en));
  await expect(page.getByTestId("categories")).toContainText("Flooding");
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as 管理员 (Administrator)");

  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Settings");
  for (const tab of ADMIN_TABS) {
    await tabBar(page).getByRole("link", { name: tab.en, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(tab.titleEn);
    // No screen mixes the languages: apart from data (station and grid names, the user's name, who acted),
    // nothing Chinese shows.
    const text = await page.locator("body").evaluate((body) => {
      const clone = body.cloneNode(true) as HTMLElement;
      clone
        .querySelectorAll(
          ".station-name, .station-address, .data, [data-testid='concern-figures'] tbody th, [data-testid='district-map'] svg, noscript, [lang='zh-CN'], [data-testid='signed-in-as'], [data-testid='leaderboard'] ol, .row-excerpt"
        )
        .forEach((e) => e.remove());
      return clone.innerText;
    });
    expect(text, `Chinese on the English ${tab.href} page`).not.toMatch(HAN);
    await noSidewaysScroll(page);
    await page.screenshot({ path: screenName(tab.href, "en") });
  }

  await tabBar(page).getByRole("link", { name: "Settings", exact: true }).click();
  await page.getByRole("button", { name: "中文" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("设置");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
});

test("stations and categories still show after the network is cut and the page reloaded", async ({ page, context }) => {
  await signIn(page, "rider");
  await page.goto("/stations");
  await expect(page.locator(".station")).toHaveCount(22);
  await expect(page.getByText("共 22 个驿站")).toBeVisible();
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("暖心驿站");
  await expect(page.locator(".station")).toHaveCount(22);
  await expect(page.getByRole("status").filter({ hasText: "离线" })).toBeVisible();
  await expect(page.locator(".station").first().locator(".chip.amenity svg").first()).toBeVisible();
  await expect(page.locator(".station").first().getByRole("link", { name: "地图导航" })).toHaveAttribute("href", /^geo:/);
  await page.screenshot({ path: "test-results/screens/stations-offline-zh.png" });

  await tabBar(page).getByRole("link", { name: "设置", exact: true }).click();
  await expect(page.getByTestId("reference-counts")).toHaveText("类别 11 个 · 驿站 22 个 · 网格 8 个");
  await expect(page.getByTestId("categories").getByRole("listitem")).toHaveCount(11);
  await page.getByRole("button", { name: "立即更新" }).click();
  await expect(page.getByText(/更新失败：网络不可用/)).toBeVisible();
  await expect(page.getByTestId("reference-counts")).toHaveText("类别 11 个 · 驿站 22 个 · 网格 8 个");
  await page.screenshot({ path: "test-results/screens/settings-offline-zh.png" });
  await context.setOffline(false);
});

test("settings show the server and the app version", async ({ page, baseURL }) => {
  await signIn(page, "rider");
  await page.goto("/settings");
  await expect(page.getByTestId("server-origin")).toHaveText(baseURL!);
  const health = await (await page.request.get("/api/v1/health")).json();
  await expect(page.getByTestId("app-version")).toHaveText(health.version);
});
