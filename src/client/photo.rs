//! Preparing a photo on the phone: decoded the right way up, scaled to 1,600 px on the long side, re-encoded as
//! JPEG (which drops EXIF, the phone's GPS tags included), and named by its SHA-256.
use js_sys::{Promise, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement, ImageBitmap};

use crate::domain::photo::{fit_within, sha256_hex, JPEG_QUALITY, MAX_EDGE_PX};

pub struct PreparedPhoto {
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

fn js(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

pub async fn prepare(file: &Blob) -> Result<PreparedPhoto, String> {
    let window = web_sys::window().ok_or("no window")?;
    // Browsers apply the EXIF orientation when decoding images (image-orientation: from-image).
    let bitmap: ImageBitmap =
        JsFuture::from(window.create_image_bitmap_with_blob(file).map_err(js)?)
            .await
            .map_err(js)?
            .dyn_into()
            .map_err(js)?;
    let (width, height) = fit_within(bitmap.width(), bitmap.height(), MAX_EDGE_PX);
    let document = window.document().ok_or("no document")?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(js)?
        .dyn_into()
        .map_err(|_| "not a canvas")?;
    canvas.set_width(width);
    canvas.set_height(height);
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(js)?
        .ok_or("no 2d context")?
        .dyn_into()
        .map_err(|_| "not a 2d context")?;
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, width as f64, height as f64)
        .map_err(js)?;
    bitmap.close();
    let blob = to_jpeg(&canvas).await?;
    let buffer = JsFuture::from(blob.array_buffer()).await.map_err(js)?;
    let bytes = Uint8Array::new(&buffer).to_vec();
    Ok(PreparedPhoto {
        sha256: sha256_hex(&bytes),
        bytes,
        width,
        height,
    })
}

async fn to_jpeg(canvas: &HtmlCanvasElement) -> Result<Blob, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        if let Err(e) = canvas.to_blob_with_type_and_encoder_options(
            done.unchecked_ref(),
            "image/jpeg",
            &JsValue::from_f64(JPEG_QUALITY),
        ) {
            let _ = reject.call1(&JsValue::NULL, &e);
        }
    });
    let blob = JsFuture::from(promise).await.map_err(js)?;
    blob.dyn_into::<Blob>()
        .map_err(|_| "the browser could not encode the photo".to_owned())
}

/// An object URL showing `bytes` as a JPEG (revoke it when done).
pub fn object_url(bytes: &[u8]) -> Option<String> {
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/jpeg");
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}
