// Shared steps: accounts made with the real admin command line, and enrollment through the real enroll screen.
import { execFileSync } from "node:child_process";
import { expect, type Page } from "@playwright/test";

export type Role = "rider" | "grid_worker" | "station_staff" | "admin";

function admin(args: string[]): string {
  const bin = process.env.E2E_SERVER_BIN ?? "target/debug/suishoupai";
  return execFileSync(bin, ["user", "--db", process.env.E2E_DB!, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Creates a user with `suishoupai user add --json` and returns their id and one-time code. */
export function addUser(role: Role, name: string): { user_id: string; code: string } {
  const place =
    role === "grid_worker" ? ["--grid", "demo-grid-01"] : role === "station_staff" ? ["--station", "demo-station-01"] : [];
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
export async function signIn(page: Page, role: Role, name = "测试用户"): Promise<string> {
  const { user_id, code } = addUser(role, name);
  await page.goto("/");
  await enrollWithCode(page, code);
  return user_id;
}

export async function noSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, "the page scrolls sideways").toBeLessThanOrEqual(0);
}
