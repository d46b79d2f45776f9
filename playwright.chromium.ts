// How every Playwright run here starts Chromium: Debian's /usr/bin/chromium (nothing is downloaded), as root
// without the sandbox, and without the background connections this machine's closed network refuses.
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
