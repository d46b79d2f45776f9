// Accounts as people meet them: enrolling a phone with a code from the admin command line, the tabs of each
// role, signing out (with unsent work on the phone), and a revoked account that loses nothing.
import { expect, test, type Page } from "@playwright/test";
import { addUser, cameraPhoto, enrollWithCode, newCode, noSidewaysScroll, revokeUser, signIn, snapAndSend, stored } from "./helpers";

function tabBar(page: Page) {
  return page.getByRole("navigation");
}

test("a new phone asks for a code, says where demo codes are, and refuses bad codes in Chinese", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("登录随手拍");
  await expect(page.getByRole("navigation")).toHaveCount(0);
  await expect(page.getByTestId("demo-hint")).toContainText("demo-codes.txt");
  await noSidewaysScroll(page);
  await page.screenshot({ path: "test-results/screens/enroll-zh.png" });

  await page.getByLabel("登录码").fill("12345");
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText(/登录码应为 10 位字母和数字/);

  // One character off: the check character fails, and the phone says it was mistyped.
  await page.getByLabel("登录码").fill("ABCD-EFGH-JK");
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText(/登录码有一位输错了，请对照登录卡重输/);
  await expect(page.getByLabel("登录码")).toHaveValue("ABCD-EFGH-JK");
  // A code that checks but was never issued (or is used or expired).
  await page.getByLabel("登录码").fill("ABCD-EFGH-JD");
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText(/登录码无效、已使用或已过期/);
  await expect(page.getByLabel("登录码")).toHaveValue("ABCD-EFGH-JD");
  await page.screenshot({ path: "test-results/screens/enroll-invalid-zh.png" });
});

test("a rider enrolls with a code from `user add --json`, stays signed in, and sees only rider tabs", async ({ page }) => {
  const { code } = addUser("rider", "骑手小李");
  await page.goto("/");
  await enrollWithCode(page, code.toLowerCase());
  await expect(tabBar(page).getByRole("link")).toHaveText(["随手拍", "我的上报", "驿站", "驿站码", "设置"]);
  await page.reload();
  await expect(tabBar(page).getByRole("link")).toHaveText(["随手拍", "我的上报", "驿站", "驿站码", "设置"]);
  await expect(tabBar(page).getByRole("link", { name: "任务" })).toHaveCount(0);

  await page.goto("/tasks");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("随手拍");

  await tabBar(page).getByRole("link", { name: "设置" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText("当前账号：骑手小李（骑手）");
  await page.screenshot({ path: "test-results/screens/settings-account-zh.png" });

  // The code was used: a second phone cannot use it again.
  const other = await page.context().browser()!.newPage({ viewport: { width: 360, height: 640 } });
  await other.goto("/");
  await other.getByLabel("登录码").fill(code);
  await other.getByRole("button", { name: "登录", exact: true }).click();
  await expect(other.getByRole("alert")).toHaveText(/登录码无效、已使用或已过期/);
  await other.close();
});

test("grid workers land on their tasks and station staff on check-ins, each with their own tabs", async ({ browser }) => {
  const cases = [
    { role: "grid_worker" as const, home: /\/tasks$/, tabs: ["任务", "随手拍", "我的上报", "设置"], title: "网格任务" },
    { role: "station_staff" as const, home: /\/checkins$/, tabs: ["签到", "诉求", "驿站", "设置"], title: "驿站签到" },
  ];
  for (const c of cases) {
    const page = await browser.newPage({ viewport: { width: 360, height: 640 } });
    await signIn(page, c.role);
    await expect(page).toHaveURL(c.home);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(c.title);
    await expect(tabBar(page).getByRole("link")).toHaveText(c.tabs);
    await page.screenshot({ path: `test-results/screens/home-${c.role}-zh.png` });
    await page.close();
  }
});

test("signing out asks first, and warns loudly while the outbox holds unsent items, which it keeps", async ({ page }) => {
  await signIn(page, "rider");
  await page.goto("/settings");

  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page.getByRole("alertdialog")).toContainText("确定退出登录吗？");
  await page.getByRole("button", { name: "取消" }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);

  // An item waiting in the outbox, as the sync engine would leave it.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open("suishoupai");
        open.onsuccess = () => {
          const tx = open.result.transaction("outbox", "readwrite");
          tx.objectStore("outbox").put({ kind: "report", note: "未发送" }, "item-1");
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
      })
  );
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page.getByRole("alertdialog")).toContainText("手机上还有 1 条内容没有发送到服务器");
  await page.screenshot({ path: "test-results/screens/sign-out-unsent-zh.png" });
  await page.getByRole("button", { name: "仍然退出" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("登录随手拍");

  const kept = await page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open("suishoupai");
        open.onsuccess = () => {
          const count = open.result.transaction("outbox").objectStore("outbox").count();
          count.onsuccess = () => {
            open.result.close();
            resolve(count.result);
          };
        };
        open.onerror = () => reject(open.error);
      })
  );
  expect(kept).toBe(1);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("登录随手拍");
});

test("a revoked account is told, keeps what is on the phone — its queue paused, not lost — and can enroll again", async ({ page, context, browser }) => {
  const photo = await cameraPhoto(browser);
  await context.grantPermissions(["geolocation"]);
  await context.setGeolocation({ latitude: 30.885, longitude: 104.255, accuracy: 10 });
  const id = await signIn(page, "rider", "被停用的骑手");
  await page.goto("/stations");
  await expect(page.locator(".station")).toHaveCount(22);
  // A report waits on the phone (no signal) when the account is revoked.
  // The page was loaded again: every page's code is on the phone before the network goes.
  await expect(page.locator("html")).toHaveAttribute("data-pages", "ready", { timeout: 15_000 });
  await context.setOffline(true);
  await snapAndSend(page, photo, "停用前拍的井盖");
  revokeUser(id);
  await context.setOffline(false);
  await page.goto("/stations");
  await expect(page.getByRole("alert")).toContainText("登录已失效");
  await expect(page.locator(".station")).toHaveCount(22);
  // The sync stopped at the 401: the report and its outbox entry are still on the phone, not dropped.
  expect(await stored<number>(page, "outbox", "count")).toBe(1);
  const kept = await stored<any[]>(page, "reports", "getAll");
  expect(kept.filter((r) => r.state === "queued" || r.state === "sending")).toHaveLength(1);
  await page.screenshot({ path: "test-results/screens/revoked-zh.png" });

  await page.getByRole("button", { name: "输入新登录码" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("登录随手拍");
  await page.getByLabel("登录码").fill("ABCDEFGHJD");
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText(/登录码无效/);

  const fresh = addUser("rider", "新账号");
  await enrollWithCode(page, fresh.code);
  await expect(page.getByRole("alert")).toHaveCount(0);
  await page.goto("/settings");
  await expect(page.getByTestId("signed-in-as")).toHaveText("当前账号：新账号（骑手）");
  expect(() => newCode(id)).toThrow(); // a revoked user gets no new code
});
