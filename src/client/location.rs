//! The best GPS fix the phone gives within a few seconds; none when denied or unavailable (indoors).
//! web-sys marks the Geolocation types unstable, so the API is reached through `js_sys::Reflect`.
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
}

fn number(obj: &JsValue, key: &str) -> Option<f64> {
    Reflect::get(obj, &key.into())
        .ok()?
        .as_f64()
        .filter(|v| v.is_finite())
}

/// A fix at most 30 s old (where the rider is, for the nearest station or a task's distance).
pub async fn current_fix(timeout_ms: u32) -> Option<Fix> {
    position(timeout_ms, RECENT_MS).await
}

/// Where the phone is now, for a report's place: a rider moves 100 m and more in 30 s, and a fix kept from the last
/// report would put the next hazard at the last one's place (and join it to that group). Only when no new fix
/// comes in time does a recent one do.
pub async fn fresh_fix(timeout_ms: u32) -> Option<Fix> {
    match position(timeout_ms, 0).await {
        Some(fix) => Some(fix),
        None => position(0, RECENT_MS).await,
    }
}

const RECENT_MS: u32 = 30_000;

async fn position(timeout_ms: u32, maximum_age_ms: u32) -> Option<Fix> {
    let navigator = web_sys::window()?.navigator();
    let geolocation = Reflect::get(&navigator, &"geolocation".into()).ok()?;
    let get: Function = Reflect::get(&geolocation, &"getCurrentPosition".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |pos: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &pos);
        });
        let reject_later = reject.clone();
        let err = Closure::once_into_js(move |e: JsValue| {
            let _ = reject_later.call1(&JsValue::NULL, &e);
        });
        let options = Object::new();
        let _ = Reflect::set(&options, &"enableHighAccuracy".into(), &JsValue::TRUE);
        let _ = Reflect::set(&options, &"timeout".into(), &JsValue::from(timeout_ms));
        let _ = Reflect::set(
            &options,
            &"maximumAge".into(),
            &JsValue::from(maximum_age_ms),
        );
        if let Err(e) = get.call3(&geolocation, &ok, &err, &options) {
            let _ = reject.call1(&JsValue::NULL, &e);
        }
    });
    let position = JsFuture::from(promise).await.ok()?;
    let coords = Reflect::get(&position, &"coords".into()).ok()?;
    Some(Fix {
        lat: number(&coords, "latitude")?,
        lon: number(&coords, "longitude")?,
        accuracy_m: number(&coords, "accuracy").unwrap_or(0.0),
    })
}
