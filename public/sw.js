// 随手拍 service worker: keeps the app shell on the phone so the app opens with no network, and lets a new
// version wait until the user chooses to switch (the app's banner 新版本可用 · 更新).
// The next line is written by the build (scripts/precache.mjs, Trunk's post-build hook): this build's files and
// a version hashed from them, so the bytes of this file change whenever the build does. Never edit it by hand.
const BUILD = { version: "unbuilt", files: [] };
// API responses are never cached here: the app's IndexedDB is the data cache.
const PREFIX = "suishoupai-shell-";
const CACHE = PREFIX + BUILD.version;
// A navigation waits this long for the network before the phone's copy of the shell is shown.
const NAVIGATION_TIMEOUT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Past the browser's HTTP cache: the files of this build, not what an older one left there.
      await cache.addAll(BUILD.files.map((url) => new Request(url, { cache: "reload" })));
    })()
  );
  // No skipWaiting here: a new version waits until the page asks for it (see the message handler).
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })()
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  if (req.mode === "navigate") {
    event.respondWith(navigation(req));
    return;
  }
  event.respondWith(asset(req));
});

// Network first, so a new index.html shows when online; this version's shell when the network fails or hangs.
// The answer from the network is not stored: the cache keeps the index.html whose assets it holds.
async function navigation(req) {
  const cached = () => caches.open(CACHE).then((cache) => cache.match("/index.html"));
  try {
    const res = await Promise.race([
      fetch(req),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), NAVIGATION_TIMEOUT_MS)),
    ]);
    return res;
  } catch (e) {
    return (await cached()) || Response.error();
  }
}

// Hashed files never change: this version's copy first, the network for anything it does not hold.
async function asset(req) {
  const hit = await (await caches.open(CACHE)).match(req);
  return hit || fetch(req);
}
