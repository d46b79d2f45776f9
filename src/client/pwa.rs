//! The installable app as the page's script (`public/pwa.js`) exposes it: a new version waiting to take
//! over, the browser's install offer, and whether to explain iOS's Add to Home Screen.
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Fired on `window` when a new version starts waiting.
pub const UPDATE_EVENT: &str = "suishoupai-update";
/// Fired on `window` when the install offer appears or goes.
pub const INSTALLABLE_EVENT: &str = "suishoupai-installable";

/// Calls `window[object][method]()`; `None` where the script did not load (or the browser lacks the feature).
fn call(object: &str, method: &str) -> Option<JsValue> {
    let window = web_sys::window()?;
    let target = js_sys::Reflect::get(&window, &object.into()).ok()?;
    let function = js_sys::Reflect::get(&target, &method.into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    function.call0(&target).ok()
}

async fn call_async(object: &str, method: &str) -> Option<JsValue> {
    let value = call(object, method)?;
    JsFuture::from(js_sys::Promise::resolve(&value)).await.ok()
}

/// A new version of the app has installed and waits for the user to switch.
pub fn update_waiting() -> bool {
    call("suishoupaiUpdate", "ready").is_some_and(|v| v.is_truthy())
}

/// Switches to the waiting version: after any outbox sync in flight has finished (the sync's Web Lock),
/// the new version takes over and the page reloads once. Returns when the reload has been asked for.
pub async fn apply_update() -> bool {
    call_async("suishoupaiUpdate", "apply")
        .await
        .is_some_and(|v| v.is_truthy())
}

/// The browser offers to install the app (Chromium's `beforeinstallprompt`).
pub fn install_offered() -> bool {
    call("suishoupaiInstall", "available").is_some_and(|v| v.is_truthy())
}

/// Shows the browser's install dialog; true when the user accepted.
pub async fn install() -> bool {
    call_async("suishoupaiInstall", "prompt")
        .await
        .is_some_and(|v| v.is_truthy())
}

/// iOS Safari, not opened from the home screen: there the user adds the app by hand.
pub fn needs_ios_hint() -> bool {
    call("suishoupaiInstall", "iosHint").is_some_and(|v| v.is_truthy())
}

/// A new urgent task: a short vibration and tone, where the browser lets the page (`window.suishoupaiAlert`).
pub fn alert() {
    call("suishoupaiAlert", "now");
}

/// The live change stream the page's script holds (`window.suishoupaiLive`, `public/pwa.js`): `on_change` runs
/// whenever the server says something changed for this user (and when the stream comes back after a break). It
/// closes when dropped. The 30-second poll does not depend on it.
pub struct LiveChannel {
    handle: JsValue,
    _on_change: wasm_bindgen::closure::Closure<dyn Fn()>,
}

impl LiveChannel {
    /// Opens the stream with `token`; `None` where the script did not load.
    pub fn open(token: &str, on_change: impl Fn() + 'static) -> Option<LiveChannel> {
        let window = web_sys::window()?;
        let live = js_sys::Reflect::get(&window, &"suishoupaiLive".into()).ok()?;
        let open = js_sys::Reflect::get(&live, &"open".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        let on_change = wasm_bindgen::closure::Closure::<dyn Fn()>::new(on_change);
        let handle = open.call2(&live, &token.into(), on_change.as_ref()).ok()?;
        Some(LiveChannel {
            handle,
            _on_change: on_change,
        })
    }
}

impl Drop for LiveChannel {
    fn drop(&mut self) {
        if let Ok(close) = js_sys::Reflect::get(&self.handle, &"close".into()) {
            if let Ok(close) = close.dyn_into::<js_sys::Function>() {
                let _ = close.call0(&self.handle);
            }
        }
    }
}
