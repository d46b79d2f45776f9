// The chaos suite: phones (two riders, one of them in two tabs, and a grid worker) make reports and task actions
// while a seeded random schedule cuts their network, kills the server with SIGKILL and restarts it, drops
// responses after the server committed, answers 500/502/503/429 (with Retry-After), resets connections, slows the
// link and closes a tab right after it sent. Then every phone comes online until its outbox drains, and the check
// (Jepsen's set check): every item a phone showed as 已保存 is on the server exactly once, nothing else is there,
// no outbox holds anything, and SQLite passes `PRAGMA integrity_check`. Half way through, a backup is taken while
// all this goes on; restored at the end, it holds every item committed before it began, once.
//
// Quick in CI (CHAOS_SECONDS, default 40). Longer: `scripts/chaos.sh --minutes 10`. The seed is printed; replay a
// run with CHAOS_SEED=<seed>.
//
// With CHAOS_POSTGRES=<URL of an empty database> it runs against a city's setup instead: two server instances on
// that PostgreSQL database behind nginx (round robin, an instance that fails skipped), and the kills strike one
// instance at a time — after a commit, and in the middle of a write — while the other goes on serving. The backup
// is SQLite's (PostgreSQL's is pg_dump's) and is left out then.
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { expect, test, type BrowserContext, type Page, type Route } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { cameraPhoto, dbRows, enrollWithCode, ServerProcess, session, stored } from "./helpers";

const PORT = Number(process.env.CHAOS_PORT ?? 18097);
const BASE = `http://127.0.0.1:${PORT}`;
const SECONDS = Number(process.env.CHAOS_SECONDS ?? 40);
const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const bin = process.env.E2E_SERVER_BIN ?? "target/debug/suishoupai";
const POSTGRES = process.env.CHAOS_POSTGRES;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "suishoupai-chaos-"));
const db = POSTGRES ?? path.join(dir, "chaos.db");
const PLACE = { latitude: 30.885, longitude: 104.255, accuracy: 10 }; // inside demo-grid-07

/** mulberry32: a small seeded generator, so a failing schedule replays exactly (up to timing). */
function generator(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = generator(SEED);
const pick = <T,>(items: T[]) => items[Math.floor(random() * items.length)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const faults: Record<string, number> = {};
/** Why the worker let a turn pass (reported, so a run where the worker never acts is visible). */
const skips: Record<string, number> = {};
const skip = (why: string) => void (skips[why] = (skips[why] ?? 0) + 1);
const count = (fault: string) => (faults[fault] = (faults[fault] ?? 0) + 1);

// ---- the server (or two instances behind nginx), killed and restarted at will ----
const instances = POSTGRES
  ? [1, 2].map((i) => {
      fs.rmSync(`target/e2e-chaos-server-${i}.log`, { force: true }); // this run's lines only
      return new ServerProcess(PORT + i, db, `target/e2e-chaos-server-${i}.log`);
    })
  : [new ServerProcess(PORT, db, "target/e2e-chaos-server.log")];
let nginx: ChildProcess | undefined;
let restarting: Promise<void> | undefined;
const serverUp = () => instances.every((i) => i.running);
async function startServer() {
  // One at a time: the first applies the schema and the demo data, the next finds them.
  for (const instance of instances) if (!instance.running) await instance.start();
  if (POSTGRES && !nginx) await startNginx();
}
/** The instance a kill strikes: the only one, or either of the two. */
const victim = () => pick(instances);
async function killServer(instance = victim()) {
  if (await instance.kill()) count(POSTGRES ? "instance SIGKILL" : "SIGKILL");
}

/** Kills the server (one instance) now and brings it back after a moment, in the background. */
function crash(downMs: number, instance = victim()) {
  if (restarting) return;
  restarting = (async () => {
    await killServer(instance);
    await sleep(downMs);
    await startServer();
  })().finally(() => (restarting = undefined));
}

/** nginx on PORT in front of the two instances, its files in the run's folder (Debian's nginx, not its service). */
async function startNginx() {
  const prefix = path.join(dir, "nginx");
  fs.mkdirSync(prefix, { recursive: true });
  const conf = path.join(prefix, "nginx.conf");
  const upstreams = instances.map((i) => `server 127.0.0.1:${i.port} max_fails=1 fail_timeout=2s;`).join(" ");
  fs.writeFileSync(
    conf,
    `${process.getuid?.() === 0 ? "user root;" : ""}
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  upstream suishoupai { ${upstreams} }
  server {
    listen 127.0.0.1:${PORT};
    client_max_body_size 6m;
    location / {
      proxy_pass http://suishoupai;
      proxy_http_version 1.1;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
`
  );
  nginx = spawn("/usr/sbin/nginx", ["-p", prefix, "-c", conf, "-g", "daemon off;"], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${BASE}/api/v1/health`)).ok) return;
    } catch {}
    await sleep(50);
  }
  throw new Error(`nginx did not start: see ${prefix}/error.log`);
}


// ---- the phones ----
type Phone = { name: string; ctx: BrowserContext; pages: Page[]; role: "rider" | "grid_worker"; token?: string };
const saved: { phone: string; kind: "report" | "note" | "chain"; text: string }[] = [];
/** Action chains the worker completed on the phone (accept → note → escalate → note with photo → resolve). */
let chains = 0;
/** Everything a phone was asked to save, acknowledged or not (a step cut short may still have saved). */
const attempted = new Set<string>();
const offline = new Set<Phone>();
let chaosOn = true;

/** The injected faults, decided per API request by the seeded schedule. */
/** The faults after a commit that the run must include, whatever the seed: each strikes the first write it fits
 * (in its band of the schedule below), then the schedule is random. */
const mustStrike: [string, number][] = [
  ["response lost after commit", 0.72],
  ["SIGKILL after commit", 0.8],
  ["tab closed after sending", 0.775],
  ...(POSTGRES ? ([["instance killed mid-write", 0.82]] as [string, number][]) : []),
];

async function chaosRoute(phone: Phone, route: Route) {
  const req = route.request();
  if (!chaosOn) return route.continue();
  const writes = req.method() === "PUT";
  const due = mustStrike.findIndex(
    ([fault]) =>
      writes &&
      !faults[fault] &&
      (fault !== "tab closed after sending" || (phone.role === "rider" && phone.pages.length > 1)) &&
      (fault !== "instance killed mid-write" || !restarting)
  );
  const r = due >= 0 ? mustStrike.splice(due, 1)[0][1] : random();
  try {
    if (r < 0.55) return await route.continue();
    if (r < 0.63) {
      count("slow link");
      await sleep(200 + random() * 1300);
      return await route.continue();
    }
    if (r < 0.69) {
      count("connection reset before the server");
      return await route.abort("connectionreset");
    }
    if (r < 0.76 && writes) {
      count("response lost after commit");
      await route.fetch();
      return await route.abort("connectionreset");
    }
    if (r < 0.79 && writes && phone.role === "rider" && phone.pages.length > 1) {
      // The tab is closed right after sending, before it heard the answer; the rider opens the app again.
      count("tab closed after sending");
      await route.fetch();
      const page = req.frame().page();
      await route.abort("connectionreset").catch(() => {});
      phone.pages = phone.pages.filter((p) => p !== page);
      await page.close();
      const reopened = await phone.ctx.newPage();
      await reopened.goto("/");
      await expect(reopened.getByRole("navigation")).toBeVisible({ timeout: 20_000 });
      phone.pages.push(reopened);
      return;
    }
    if (r < 0.81 && writes) {
      count("SIGKILL after commit");
      await route.fetch();
      crash(300 + random() * 1500);
      return await route.abort("connectionreset");
    }
    if (r < 0.83 && writes && POSTGRES && !restarting) {
      // One instance dies while the write is on its way through nginx: it may have committed or not; nginx may
      // hand the request to the other instance; the phone may see the connection fail and send again.
      count("instance killed mid-write");
      const answer = route.fetch();
      await sleep(random() * 30);
      crash(300 + random() * 1500);
      return await route.fulfill({ response: await answer });
    }
    const [status, fault] = pick([
      [503, "503 with Retry-After"],
      [500, "500"],
      [502, "502"],
      [429, "429 with Retry-After"],
    ] as [number, string][]);
    count(fault);
    return await route.fulfill({
      status,
      headers: status === 503 || status === 429 ? { "Retry-After": "1" } : {},
      contentType: "application/json",
      body: JSON.stringify({ error: { code: "unavailable", message: "稍后再试 (try later)" } }),
    });
  } catch {
    // The server was down (route.fetch failed) or the page went away: the phone sees a failed request.
    await route.abort("connectionrefused").catch(() => {});
  }
}

const outboxLength = (page: Page) => stored<number>(page, "outbox", "count");
const localVersion = async (page: Page, id: string) =>
  (await stored<{ server?: { version: number } } | undefined>(page, "reports", "get", id))?.server?.version;

let serial = 0;
const label = (what: string) => `chaos-${SEED}-${what}-${++serial}`;

/** A rider's step: a report with a photo, sent; counted once the app said 已保存. */
async function report(phone: Phone, photo: Buffer) {
  if (phone.pages.length === 0) return;
  const page = pick(phone.pages);
  await page.bringToFront();
  const text = label("report");
  // One of 25 places about 75 m apart: some reports join an open one of their place, some start a task.
  await page.context().setGeolocation({
    latitude: PLACE.latitude + Math.floor(random() * 5) * 0.0007,
    longitude: PLACE.longitude + Math.floor(random() * 5) * 0.0008,
    accuracy: 10,
  });
  await page.getByRole("navigation").getByRole("link", { name: "随手拍", exact: true }).click();
  await page.getByTestId("photo-input").setInputFiles({ name: "IMG.jpg", mimeType: "image/jpeg", buffer: photo });
  await page.getByRole("button", { name: "井盖缺失或破损" }).click();
  await page.getByLabel("说明（可不填）").fill(text);
  await page.getByLabel("说明（可不填）").blur();
  await expect(page.getByTestId("location")).toContainText("已定位", { timeout: 10_000 });
  attempted.add(text);
  await page.getByRole("button", { name: "发送", exact: true }).click();
  await expect(page.getByTestId("report-message")).toHaveText(/已保存在手机上，联网后自动发送。|已送达，可在「我的上报」查看处理进度。/);
  saved.push({ phone: phone.name, kind: "report", text });
}

/** The worker's step: a note on a task of the grid — only when the phone's copy of the task is current and
 *  nothing of the worker's waits (else the note would rightly meet 409 version_conflict, not chaos). */
async function note(phone: Phone) {
  const page = phone.pages[0];
  if (offline.has(phone) || (await outboxLength(page)) > 0) return skip("worker busy or offline");
  await page.goto("/tasks");
  // The app pulls at start; give it a moment to bring the grid's tasks.
  await page.getByTestId("tasks").locator("a[href^='/tasks/']").first().waitFor({ timeout: 4000 }).catch(() => {});
  // Open tasks only: a chain may have resolved some.
  const links = await page
    .getByTestId("tasks")
    .locator("li")
    .filter({ hasNotText: "已办结" })
    .locator("a[href^='/tasks/']")
    .evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
  if (links.length === 0) return skip("no open task on the phone yet");
  const href = pick(links);
  const id = href.split("/").pop()!;
  let current: number | undefined;
  try {
    const res = await fetch(`${BASE}/api/v1/reports/${id}`, { headers: { Authorization: `Bearer ${phone.token}` } });
    current = res.ok ? (await res.json()).version : undefined;
  } catch {}
  if (current === undefined || current !== (await localVersion(page, id))) return skip("the phone's task not current");
  await page.goto(href);
  const text = label("note");
  await page.getByLabel("备注或办结说明").fill(text);
  attempted.add(text);
  await page.getByRole("button", { name: "备注", exact: true }).click();
  // Saved shows as the message, or — when the sync delivered it at once and the task was redrawn — as the note in
  // the task's timeline.
  await expect(page.getByText("已保存在手机上，联网后提交。").or(page.getByTestId("timeline").getByText(text))).toBeVisible();
  saved.push({ phone: phone.name, kind: "note", text });
}


/** The worker's other step, made whatever the network does: on a new task, the chain accept → note → escalate →
 *  note with a photo → resolve, each queued on the version its predecessor will make. Nobody else acts on tasks, so
 *  every step must reach the server exactly once; each text is checked by the set check. */
async function chain(phone: Phone, photo: Buffer) {
  const page = phone.pages[0];
  if (!page) return skip("worker tab closed");
  await page.goto("/tasks");
  await page.getByTestId("tasks").locator("a[href^='/tasks/']").first().waitFor({ timeout: 4000 }).catch(() => {});
  const fresh = await page
    .getByTestId("tasks")
    .locator("li")
    .filter({ hasText: "已收到" })
    .locator("a[href^='/tasks/']")
    .evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
  if (fresh.length === 0) return skip("no new task for a chain");
  await page.goto(pick(fresh));
  await page.getByTestId("task-summary").waitFor();
  if ((await page.getByTestId("pending-actions").count()) > 0) return skip("the task has actions waiting");
  const saved_ = page.getByTestId("action-message");
  const step = async (button: string, field?: string, text?: string, withPhoto = false) => {
    if (field && text) {
      await page.getByLabel(field).fill(text);
      attempted.add(text);
    }
    if (withPhoto) {
      await page.getByTestId("action-photo").setInputFiles({ name: "fix.jpg", mimeType: "image/jpeg", buffer: photo });
      // A 12-megapixel photo is scaled on the phone: slow on a loaded machine.
      await expect(page.getByTestId("task-actions").locator("img.thumb")).toHaveCount(1, { timeout: 30_000 });
    }
    await page.getByRole("button", { name: button, exact: true }).click();
    await expect(saved_).toHaveText("已保存在手机上，联网后提交。");
    if (text) saved.push({ phone: phone.name, kind: "chain", text });
  };
  await step("接单");
  await step("备注", "备注或办结说明", label("chain-note"));
  await step("升级", "升级原因", label("chain-escalate"));
  await step("备注", "备注或办结说明", label("chain-photo"), true);
  await step("办结", "备注或办结说明", label("chain-resolve"));
  chains += 1;
}

test.use({ baseURL: BASE, geolocation: PLACE, permissions: ["geolocation"] });
/** The run's items in a database — reports by their description, the worker's notes by their text — each with how
 * many times it is there. */
function itemsIn(database: string): Map<string, number> {
  const like = `'chaos-${SEED}-%'`;
  const [reportsSql, notesSql] = database.startsWith("postgres")
    ? [
        `SELECT submitted::json->>'description' AS d, COUNT(*) FROM reports
         WHERE submitted::json->>'description' LIKE ${like} GROUP BY 1`,
        `SELECT e->>'note', COUNT(*) FROM reports r, json_array_elements(r.timeline::json) e
         WHERE e->>'note' LIKE ${like} GROUP BY 1`,
      ]
    : [
        `SELECT json_extract(submitted, '$.description') AS d, COUNT(*) FROM reports WHERE d LIKE ${like} GROUP BY d`,
        `SELECT json_extract(e.value, '$.note'), COUNT(*) FROM reports r, json_each(r.timeline) e
         WHERE json_extract(e.value, '$.note') LIKE ${like} GROUP BY 1`,
      ];
  const reports = dbRows(database, reportsSql) as [string, number][];
  const notes = dbRows(database, notesSql) as [string, number][];
  return new Map([...reports, ...notes].map(([text, n]) => [text, Number(n)]));
}

// ---- a backup taken while the phones write (restored and checked at the end) ----
const archive = path.join(dir, "backup.zip");
const restoredDb = path.join(dir, "restored.db");
const execFileAsync = promisify(execFile);
let backup: Promise<void> | undefined;
let committedBeforeBackup: Map<string, number> | undefined;

test.afterAll(async () => {
  await restarting;
  for (const instance of instances) await instance.kill();
  nginx?.kill("SIGQUIT");
});

test(`chaos: riders and a grid worker under faults lose nothing and duplicate nothing`, async ({ browser }) => {
  test.setTimeout((SECONDS + 240) * 1000);
  console.log(`chaos: seed ${SEED} (replay with CHAOS_SEED=${SEED}), ${SECONDS} s of faults`);
  const photo = await cameraPhoto(browser);
  await startServer();

  const phones: Phone[] = [];
  for (const [name, role, tabs] of [
    ["rider-a", "rider", 2],
    ["rider-b", "rider", 1],
    ["worker", "grid_worker", 1],
  ] as const) {
    const ctx = await browser.newContext({
      baseURL: BASE,
      viewport: { width: 360, height: 640 },
      isMobile: true,
      hasTouch: true,
      locale: "zh-CN",
      geolocation: PLACE,
      permissions: ["geolocation"],
    });
    ctx.setDefaultTimeout(20_000);
    const place = role === "grid_worker" ? ["--grid", "demo-grid-07"] : [];
    const { code } = JSON.parse(
      execFileSync(bin, ["user", "--db", db, "add", "--role", role, "--name", `混沌${name}`, "--json", ...place], {
        encoding: "utf8",
      })
    );
    const first = await ctx.newPage();
    await first.goto("/");
    await enrollWithCode(first, code);
    const phone: Phone = { name, ctx, pages: [first], role };
    for (let i = 1; i < tabs; i++) {
      const tab = await ctx.newPage();
      await tab.goto("/");
      await expect(tab.getByRole("navigation")).toBeVisible({ timeout: 20_000 });
      phone.pages.push(tab);
    }
    // The reference data (categories above all) on the phone before the faults begin, as after a first start.
    for (const page of phone.pages) {
      await page.goto("/settings");
      await expect(page.getByTestId("reference-counts")).toHaveText("类别 11 个 · 驿站 22 个 · 网格 8 个");
    }
    phone.token = (await session(first)).token;
    await ctx.route("**/api/v1/**", (route) => chaosRoute(phone, route));
    phones.push(phone);
  }
  const [riderA, riderB, worker] = phones;

  // A task on the worker's phone before the faults begin, and the worker's first turn a note on it: whatever the
  // seed, the run includes the worker's notes (the schedule alone may not give the worker an open task in time).
  chaosOn = false;
  await report(riderB, photo);
  await expect
    .poll(
      async () => {
        await worker.pages[0].goto("/tasks");
        // The list draws after the app has read the phone's store and pulled: wait for it before counting.
        const links = worker.pages[0].getByTestId("tasks").locator("a[href^='/tasks/']");
        await links.first().waitFor({ timeout: 5000 }).catch(() => {});
        return links.count();
      },
      { timeout: 60_000, intervals: [500, 1000, 2000] }
    )
    .toBeGreaterThan(0);
  chaosOn = true;
  await note(worker);

  // The schedule: each step one actor acts or one fault strikes, until the time is up. Half way, a backup
  // starts and runs beside it.
  const until = Date.now() + SECONDS * 1000;
  while (Date.now() < until) {
    if (!POSTGRES && !backup && Date.now() > until - (SECONDS * 1000) / 2) {
      committedBeforeBackup = itemsIn(db);
      backup = execFileAsync(bin, ["--db", db, "backup", "--out", archive]).then(() => {});
    }
    const r = random();
    try {
      if (r < 0.42) await report(pick([riderA, riderB]), photo);
      else if (r < 0.55) await note(worker);
      else if (r < 0.65) await chain(worker, photo);
      else if (r < 0.8) {
        const phone = pick(phones);
        const off = !offline.has(phone);
        await phone.ctx.setOffline(off);
        if (off) {
          offline.add(phone);
          count("network cut");
        } else offline.delete(phone);
      } else if (r < 0.88) {
        crash(300 + random() * 2000);
      } else {
        // 立即同步 on a random tab, to make syncs overlap with everything else.
        const page = pick(pick(phones).pages);
        if (!page) continue;
        await page.getByRole("navigation").getByRole("link", { name: /我的上报|任务/ }).first().click();
        await page.getByRole("button", { name: "立即同步" }).click();
      }
    } catch (e) {
      // A step may fail because its tab was closed under it by the schedule; the next step goes on.
      if (!String(e).includes("closed")) throw e;
    }
    await sleep(random() * 400);
  }

  // The faults the run must include that the schedule did not reach (a seed may keep rider-a offline throughout, and
  // only rider-a's writes can strike "tab closed after sending"): rider-a, back online, reports until each struck.
  for (let turn = 0; mustStrike.length > 0 && turn < 10; turn++) {
    await restarting;
    if (!serverUp()) await startServer();
    await riderA.ctx.setOffline(false);
    offline.delete(riderA);
    await report(riderA, photo).catch((e) => {
      if (!String(e).includes("closed")) throw e;
    });
    await sleep(1500);
  }
  if (mustStrike.length > 0) console.log(`chaos: faults that never found their write: ${JSON.stringify(mustStrike)}`);

  // The end: no more faults, every phone online, the server up; sync until every outbox is empty.
  chaosOn = false;
  await restarting;
  if (!serverUp()) await startServer();
  for (const phone of phones) {
    await phone.ctx.setOffline(false);
    await phone.ctx.unrouteAll({ behavior: "ignoreErrors" });
    if (phone.pages.length === 0) {
      const page = await phone.ctx.newPage();
      await page.goto("/");
      phone.pages.push(page);
    }
  }
  for (const phone of phones) {
    for (const page of phone.pages) {
      await expect
        .poll(
          async () => {
            await page.evaluate(() => window.dispatchEvent(new Event("online")));
            return outboxLength(page);
          },
          { timeout: 90_000, intervals: [500, 1000, 2000] }
        )
        .toBe(0)
        .catch(async (e) => {
          // What is left: whose phone, and each entry (its kind, tries, problem).
          const left = await stored<{ payload?: { report_id?: string } }[]>(page, "outbox", "getAll");
          console.log(`${phone.role}'s outbox:`, JSON.stringify(left));
          const { token } = await session(page);
          for (const id of new Set(left.map((entry) => entry.payload?.report_id).filter(Boolean))) {
            const res = await page.request.get(`/api/v1/reports/${id}`, { headers: { Authorization: `Bearer ${token}` } });
            const task = await res.json();
            console.log(`the server's ${id}: version ${task.version}, ${task.status}, timeline`, JSON.stringify(task.timeline));
          }
          throw e;
        });
    }
  }

  // The set check.
  const onServer = itemsIn(db);
  const acknowledged = new Set(saved.map((s) => s.text));
  const lost = [...acknowledged].filter((t) => !onServer.has(t));
  const duplicated = [...onServer].filter(([, n]) => n > 1).map(([t]) => t);
  const unexpected = [...onServer.keys()].filter((t) => !attempted.has(t));
  // SQLite's own check of its file (PostgreSQL keeps its own consistency).
  const integrity = POSTGRES ? "ok" : dbRows(db, "PRAGMA integrity_check")[0][0];
  const total = Object.values(faults).reduce((a, b) => a + b, 0);
  console.log(
    `chaos: seed ${SEED}, ${SECONDS} s; items ${saved.length} (reports ${saved.filter((s) => s.kind === "report").length}, ` +
      `task notes ${saved.filter((s) => s.kind === "note").length}, chained actions ${saved.filter((s) => s.kind === "chain").length} in ${chains} chains); faults injected ${total}: ${JSON.stringify(faults)}; ` +
      `on the server ${onServer.size} (${attempted.size - acknowledged.size} sent before a step was cut short); ` +
      `lost: ${lost.length}, duplicated: ${duplicated.length}, unexpected: ${unexpected.length}, integrity_check: ${integrity}; ` +
      `worker turns passed: ${JSON.stringify(skips)}`
  );
  expect(lost, "acknowledged but not on the server").toEqual([]);
  expect(duplicated, "on the server more than once").toEqual([]);
  expect(unexpected, "on the server but never attempted").toEqual([]);
  expect(integrity).toBe("ok");
  expect(saved.length).toBeGreaterThan(0);
  // What the run claims to prove happened in it: riders' reports and the worker's notes were saved, and the
  // faults after a commit struck.
  expect(saved.filter((s) => s.kind === "report").length, "reports saved").toBeGreaterThan(0);
  expect(saved.filter((s) => s.kind === "note").length, "worker notes saved").toBeGreaterThan(0);
  const required = ["response lost after commit", "SIGKILL after commit", "tab closed after sending"];
  for (const fault of POSTGRES ? [...required, "instance killed mid-write"] : required) {
    expect(faults[fault] ?? 0, `${fault} happened`).toBeGreaterThan(0);
  }
  if (POSTGRES) {
    // Both instances served the run: each answered requests (their logs have a line per request).
    for (const instance of instances) {
      const log = fs.readFileSync(`target/e2e-chaos-server-${instance.port - PORT}.log`, "utf8");
      expect(log.match(/method=PUT path="\/api\/v1\//g)?.length ?? 0, `writes through instance ${instance.port}`).toBeGreaterThan(0);
    }
    for (const phone of phones) await phone.ctx.close();
    return;
  }

  // The backup taken while the phones wrote: restored (which verifies every count and checksum), it holds every
  // item the server had committed when it began, each once, nothing the server does not hold, and passes
  // integrity_check.
  await backup;
  expect(committedBeforeBackup, "a backup was taken during the run").toBeDefined();
  execFileSync(bin, ["restore", archive, "--db", restoredDb]);
  const inBackup = itemsIn(restoredDb);
  const missing = [...committedBeforeBackup!.keys()].filter((t) => !inBackup.has(t));
  console.log(
    `chaos: backup during the run: ${committedBeforeBackup!.size} items committed when it began, ${inBackup.size} in it; ` +
      `missing ${missing.length}`
  );
  expect(missing, "committed before the backup began but not in it").toEqual([]);
  expect([...inBackup].filter(([, n]) => n > 1), "in the backup more than once").toEqual([]);
  expect([...inBackup.keys()].filter((t) => !onServer.has(t)), "in the backup but not on the server").toEqual([]);
  expect(dbRows(restoredDb, "PRAGMA integrity_check")[0][0]).toBe("ok");
  for (const phone of phones) await phone.ctx.close();
});
