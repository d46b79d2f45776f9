// The phone benchmarks of scripts/bench.sh, driving the real release PWA in headless Chromium:
// - photo: a camera-like 4000×3000 JPEG through the app's own pipeline (src/client/photo.rs), beside the same photo
//   at FixMyStreet's web settings (2,048 px long side, JPEG quality 0.6) encoded with canvas in the same page;
// - tap to saved: Send → IndexedDB commit (the app's performance marks `report-send` and `report-saved`) for each
//   report queued offline;
// - outbox drain: the queued reports (each with its own photo) delivered to the server on loopback, then the same
//   queue (copied into a second phone) through benches/slow-proxy.mjs (latency, responses dropped after commit).
// Figures go to $BENCH_DIR/phone-*.json; scripts/bench.sh writes BENCHMARKS.md from them.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { phoneSettings } from "../playwright.chromium";
import { addUser, drawCameraPhoto, enrollWithCode, signIn } from "../tests/e2e/helpers";

const dir = path.resolve(process.env.BENCH_DIR ?? "target/bench");
const queued = Number(process.env.BENCH_QUEUE ?? 200);
const tapSample = Math.min(50, queued);
const serverBin = process.env.E2E_SERVER_BIN!;
const proxyPort = process.env.BENCH_PROXY_PORT ?? "18103";
const slowServerPort = process.env.BENCH_SLOW_SERVER_PORT ?? "18102";
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 150);
const dropShare = Number(process.env.BENCH_DROP ?? 0.02);

declare global {
  interface Window {
    benchPhoto(width: number, height: number, seed: number): Promise<Blob>;
    benchChoose(blob: Blob): void;
  }
}

/** In every page: a camera-like JPEG at any size (`drawCameraPhoto` of the e2e helpers), and choosing a file on
 * the app's photo input, as the camera would. */
function pageTools() {
  window.benchChoose = (blob: Blob) => {
    const input = document.querySelector<HTMLInputElement>('[data-testid="photo-input"]')!;
    const files = new DataTransfer();
    files.items.add(new File([blob], "IMG_0001.jpg", { type: "image/jpeg" }));
    input.files = files.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  };
}

/** Milliseconds the server spent on the drain's requests (photo HEAD/PUT, report PUT), from its request log. */
function serverMs(log: string): number {
  let total = 0;
  for (const line of fs.readFileSync(log, "utf8").split("\n")) {
    const m = line.match(/method=(PUT|HEAD) path="\/api\/v1\/(photos|reports)\/.*latency_ms=([\d.]+)/);
    if (m) total += Number(m[3]);
  }
  return total;
}

function write(name: string, figures: unknown) {
  fs.writeFileSync(path.join(dir, name), JSON.stringify(figures, null, 2));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** The least-squares slope of `ys` against their index. */
const trend = (ys: number[]) => {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return den ? num / den : 0;
};
/** Nearest-rank percentile. */
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
};

function sql(db: string, query: string, ...args: string[]): string {
  return execFileSync(
    "python3",
    [
      "-c",
      "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\nprint(db.execute(sys.argv[2], sys.argv[3:]).fetchone()[0])",
      db,
      query,
      ...args,
    ],
    { encoding: "utf8" }
  ).trim();
}

test.beforeEach(async ({ page }) => {
  await page.addInitScript(`window.benchPhoto = ${drawCameraPhoto}; (${pageTools})();`);
});

test("photo: the app's pipeline beside FixMyStreet's settings", async ({ page }) => {
  await signIn(page, "rider", "照片骑手");
  await page.getByRole("navigation").getByRole("link", { name: "随手拍", exact: true }).click();
  const runs = [];
  // Three photos (a draft holds up to three); the first also warms the page up.
  for (let seed = 1; seed <= 3; seed++) {
    runs.push(
      await page.evaluate(async (seed) => {
        const camera = await window.benchPhoto(4000, 3000, seed);
        // FixMyStreet's web settings, with canvas: decode, fit within 2,048 px, JPEG 0.6.
        const t0 = performance.now();
        const bitmap = await createImageBitmap(camera);
        const scale = Math.min(1, 2048 / Math.max(bitmap.width, bitmap.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d")!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        bitmap.close();
        const fms = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), "image/jpeg", 0.6));
        const fmsMs = performance.now() - t0;
        // The app: the photo chosen on its input, until its thumbnail is on screen.
        const before = document.querySelectorAll("img.thumb").length;
        const shown = new Promise<void>((resolve) => {
          const observer = new MutationObserver(() => {
            if (document.querySelectorAll("img.thumb").length > before) {
              observer.disconnect();
              resolve();
            }
          });
          observer.observe(document.body, { childList: true, subtree: true });
        });
        const t1 = performance.now();
        window.benchChoose(camera);
        await shown;
        const appMs = performance.now() - t1;
        const thumbs = document.querySelectorAll<HTMLImageElement>("img.thumb");
        const thumb = thumbs[thumbs.length - 1];
        await thumb.decode();
        // The bytes the app keeps to send: the draft's photo sizes in IndexedDB, once this photo is saved.
        const appBytes = await new Promise<number>((resolve, reject) => {
          const deadline = Date.now() + 10_000;
          const look = () => {
            const open = indexedDB.open("suishoupai");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const all = open.result.transaction("reports").objectStore("reports").getAll();
              all.onsuccess = () => {
                open.result.close();
                const draft = all.result.find((r: any) => r.photos?.length === seed);
                if (draft) resolve(draft.photos[seed - 1].size);
                else if (Date.now() > deadline) reject(new Error("the photo never reached IndexedDB"));
                else setTimeout(look, 20);
              };
            };
          };
          look();
        });
        return {
          camera_bytes: camera.size,
          app_bytes: appBytes,
          app_ms: appMs,
          app_px: `${thumb.naturalWidth}×${thumb.naturalHeight}`,
          fms_bytes: fms.size,
          fms_ms: fmsMs,
          fms_px: `${canvas.width}×${canvas.height}`,
        };
      }, seed)
    );
  }
  const figures = {
    runs,
    camera_px: "4000×3000",
    app_bytes: median(runs.map((r) => r.app_bytes)),
    app_ms: median(runs.map((r) => r.app_ms)),
    fms_bytes: median(runs.map((r) => r.fms_bytes)),
    fms_ms: median(runs.map((r) => r.fms_ms)),
  };
  console.log(`figures: photo ${JSON.stringify(figures)}`);
  write("phone-photo.json", figures);
});

/** Dumps every store of the app's database, binary values as base64, to carry it to a phone of another origin. */
async function dumpDatabase(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const b64 = (bytes: Uint8Array) => {
      let s = "";
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(s);
    };
    const encode = async (v: any): Promise<any> => {
      if (v instanceof Blob) return { $blob: b64(new Uint8Array(await v.arrayBuffer())), type: v.type };
      if (v instanceof ArrayBuffer) return { $buffer: b64(new Uint8Array(v)) };
      if (ArrayBuffer.isView(v))
        return { $view: v.constructor.name, bytes: b64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
      if (v instanceof Date) return { $date: v.getTime() };
      if (Array.isArray(v)) return Promise.all(v.map(encode));
      if (v && typeof v === "object") {
        const o: any = {};
        for (const [k, x] of Object.entries(v)) o[k] = await encode(x);
        return o;
      }
      return v;
    };
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const open = indexedDB.open("suishoupai");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const stores: Record<string, [any, any][]> = {};
    for (const name of Array.from(db.objectStoreNames)) {
      const pairs: [any, any][] = await new Promise((resolve, reject) => {
        const out: [any, any][] = [];
        const cursor = db.transaction(name).objectStore(name).openCursor();
        cursor.onsuccess = () => {
          const c = cursor.result;
          if (!c) return resolve(out);
          out.push([c.primaryKey, c.value]);
          c.continue();
        };
        cursor.onerror = () => reject(cursor.error);
      });
      stores[name] = await Promise.all(pairs.map(async ([k, v]) => [await encode(k), await encode(v)] as [any, any]));
    }
    db.close();
    return JSON.stringify(stores);
  });
}

async function loadDatabase(page: Page, dump: string) {
  await page.evaluate(async (dump) => {
    const bytes = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
    const decode = (v: any): any => {
      if (Array.isArray(v)) return v.map(decode);
      if (v && typeof v === "object") {
        if ("$blob" in v) return new Blob([bytes(v.$blob)], { type: v.type });
        if ("$buffer" in v) return bytes(v.$buffer).buffer;
        if ("$view" in v) return new (globalThis as any)[v.$view](bytes(v.bytes).buffer);
        if ("$date" in v) return new Date(v.$date);
        const o: any = {};
        for (const [k, x] of Object.entries(v)) o[k] = decode(x);
        return o;
      }
      return v;
    };
    const stores: Record<string, [any, any][]> = JSON.parse(dump);
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const open = indexedDB.open("suishoupai");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const tx = db.transaction(Object.keys(stores), "readwrite");
    for (const [name, pairs] of Object.entries(stores)) {
      const store = tx.objectStore(name);
      store.clear();
      for (const [k, v] of pairs) {
        if (store.keyPath === null) store.put(decode(v), decode(k));
        else store.put(decode(v));
      }
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, dump);
}

async function myReports(page: Page) {
  await page.getByRole("navigation").getByRole("link", { name: "我的上报", exact: true }).click();
  return page.getByTestId("my-reports").locator("li");
}

/** Online again, 立即同步, and the milliseconds until the phone has nothing left to send. */
async function drain(page: Page, setOffline: (offline: boolean) => Promise<void>, timeout: number): Promise<number> {
  const rows = await myReports(page);
  await expect(rows.filter({ hasText: "待发送" })).toHaveCount(queued);
  await setOffline(false);
  const started = Date.now();
  await page.getByRole("button", { name: "立即同步" }).click({ timeout });
  await expect(page.getByTestId("sync-summary")).toHaveText("全部已送达", { timeout });
  return Date.now() - started;
}

async function waitForHealth(port: string) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/v1/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing answers on port ${port}`);
}

test("tap to saved over the queue, then the outbox drain on loopback and through a slow, lossy proxy", async ({
  page,
  context,
  browser,
}) => {
  const db = process.env.E2E_DB!;
  const { user_id, code } = addUser("rider", "排队骑手");
  await page.goto("/");
  await enrollWithCode(page, code);
  await page.goto("/settings");
  await expect(page.getByTestId("reference-counts")).toHaveText("类别 11 个 · 驿站 22 个 · 网格 8 个");
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });

  // Tap to saved: each report with its own camera-like photo, queued offline so the outbox grows to `queued`.
  await context.setOffline(true);
  const capture = Date.now();
  for (let i = 1; i <= queued; i++) {
    await page.getByRole("navigation").getByRole("link", { name: "随手拍", exact: true }).click();
    await page.evaluate(async (seed) => window.benchChoose(await window.benchPhoto(1600, 1200, seed)), 1000 + i);
    await expect(page.getByTestId("location")).toContainText("已定位", { timeout: 10_000 });
    await page.getByRole("button", { name: "井盖缺失或破损" }).click();
    await page.getByRole("button", { name: "发送", exact: true }).click();
    await expect(page.getByTestId("report-message")).toHaveText("已保存在手机上，联网后自动发送。");
  }
  const captureMs = Date.now() - capture;
  const tap: number[] = await page.evaluate(() => {
    const sent = performance.getEntriesByName("report-send").map((e) => e.startTime);
    const saved = performance.getEntriesByName("report-saved").map((e) => e.startTime);
    if (sent.length !== saved.length) throw new Error(`${sent.length} sends, ${saved.length} saves`);
    return saved.map((t, i) => t - sent[i]);
  });
  expect(tap).toHaveLength(queued);
  // The floor: the same two records (the last report and its outbox entry) committed in one bare IndexedDB
  // transaction, in the same page, as many times.
  const floor: number[] = await page.evaluate(async (n) => {
    const open = (name: string, version?: number, upgrade?: (db: IDBDatabase) => void) =>
      new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(name, version);
        if (upgrade) r.onupgradeneeded = () => upgrade(r.result);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const app = await open("suishoupai");
    const all = (store: string) =>
      new Promise<any[]>((resolve, reject) => {
        const q = app.transaction(store).objectStore(store).getAll();
        q.onsuccess = () => resolve(q.result);
        q.onerror = () => reject(q.error);
      });
    const reports = await all("reports");
    const outbox = await all("outbox");
    app.close();
    const report = reports[reports.length - 1];
    const entry = outbox[outbox.length - 1];
    const db = await open("bench-floor", 1, (d) => {
      d.createObjectStore("reports");
      d.createObjectStore("outbox");
    });
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const tx = db.transaction(["reports", "outbox"], "readwrite");
      tx.objectStore("reports").put(report, `r${i}`);
      tx.objectStore("outbox").put(entry, `o${i}`);
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      times.push(performance.now() - t0);
    }
    db.close();
    return times;
  }, tapSample);
  const first50 = tap.slice(0, tapSample);
  const tapFigures = {
    reports: tapSample,
    p50_ms: percentile(first50, 50),
    p95_ms: percentile(first50, 95),
    first_ms: first50[0],
    last_ms: first50[tapSample - 1],
    // Single reports are noisy: the medians of the first and the second 25 of the sample, of the last 25 of the
    // queue, and the least-squares trend over the whole queue.
    first25_median_ms: median(first50.slice(0, Math.ceil(tapSample / 2))),
    second25_median_ms: median(first50.slice(Math.ceil(tapSample / 2))),
    queue: queued,
    queue_last25_median_ms: median(tap.slice(-25)),
    trend_ms_per_100: trend(tap) * 100,
    floor_p50_ms: percentile(floor, 50),
    floor_p95_ms: percentile(floor, 95),
    all_ms: tap,
    capture_total_ms: captureMs,
  };
  console.log(`figures: tap to saved ${JSON.stringify({ ...tapFigures, all_ms: undefined })}`);
  write("phone-tap.json", tapFigures);

  // The same queue for a second phone behind the slow proxy: its database, and a copy of the server's as it is
  // now (the account and its token, none of the reports).
  const dump = await dumpDatabase(page);
  const slowDb = path.join(path.dirname(db), "slow.db");
  for (const f of [slowDb, `${slowDb}-wal`, `${slowDb}-shm`]) fs.rmSync(f, { force: true });
  execFileSync("python3", [
    "-c",
    "import sqlite3, sys\nsrc = sqlite3.connect(sys.argv[1])\ndst = sqlite3.connect(sys.argv[2])\nsrc.backup(dst)\ndst.close()",
    db,
    slowDb,
  ]);

  // Loopback.
  const loopbackMs = await drain(page, (o) => context.setOffline(o), 10 * 60_000);
  const loopbackCount = Number(sql(db, "SELECT COUNT(*) FROM reports WHERE reporter_id = ?", user_id));
  const loopbackPhotos = Number(
    sql(db, "SELECT COUNT(DISTINCT p.sha256) FROM report_photos p JOIN reports r ON r.id = p.report_id WHERE r.reporter_id = ?", user_id)
  );
  console.log(`figures: loopback drain ${queued} in ${loopbackMs} ms; on the server ${loopbackCount} (${loopbackPhotos} photos)`);

  // Through the proxy, to a server on the copy.
  const children: ChildProcess[] = [];
  const statsFile = path.join(dir, "phone", "proxy-stats.json");
  fs.rmSync(statsFile, { force: true });
  let slowMs = 0;
  let slowCount = 0;
  let slowPhotos = 0;
  try {
    const log = fs.openSync(path.join(dir, "phone", "slow-server.log"), "w");
    children.push(
      spawn(serverBin, ["serve", "--addr", `127.0.0.1:${slowServerPort}`, "--db", slowDb, "--dist", path.resolve(process.env.BENCH_DIST ?? "dist")], {
        stdio: ["ignore", "ignore", log],
      })
    );
    await waitForHealth(slowServerPort);
    children.push(
      spawn("node", [path.join(__dirname, "slow-proxy.mjs"), proxyPort, slowServerPort, String(latencyMs), String(dropShare), statsFile], {
        stdio: ["ignore", "ignore", "inherit"],
      })
    );
    await waitForHealth(proxyPort);
    const phone = await browser.newContext({
      baseURL: `http://127.0.0.1:${proxyPort}`,
      ...phoneSettings,
      geolocation: { latitude: 30.885, longitude: 104.255, accuracy: 12 },
      permissions: ["geolocation"],
    });
    const slow = await phone.newPage();
    await slow.goto("/");
    await expect(slow.getByRole("heading", { level: 1 })).toHaveText("登录随手拍");
    await slow.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await phone.setOffline(true);
    await loadDatabase(slow, dump);
    await slow.reload();
    await expect(slow.getByRole("navigation")).toBeVisible();
    slowMs = await drain(slow, (o) => phone.setOffline(o), 15 * 60_000);
    slowCount = Number(sql(slowDb, "SELECT COUNT(*) FROM reports WHERE reporter_id = ?", user_id));
    slowPhotos = Number(
      sql(slowDb, "SELECT COUNT(DISTINCT p.sha256) FROM report_photos p JOIN reports r ON r.id = p.report_id WHERE r.reporter_id = ?", user_id)
    );
    await phone.close();
  } finally {
    for (const child of children.reverse()) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  }
  const proxy = JSON.parse(fs.readFileSync(statsFile, "utf8"));
  const drainFigures = {
    reports: queued,
    loopback_ms: loopbackMs,
    loopback_server_ms: serverMs(path.join(dir, "phone", "loopback-server.log")),
    loopback_per_s: queued / (loopbackMs / 1000),
    loopback_on_server: loopbackCount,
    loopback_photos_on_server: loopbackPhotos,
    slow_ms: slowMs,
    slow_server_ms: serverMs(path.join(dir, "phone", "slow-server.log")),
    slow_per_s: queued / (slowMs / 1000),
    slow_on_server: slowCount,
    slow_photos_on_server: slowPhotos,
    proxy,
  };
  console.log(`figures: drain ${JSON.stringify(drainFigures)}`);
  write("phone-drain.json", drainFigures);
  expect(loopbackCount).toBe(queued);
  expect(slowCount).toBe(queued);
});
