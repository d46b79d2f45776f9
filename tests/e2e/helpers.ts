// Shared steps: accounts made with the real admin command line, and enrollment through the real enroll screen.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import { expect, type Browser, type Page } from "@playwright/test";

export type Role = "rider" | "grid_worker" | "station_staff" | "department_staff" | "official" | "admin";

/** A rider's or worker's phone in the middle of demo-grid-07: 360×640, touch, a GPS fix. */
export const phone = {
  viewport: { width: 360, height: 640 },
  isMobile: true,
  hasTouch: true,
  geolocation: { latitude: 30.885, longitude: 104.255, accuracy: 10 },
  permissions: ["geolocation"],
};

function admin(args: string[], db = process.env.E2E_DB!): string {
  const bin = process.env.E2E_SERVER_BIN ?? "target/debug/suishoupai";
  return execFileSync(bin, ["user", "--db", db, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Creates a user with `suishoupai user add --json` (in the e2e server's database unless `db` is given) and
 * returns their id and one-time code. */
export function addUser(
  role: Role,
  name: string,
  grid = "demo-grid-01",
  db?: string
): { user_id: string; code: string } {
  const place =
    role === "grid_worker"
      ? ["--grid", grid]
      : role === "station_staff"
        ? ["--station", "demo-station-01"]
        : role === "department_staff"
          ? ["--department", "chengguan"]
          : [];
  return JSON.parse(admin(["add", "--role", role, "--name", name, "--json", ...place], db));
}

export function revokeUser(id: string) {
  admin(["revoke", id]);
}

export function newCode(id: string): string {
  return JSON.parse(admin(["code", id, "--json"])).code;
}

/** A rider's pass code now: RFC 6238 (HMAC-SHA1, 30 s, 8 digits), computed independently of the app. */
export function totp(secretHex: string, unixSecs: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSecs / 30)));
  const h = createHmac("sha1", Buffer.from(secretHex, "hex")).update(counter).digest();
  const o = h[h.length - 1] & 0x0f;
  const bin = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(bin % 100_000_000).padStart(8, "0");
}

/** Types the code on the enroll screen and waits for the signed-in shell, with every page's code on the phone (the
 * app fetches the lazily loaded pages once idle: a test that cuts the network right after signing in must not
 * beat it). */
export async function enrollWithCode(page: Page, code: string) {
  await page.getByLabel("登录码").fill(code);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page.getByRole("navigation")).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("data-pages", "ready", { timeout: 15_000 });
}

/** Switches the language on 设置 and waits until the phone has stored it, so a page loaded next opens in it (the
 * store may be busy with a sync's page of changes for a moment). */
async function switchLanguage(page: Page, button: string, tag: "en" | "zh-CN") {
  await page.getByRole("button", { name: button }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", tag);
  await expect
    .poll(() =>
      page.evaluate(
        () =>
          new Promise((resolve) => {
            const open = indexedDB.open("suishoupai");
            open.onsuccess = () => {
              const get = open.result.transaction("meta").objectStore("meta").get("language");
              get.onsuccess = () => resolve(get.result);
            };
          })
      )
    )
    .toBe(tag);
}

export const switchToEnglish = (page: Page) => switchLanguage(page, "English", "en");
export const switchToChinese = (page: Page) => switchLanguage(page, "中文", "zh-CN");

/** A new user of `role`, signed in on this page. */
export async function signIn(page: Page, role: Role, name = "测试用户", grid?: string): Promise<string> {
  const { user_id, code } = addUser(role, name, grid);
  await page.goto("/");
  await enrollWithCode(page, code);
  return user_id;
}

export async function noSidewaysScroll(page: Page) {
  // Against the screen (clientWidth), not innerWidth: in mobile emulation the layout viewport widens to whatever
  // the page overflows to, and innerWidth with it.
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth
  );
  expect(overflow, "the page scrolls sideways").toBeLessThanOrEqual(0);
}

/** A camera-like JPEG drawn in a page from a seed: sky and road gradients, objects with edges, and sensor noise,
 * so at 4000×3000 it has the size of a real 12 MP photo (several MB) rather than that of a flat colour. It uses
 * nothing outside itself: pages run its source (`cameraPhoto` here, the phone benchmarks at other sizes). */
export function drawCameraPhoto(width: number, height: number, seed: number): Promise<Blob> {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d")!;
  ctx.scale(width / 4000, height / 3000);
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
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 400; i++) {
    ctx.fillStyle = `hsl(${rnd() * 360}, ${30 + rnd() * 40}%, ${25 + rnd() * 50}%)`;
    ctx.fillRect(rnd() * 4000, 600 + rnd() * 2200, 40 + rnd() * 400, 20 + rnd() * 300);
  }
  ctx.fillStyle = "#111";
  ctx.beginPath();
  ctx.ellipse(2000, 2300, 420, 160, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  const img = ctx.getImageData(0, 0, width, height);
  for (let i = 0; i < img.data.length; i += 4) {
    const n = (rnd() - 0.5) * 24;
    img.data[i] += n;
    img.data[i + 1] += n;
    img.data[i + 2] += n;
  }
  ctx.putImageData(img, 0, 0);
  return new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), "image/jpeg", 0.92));
}

/** A camera-like 4000×3000 JPEG (a few MB), drawn in the browser. */
export async function cameraPhoto(browser: Browser): Promise<Buffer> {
  const page = await browser.newPage();
  const base64: string = await page.evaluate(`(async () => {
    const blob = await (${drawCameraPhoto})(4000, 3000, 7);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  })()`);
  await page.close();
  return Buffer.from(base64, "base64");
}

let spotsTaken = 0;

/** A place of its own in demo-grid-07 for each report a test makes (the n-th of the run, on a lattice about 75 m
 * apart, counted in the file E2E_SPOTS so a restarted worker goes on counting): reports of one category within
 * 50 m of an open one join it as one hazard, so a test that wants a task of its own reports somewhere new. */
export function freshSpot(): { latitude: number; longitude: number; accuracy: number } {
  let n = spotsTaken++;
  const counter = process.env.E2E_SPOTS;
  if (counter) {
    n = fs.existsSync(counter) ? Number(fs.readFileSync(counter, "utf8")) : 0;
    fs.writeFileSync(counter, String(n + 1));
  }
  return { latitude: 30.886 + Math.floor(n / 20) * 0.0007, longitude: 104.256 + (n % 20) * 0.0008, accuracy: 10 };
}

/** Takes a photo, fills the form and sends, from `spot` (by default a place of its own, [`freshSpot`]); returns
 * once the app says it is saved on the phone. */
export async function snapAndSend(page: Page, photo: Buffer, note: string, spot = freshSpot()) {
  await page.context().setGeolocation(spot);
  await page.getByRole("navigation").getByRole("link", { name: "随手拍", exact: true }).click();
  await page.getByTestId("photo-input").setInputFiles({ name: "IMG_0001.jpg", mimeType: "image/jpeg", buffer: photo });
  await expect(page.getByRole("button", { name: "井盖缺失或破损" })).toBeVisible();
  await expect(page.getByTestId("location")).toContainText("已定位", { timeout: 10_000 });
  await page.getByRole("button", { name: "井盖缺失或破损" }).click();
  await page.getByLabel("说明（可不填）").fill(note);
  await page.getByLabel("说明（可不填）").blur();
  await page.getByRole("button", { name: "发送", exact: true }).click();
  await expect(page.getByTestId("report-message")).toHaveText(/已保存在手机上，联网后自动发送。|已送达，可在「我的上报」查看处理进度。/);
}

/**
 * Opens a task from the 任务 list once its row shows `status`, as a worker taps the row they see. The list is drawn
 * again whenever the phone syncs, and a sync may move rows (a reopened task goes up among the open ones): a tap
 * while it moves can land on the row that took its place, so the row is awaited in its new state first and the
 * page opened is checked to be this task's.
 */
export async function openTask(page: Page, id: string, status: string) {
  const row = page.getByTestId("tasks").locator(`a[href="/tasks/${id}"]`);
  await expect(row).toContainText(status, { timeout: 15_000 });
  await row.click();
  await expect(page, "the task tapped is the task opened").toHaveURL(new RegExp(`/tasks/${id}$`));
}

/** Reads the app's IndexedDB in the page: `get` of one key, or `count` / `getAll` of a store. */
export async function stored<T>(page: Page, store: string, op: "get" | "count" | "getAll", key?: string): Promise<T> {
  return page.evaluate(
    ([store, op, key]) =>
      new Promise<any>((resolve, reject) => {
        const open = indexedDB.open("suishoupai");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const objects = open.result.transaction(store).objectStore(store);
          const req = op === "get" ? objects.get(key!) : op === "count" ? objects.count() : objects.getAll();
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            open.result.close();
            resolve(req.result);
          };
        };
      }),
    [store, op, key] as const
  );
}

/** The signed-in session the app keeps: the token, and for riders the secret of their station pass. */
export async function session(page: Page): Promise<{ token: string; pass_secret?: string }> {
  return stored(page, "meta", "get", "session");
}

/** A server process of this test's own (port, database), to kill with SIGKILL and start again. */
export class ServerProcess {
  private child: ChildProcess | undefined;
  readonly base: string;

  constructor(readonly port: number, readonly db: string, private readonly log: string) {
    this.base = `http://127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async start() {
    const bin = process.env.E2E_SERVER_BIN ?? "target/debug/suishoupai";
    const me = spawn(bin, ["serve", "--addr", `127.0.0.1:${this.port}`, "--db", this.db, "--dist", "dist", "--demo"], {
      stdio: ["ignore", "ignore", fs.openSync(this.log, "a")],
    });
    this.child = me;
    for (let i = 0; i < 200; i++) {
      // The phone may sync the moment the server is back, and a test may kill it again meanwhile.
      if (this.child !== me) return;
      if (me.exitCode !== null) throw new Error(`the server exited at start: see ${this.log}`);
      try {
        if ((await fetch(`${this.base}/api/v1/health`)).ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("server did not start");
  }

  /** SIGKILL, and wait until the process is gone (so its port is free for the restart). */
  async kill(): Promise<boolean> {
    const dying = this.child;
    this.child = undefined;
    if (!dying || dying.exitCode !== null) return false;
    const gone = new Promise((r) => dying.once("exit", r));
    dying.kill("SIGKILL");
    await gone;
    return true;
  }
}

const onPostgres = (db: string) => db.startsWith("postgres://") || db.startsWith("postgresql://");

/** Runs one SQL statement on a server's database and commits it: a SQLite file (Python's sqlite3) or a PostgreSQL
 * URL (psql). */
export function dbExec(db: string, statement: string) {
  if (onPostgres(db)) {
    execFileSync("psql", [db, "-XqAt", "-v", "ON_ERROR_STOP=1", "-c", statement]);
    return;
  }
  const script = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()";
  execFileSync("python3", ["-c", script, db, statement]);
}

/** The rows of one SQL query on a server's database, each row's columns in order: a SQLite file (Python's sqlite3,
 * which Debian has) or a PostgreSQL URL (psql). */
export function dbRows(db: string, query: string): any[][] {
  if (onPostgres(db)) {
    const json = execFileSync("psql", [db, "-XqAt", "-v", "ON_ERROR_STOP=1", "-c", `SELECT coalesce(json_agg(t), '[]') FROM (${query}) t`], {
      encoding: "utf8",
    });
    return (JSON.parse(json) as Record<string, unknown>[]).map((row) => Object.values(row));
  }
  const script = "import sqlite3,sys,json; print(json.dumps(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchall()))";
  return JSON.parse(execFileSync("python3", ["-c", script, db, query], { encoding: "utf8" }));
}
