//! 设置: the language, the server this phone talks to, the app version, and the phone's copy of reference data.
use leptos::prelude::*;

use super::context::Refresh;
use super::{use_app, PageHeader};
use crate::client::api::server_origin;
use crate::domain::APP_VERSION;
use crate::i18n::{fill, Lang};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let app = use_app();
    let origin = server_origin();
    view! {
        <PageHeader title=|t| t.settings_title />
        <section class="card">
            <h2 id="language-heading">{move || app.t().settings_language}</h2>
            <div class="segmented" role="group" aria-labelledby="language-heading">
                {Lang::ALL
                    .into_iter()
                    .map(|lang| {
                        view! {
                            <button
                                type="button"
                                lang=lang.tag()
                                aria-pressed=move || (app.lang.get() == lang).to_string()
                                on:click=move |_| app.set_lang(lang)
                            >
                                {lang.texts().lang_name}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </section>
        <section class="card">
            <dl class="facts">
                <dt>{move || app.t().settings_server}</dt>
                <dd data-testid="server-origin">{origin}</dd>
                <dt>{move || app.t().settings_version}</dt>
                <dd data-testid="app-version">{APP_VERSION}</dd>
            </dl>
        </section>
        <ReferenceStatus />
    }
}

#[component]
fn ReferenceStatus() -> impl IntoView {
    let app = use_app();
    let counts = move || {
        app.reference.with(|r| {
            fill(
                app.t().reference_counts,
                &[
                    ("categories", &r.categories.len().to_string()),
                    ("stations", &r.stations.len().to_string()),
                    ("grids", &r.grids.len().to_string()),
                ],
            )
        })
    };
    let updated = move || {
        app.reference.with(|r| match &r.fetched_at {
            Some(at) => fill(app.t().reference_updated, &[("time", &local_time(at))]),
            None => app.t().reference_never.to_owned(),
        })
    };
    let status = move || match app.refresh.get() {
        Refresh::Idle => String::new(),
        Refresh::Running => app.t().reference_refreshing.to_owned(),
        Refresh::Done => app.t().reference_done.to_owned(),
        Refresh::Failed(f) => fill(app.t().reference_failed, &[("reason", &app.describe(&f))]),
    };
    let english = move || app.lang.get().is_english();
    view! {
        <section class="card">
            <h2>{move || app.t().reference_title}</h2>
            <p data-testid="reference-counts">{counts}</p>
            <p class="muted">{updated}</p>
            <p class="muted" role="status" aria-live="polite">{status}</p>
            <button
                type="button"
                class="button"
                disabled=move || app.refresh.get() == Refresh::Running
                on:click=move |_| app.refresh_reference()
            >
                {move || app.t().reference_refresh}
            </button>
        </section>
        <section class="card">
            <h2>{move || app.t().categories_title}</h2>
            <ul class="chips" data-testid="categories">
                {move || {
                    app.reference
                        .with(|r| r.categories.clone())
                        .into_iter()
                        .map(|c| view! { <li class="chip">{c.name(english()).to_owned()}</li> })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}

/// An RFC 3339 instant shown in the phone's local time, `YYYY-MM-DD HH:MM`.
fn local_time(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}
