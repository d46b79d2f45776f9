//! Scanning a QR code with the camera, where the browser has `BarcodeDetector` (Chrome on Android does).
//! The detector is reached through `js_sys::Reflect`: web-sys marks it unstable.
use js_sys::{Array, Function, Object, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlVideoElement, MediaStream, MediaStreamConstraints};

/// Whether this browser can scan: `BarcodeDetector` and a camera API.
pub fn scanner_available() -> bool {
    let window = window();
    Reflect::has(&window, &"BarcodeDetector".into()).unwrap_or(false)
        && window.navigator().media_devices().is_ok()
}

fn js_error(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

async fn sleep_ms(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

fn stop_camera(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// Opens the back camera, shows it, and calls `on_code` with the first QR code's text.
/// The camera stops when a code is found, on an error, or when the scanner leaves the page.
#[component]
pub fn CodeScanner(on_code: Callback<String>, on_error: Callback<String>) -> impl IntoView {
    let video_ref = NodeRef::<leptos::html::Video>::new();
    // Disposed with this component: the scanning loop sees that and ends.
    let mounted = StoredValue::new(());
    video_ref.on_load(move |video: HtmlVideoElement| {
        leptos::task::spawn_local(async move {
            let mut stream = None;
            let outcome = scan(&video, &mut stream, move || {
                mounted.try_get_value().is_some()
            })
            .await;
            if let Some(stream) = stream {
                stop_camera(&stream);
            }
            video.set_src_object(None);
            match outcome {
                Ok(Some(text)) => on_code.run(text),
                Ok(None) => {}
                Err(e) => on_error.run(e),
            }
        });
    });
    view! { <video class="scanner" node_ref=video_ref autoplay=true muted=true playsinline=true></video> }
}

async fn scan(
    video: &HtmlVideoElement,
    stream_out: &mut Option<MediaStream>,
    still_wanted: impl Fn() -> bool,
) -> Result<Option<String>, String> {
    let devices = window().navigator().media_devices().map_err(js_error)?;
    let constraints = MediaStreamConstraints::new();
    let video_constraints = Object::new();
    Reflect::set(
        &video_constraints,
        &"facingMode".into(),
        &"environment".into(),
    )
    .map_err(js_error)?;
    constraints.set_video(&video_constraints);
    let stream: MediaStream = JsFuture::from(
        devices
            .get_user_media_with_constraints(&constraints)
            .map_err(js_error)?,
    )
    .await
    .map_err(js_error)?
    .dyn_into()
    .map_err(js_error)?;
    video.set_src_object(Some(&stream));
    *stream_out = Some(stream);

    let ctor: Function = Reflect::get(&window(), &"BarcodeDetector".into())
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)?;
    let options = Object::new();
    Reflect::set(&options, &"formats".into(), &Array::of1(&"qr_code".into())).map_err(js_error)?;
    let detector = Reflect::construct(&ctor, &Array::of1(&options)).map_err(js_error)?;
    let detect: Function = Reflect::get(&detector, &"detect".into())
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)?;

    while still_wanted() {
        if video.ready_state() >= 2 {
            let found = detect.call1(&detector, video).map_err(js_error)?;
            let codes: Array = JsFuture::from(Promise::resolve(&found))
                .await
                .map_err(js_error)?
                .dyn_into()
                .map_err(js_error)?;
            if let Some(text) = codes
                .iter()
                .find_map(|c| Reflect::get(&c, &"rawValue".into()).ok()?.as_string())
            {
                return Ok(Some(text));
            }
        }
        sleep_ms(250).await;
    }
    Ok(None)
}
