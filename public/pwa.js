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

// Live changes (GET /api/v1/changes/stream, src/server/live.rs): while the app is open it holds one stream and
// calls back on each event — the stream's first `ready` (what changed while it was down) and every `change` — and
// the app pulls the change feed (src/client/pwa.rs, LiveChannel). The feed stays the source of truth and the app's
// 30-second poll goes on: a stream that cannot be held (no network, a proxy that buffers it) costs only the wait
// for the next poll. window.suishoupaiLive.open(token, onChange) → { close() }.
(() => {
  // The server sends a comment line every 15 s: nothing for longer than this and the stream is dead or buffered.
  const QUIET_LIMIT_MS = 35000;
  const FIRST_DELAY_MS = 1000;
  const MAX_DELAY_MS = 5 * 60 * 1000;

  window.suishoupaiLive = {
    open(token, onChange) {
      let closed = false;
      let controller = null;
      let delay = FIRST_DELAY_MS;
      let wake = () => {};
      // Back online or on screen again: stop waiting and reconnect now.
      const soon = () => {
        delay = FIRST_DELAY_MS;
        wake();
      };
      const onVisible = () => document.visibilityState === "visible" && soon();
      window.addEventListener("online", soon);
      document.addEventListener("visibilitychange", onVisible);
      const pause = (ms) =>
        new Promise((resolve) => {
          const timer = setTimeout(resolve, ms);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      const hold = async () => {
        let heard = false;
        controller = new AbortController();
        let quiet = 0;
        const alive = () => {
          clearTimeout(quiet);
          quiet = setTimeout(() => controller.abort(), QUIET_LIMIT_MS);
        };
        try {
          alive();
          const res = await fetch("/api/v1/changes/stream", {
            headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" },
            cache: "no-store",
            signal: controller.signal,
          });
          // A token no longer valid: the app's next sync finds out and asks to sign in again.
          if (res.status === 401 || res.status === 403) closed = true;
          if (!res.ok || !res.body) return heard;
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return heard;
            alive();
            buffer += value;
            let end;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              if (/^event: (ready|change)$/m.test(block)) {
                heard = true;
                onChange();
              }
            }
          }
        } catch {
          return heard; // network gone, aborted, or cut by a proxy: wait and try again
        } finally {
          clearTimeout(quiet);
        }
      };
      (async () => {
        while (!closed) {
          const heard = await hold();
          if (closed) break;
          delay = heard ? FIRST_DELAY_MS : Math.min(delay * 2, MAX_DELAY_MS);
          await pause(delay * (0.5 + Math.random()));
        }
      })();
      return {
        close() {
          closed = true;
          window.removeEventListener("online", soon);
          document.removeEventListener("visibilitychange", onVisible);
          controller?.abort();
          wake();
        },
      };
    },
  };
})();

// A new urgent task (src/client/pwa.rs, alert): a short vibration and a short tone. Browsers allow both only after
// the user has touched the page; where they don't, nothing happens (the task is on the list all the same).
window.suishoupaiAlert = {
  now() {
    try {
      navigator.vibrate?.([200, 100, 200]);
    } catch {}
    try {
      const audio = new (window.AudioContext || window.webkitAudioContext)();
      setTimeout(() => audio.close(), 1000);
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.frequency.value = 880;
      volume.gain.setValueAtTime(0.2, audio.currentTime);
      volume.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
      tone.connect(volume).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.4);
    } catch {}
  },
};
