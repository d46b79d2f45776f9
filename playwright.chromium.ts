// How every Playwright run here starts Chromium: Debian's /usr/bin/chromium (nothing is downloaded), as root
// without the sandbox, and without the background connections this machine's closed network refuses; and the
// phone the tests and the phone benchmarks hold.
export const chromiumPath = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";

export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** A rider's phone: 360×640 at twice the pixels, touch, Chinese, the service worker allowed. */
export const phoneSettings = {
  viewport: { width: 360, height: 640 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: "zh-CN",
  serviceWorkers: "allow" as const,
};
