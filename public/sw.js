// 随手拍 service worker: keeps the app shell on the phone so the app opens with no network.
// The shell list is read from the built index.html (Trunk writes the hashed file names there), never kept by hand.
// API responses are never cached here: the app's IndexedDB is the data cache.
const CACHE = "suishoupai-shell-v1";

async function shellUrls() {
  const res = await fetch("/index.html", { cache: "no-cache" });
  const html = await res.text();
  const urls = new Set(["/", "/index.html"]);
  for (const m of html.matchAll(/["'](\/[\w./-]+\.(?:js|wasm|css|svg|png|webmanifest))["']/g)) {
    urls.add(m[1]);
  }
  return [...urls];
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(await shellUrls());
      await self.skipWaiting();
    })()
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== CACHE) await caches.delete(key);
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
    // Network first, so a new version shows when online; the cached shell when not.
    event.respondWith(
      (async () => {
        try {
          const res = await fetch(req);
          if (res.ok) (await caches.open(CACHE)).put("/index.html", res.clone());
          return res;
        } catch (e) {
          return (await caches.match("/index.html")) || Response.error();
        }
      })()
    );
    return;
  }
  // Hashed assets never change: cache first.
  event.respondWith(
    (async () => {
      const hit = await caches.match(req);
      if (hit) return hit;
      const res = await fetch(req);
      if (res.ok) (await caches.open(CACHE)).put(req, res.clone());
      return res;
    })()
  );
});
