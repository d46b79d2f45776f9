// Every page, in Chinese and in English, in the light and the dark theme, checked by tools: axe finds no
// serious or critical violation; every control is at least 48×48 px; text has at least 7:1 contrast
// (axe's color-contrast-enhanced rule, WCAG AAA); nothing scrolls sideways.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { cameraPhoto, noSidewaysScroll, signIn, snapAndSend, switchToEnglish } from "./helpers";

test.use({ geolocation: { latitude: 30.885, longitude: 104.255, accuracy: 12 }, permissions: ["geolocation"] });

type Check = { name: string; role?: "station_staff" | "rider"; open: (page: Page) => Promise<void> };

const heading = (page: Page) => page.getByRole("heading", { level: 1 });

/** Visits every page (an admin's, and 签到 and 驿站码 as the roles they belong to) and the detail pages. */
function pages(reportId: string, lang: "zh" | "en"): Check[] {
  const zh = lang === "zh";
  const goto = (path: string, title: string) => async (page: Page) => {
    await page.goto(path);
    await expect(heading(page)).toHaveText(title);
  };
  return [
    { name: "report", open: goto("/", zh ? "随手拍" : "Report a hazard") },
    {
      name: "report-form",
      open: async (page) => {
        await goto("/", zh ? "随手拍" : "Report a hazard")(page);
        await page.getByTestId("photo-input").setInputFiles({ name: "a.jpg", mimeType: "image/jpeg", buffer: photo });
        await expect(page.getByRole("button", { name: zh ? "井盖缺失或破损" : "Missing or broken manhole cover" })).toBeVisible();
        // The primary action is within the thumb's reach without scrolling: at the bottom, above the tab bar.
        const send = await page.getByRole("button", { name: zh ? "发送" : "Send", exact: true }).boundingBox();
        expect(send!.y).toBeGreaterThan(480);
        expect(send!.y + send!.height).toBeLessThanOrEqual(640 - 64);
      },
    },
    { name: "my-reports", open: goto("/my-reports", zh ? "我的上报" : "My reports") },
    { name: "report-detail", open: goto(`/my-reports/${reportId}`, zh ? "上报详情" : "Report") },
    { name: "tasks", open: goto("/tasks", zh ? "网格任务" : "Grid tasks") },
    { name: "task-detail", open: goto(`/tasks/${reportId}`, zh ? "任务详情" : "Task") },
    { name: "checkins", role: "station_staff", open: goto("/checkins", zh ? "驿站签到" : "Station check-ins") },
    { name: "stations", open: goto("/stations", zh ? "暖心驿站" : "Warm-heart stations") },
    { name: "district", open: goto("/district", zh ? "区级管理" : "District") },
    { name: "pass", role: "rider", open: goto("/pass", zh ? "我的驿站码" : "My station pass") },
    { name: "settings", open: goto("/settings", zh ? "设置" : "Settings") },
    { name: "not-found", open: goto("/no-such-page", zh ? "页面不存在" : "Page not found") },
  ];
}

let photo: Buffer;

test.beforeAll(async ({ browser }) => {
  photo = await cameraPhoto(browser);
});

/** Controls smaller than 48×48 px (a hidden file input counts through the label that opens it). */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const controls = document.querySelectorAll<HTMLElement>(
      "a[href], button, input, select, textarea, summary, [role='button'], [tabindex]:not([tabindex='-1'])"
    );
    const small: string[] = [];
    for (const el of controls) {
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || style.display === "none") continue;
      let target: HTMLElement = el;
      const box = el.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1 || (el instanceof HTMLInputElement && ["checkbox", "radio"].includes(el.type))) {
        const label = el.closest("label") ?? (el.id ? document.querySelector<HTMLElement>(`label[for="${el.id}"]`) : null);
        if (!label) {
          if (box.width <= 1 || box.height <= 1) continue; // not shown at all (visually hidden with nothing to tap)
        } else {
          target = label;
        }
      }
      const r = target.getBoundingClientRect();
      if (r.width < 48 || r.height < 48) {
        small.push(`${target.tagName.toLowerCase()}.${target.className} "${(target.textContent ?? "").trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return small;
  });
}

async function audit(page: Page, where: string) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const result = await new AxeBuilder({ page })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
      .analyze();
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), `axe on ${where} (${scheme})`).toEqual([]);
    const contrast = await new AxeBuilder({ page }).withRules(["color-contrast-enhanced"]).analyze();
    expect(
      contrast.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(" ")}: ${n.any[0]?.message ?? ""}`)),
      `text below 7:1 on ${where} (${scheme})`
    ).toEqual([]);
    expect(await smallTargets(page), `controls under 48×48 px on ${where} (${scheme})`).toEqual([]);
  }
  await noSidewaysScroll(page);
  await page.emulateMedia({ colorScheme: null });
}

test("every page in both languages and both themes: no serious axe violation, 48 px targets, 7:1 text", async ({ page, browser }) => {
  test.setTimeout(240_000);
  // The enroll screen, before anyone signs in.
  await page.goto("/");
  await expect(heading(page)).toBeVisible();
  await audit(page, "enroll (zh)");

  await signIn(page, "admin", "管理员");
  await snapAndSend(page, photo, "无障碍检查");
  await page.goto("/my-reports");
  const href = await page.getByTestId("my-reports").locator("a").first().getAttribute("href");
  const reportId = href!.split("/").pop()!;
  // The task exists once the report reached the server.
  await page.getByRole("button", { name: "立即同步" }).click();
  await expect(page.getByTestId("sync-summary")).toHaveText("全部已送达", { timeout: 20_000 });

  let audited = 1;
  for (const lang of ["zh", "en"] as const) {
    if (lang === "en") {
      await page.goto("/settings");
      await switchToEnglish(page);
      await expect(heading(page)).toHaveText("Settings");
    }
    for (const check of pages(reportId, lang)) {
      // 签到 and 驿站码 are not an admin's: opened by the role they belong to, in the same language.
      let other: Page | undefined;
      if (check.role) {
        const ctx = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, locale: "zh-CN" });
        other = await ctx.newPage();
        await signIn(other, check.role);
        if (lang === "en") {
          await other.goto("/settings");
          // Stored before the page is opened anew (a reload that comes first finds Chinese).
          await switchToEnglish(other);
          await expect(heading(other)).toHaveText("Settings");
        }
      }
      await check.open(other ?? page);
      await audit(other ?? page, `${check.name} (${lang})`);
      await other?.context().close();
      audited++;
    }
  }
  // The English enroll screen: signing out keeps the language.
  await page.goto("/settings");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: /^Sign out/ }).last().click();
  await expect(page.getByRole("navigation")).toHaveCount(0);
  await audit(page, "enroll (en)");
  audited++;
  // The checks can fail: grey text (4.5:1) and a 30 px button on the same screen are caught.
  await page.emulateMedia({ colorScheme: "light" });
  await page.evaluate(() => {
    const p = document.createElement("p");
    p.textContent = "4.5:1";
    p.style.color = "#767676";
    p.style.background = "#ffffff";
    const b = document.createElement("button");
    b.textContent = "x";
    b.style.cssText = "min-width:0;min-height:0;width:30px;height:30px;padding:0";
    document.body.append(p, b);
  });
  const grey = await new AxeBuilder({ page }).withRules(["color-contrast-enhanced"]).analyze();
  expect(grey.violations.length).toBeGreaterThan(0);
  expect(await smallTargets(page)).toEqual([expect.stringMatching(/^button\. "x" 30×30$/)]);
  console.log(`figures: axe, 48 px targets and 7:1 contrast on ${audited} pages × 2 themes (${audited / 2} pages × 2 languages)`);
});
