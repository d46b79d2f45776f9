// The page's side of the installable app, loaded before the wasm so no browser event is missed:
// registers the service worker, notices a new version waiting and switches to it when the app asks
// (window.suishoupaiUpdate), and keeps the browser's install offer for the app's button (window.suishoupaiInstall).
// The app (src/client/pwa.rs) listens for the events "suishoupai-update" and "suishoupai-installable".
"use strict";
(() => {
  // The outbox sync holds this Web Lock while it sends (src/client/sync.rs).
  const SYNC_LOCK = "suishoupai-sync";
  // If the new version has not taken over by then, the page reloads anyway (it then gets whichever is active).
  const SWITCH_TIMEOUT_MS = 10000;

  let waiting = null;
  let installPrompt = null;
  const tell = (name) => window.dispatchEvent(new Event(name));

  window.suishoupaiUpdate = {
    ready: () => waiting !== null,
    // Waits for a sync in flight to finish, then has the waiting version take over and reloads once.
    apply() {
      const worker = waiting;
      if (!worker) return Promise.resolve(false);
      const switchOver = () =>
        new Promise((resolve) => {
          let reloaded = false;
          const reload = () => {
            if (reloaded) return;
            reloaded = true;
            window.location.reload();
            resolve(true);
          };
          // Another tab may have switched already: then this one only needs to reload.
          if (worker.state === "activated") return reload();
          navigator.serviceWorker.addEventListener("controllerchange", reload);
          setTimeout(reload, SWITCH_TIMEOUT_MS);
          worker.postMessage({ type: "skip-waiting" });
        });
      // Holding the lock until the page goes also keeps a new sync from starting in between.
      return navigator.locks ? navigator.locks.request(SYNC_LOCK, switchOver) : switchOver();
    },
  };

  window.suishoupaiInstall = {
    available: () => installPrompt !== null,
    // Shows the browser's install dialog; resolves true when the user accepted.
    async prompt() {
      const offer = installPrompt;
      if (!offer) return false;
      installPrompt = null;
      offer.prompt();
      const choice = await offer.userChoice;
      tell("suishoupai-installable");
      return choice.outcome === "accepted";
    },
    // iOS has no install offer: Safari's Share → Add to Home Screen does it (and installed apps keep their storage).
    iosHint() {
      const ios = /iPhone|iPad|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
      const standalone = navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;
      return ios && !standalone;
    },
  };

  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    installPrompt = event;
    tell("suishoupai-installable");
  });
  window.addEventListener("appinstalled", () => {
    installPrompt = null;
    tell("suishoupai-installable");
  });

  if (!("serviceWorker" in navigator)) return;
  const announce = (worker) => {
    waiting = worker;
    tell("suishoupai-update");
  };
  // A version that finishes installing while another controls the page waits: that is an update.
  const watch = (worker) => {
    if (!worker) return;
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) announce(worker);
    });
  };
  navigator.serviceWorker
    .register("/sw.js")
    .then((registration) => {
      if (registration.waiting && navigator.serviceWorker.controller) announce(registration.waiting);
      watch(registration.installing);
      registration.addEventListener("updatefound", () => watch(registration.installing));
      // Riders keep the app open for hours: look for a new version whenever it comes back to the screen.
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") registration.update().catch(() => {});
      });
    })
    .catch((e) => console.warn("service worker:", e));
})();
