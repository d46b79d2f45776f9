//! Downloads: bytes saved as a file, and the reports of a period as CSV or XLSX (the console and the dashboard).
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::use_app;
use crate::client::api::get_bytes;
use crate::domain::figures::ExportFormat;

/// Saves bytes as a file the browser downloads.
pub fn download(bytes: &[u8], name: &str, media: &str) {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = document()
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The buttons that download the reports received `from`–`to` (and narrowed by `filter`, more query parameters
/// such as `&street=…`) as CSV or XLSX: in the console and on the dashboard.
#[component]
pub fn ReportsExport(
    from: RwSignal<String>,
    to: RwSignal<String>,
    #[prop(into)] filter: Signal<String>,
) -> impl IntoView {
    let app = use_app();
    let error = RwSignal::new(None::<String>);
    let export_reports = move |format: ExportFormat| {
        let token = app.token();
        let (f, t) = (from.get_untracked(), to.get_untracked());
        let filter = filter.get_untracked();
        leptos::task::spawn_local(async move {
            let path = format!(
                "/export/reports?from={f}&to={t}&format={}{filter}",
                format.extension()
            );
            match get_bytes(&path, token.as_deref()).await {
                Ok(bytes) => {
                    let name = format!("reports-{f}-{t}.{}", format.extension());
                    download(&bytes, &name, format.media_type());
                    error.set(None);
                }
                Err(fault) => error.set(Some(app.describe(&fault))),
            }
        });
    };
    view! {
        <div class="action-buttons">
            {[ExportFormat::Csv, ExportFormat::Xlsx].into_iter().map(|format| view! {
                <button type="button" class="button secondary" data-testid=format!("export-reports-{}", format.extension())
                    on:click=move |_| export_reports(format)>{format!("reports.{}", format.extension())}</button>
            }).collect_view()}
        </div>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}
