//! Loading a district file: choose what and the file, check it (the server says what it would add, update and
//! retire, or names each fault), then apply. People (the users CSV) come back with codes and cards to print.
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsCast;

use crate::app::components::{download, ReportsExport};
use crate::app::{use_app, AppContext};
use crate::client::api::{get_bytes, post_json, ApiFailure};
use crate::domain::district::{Changes, Fault, ImportRequest, ImportResult, Kind};
use crate::i18n::{fill, fill_count, Lang, Texts};

/// What the import card loads: a kind of reference data, or people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Reference(Kind),
    Users,
}

const CHOICES: [What; 6] = [
    What::Reference(Kind::Grids),
    What::Reference(Kind::Stations),
    What::Reference(Kind::Departments),
    What::Reference(Kind::Categories),
    What::Reference(Kind::ConcernTopics),
    What::Users,
];

fn label(t: &Texts, what: What) -> &'static str {
    match what {
        What::Reference(Kind::Grids) => t.kind_grids,
        What::Reference(Kind::Stations) => t.kind_stations,
        What::Reference(Kind::Departments) => t.kind_departments,
        What::Reference(Kind::Categories) => t.kind_categories,
        What::Reference(Kind::ConcernTopics) => t.kind_concern_topics,
        What::Users => t.kind_users,
    }
}

fn code(what: What) -> &'static str {
    match what {
        What::Reference(kind) => kind.name(),
        What::Users => "users",
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(super) struct Onboarded {
    pub(super) created: usize,
    pub(super) sheet_html: Option<String>,
}

/// What the card shows after the last step.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Refused(Vec<Fault>),
    Preview(Changes),
    Applied(Changes),
    UsersChecked,
    UsersCreated(Onboarded),
    Failed(String),
}

/// The faults of a `file_refused` answer, if that is what it was.
fn faults_of(failure: &ApiFailure) -> Option<Vec<Fault>> {
    let ApiFailure::Status {
        body: Some(body), ..
    } = failure
    else {
        return None;
    };
    let details = body.error.details.as_ref()?;
    serde_json::from_value(details.get("faults")?.clone()).ok()
}

async fn read_text(file: &web_sys::File) -> Result<String, String> {
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|e| format!("{e:?}"))?;
    text.as_string().ok_or_else(|| "not text".to_owned())
}

async fn send(app: AppContext, what: What, file: web_sys::File, apply: bool) -> Outcome {
    let t = app.t();
    let content = match read_text(&file).await {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(fill(t.import_read_failed, &[("reason", &e)])),
    };
    let token = app.token();
    let failed = |f: ApiFailure| match faults_of(&f) {
        Some(faults) => Outcome::Refused(faults),
        None => Outcome::Failed(app.describe(&f)),
    };
    match what {
        What::Reference(kind) => {
            let req = ImportRequest {
                kind,
                file_name: file.name(),
                content,
                apply,
            };
            match post_json::<_, ImportResult>("/admin/imports", &req, token.as_deref()).await {
                Ok(r) if r.applied => Outcome::Applied(r.changes),
                Ok(r) => Outcome::Preview(r.changes),
                Err(f) => failed(f),
            }
        }
        What::Users => {
            let url = window().location().origin().ok();
            let req = serde_json::json!({"content": content, "apply": apply, "url": url});
            match post_json::<_, Onboarded>("/admin/users/import", &req, token.as_deref()).await {
                Ok(o) if apply => Outcome::UsersCreated(o),
                Ok(_) => Outcome::UsersChecked,
                Err(f) => failed(f),
            }
        }
    }
}

/// Opens the cards in a new tab, where the browser's print dialog prints them on A4.
pub(super) fn open_sheet(html: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(html));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/html");
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
        if let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) {
            let _ = window().open_with_url_and_target(&url, "_blank");
        }
    }
}

#[component]
fn ChangeCounts(changes: Changes) -> impl IntoView {
    let app = use_app();
    let t = app.t();
    let line = |template: &str, ids: &[String]| {
        let shown: Vec<&str> = ids.iter().take(12).map(String::as_str).collect();
        let more = if ids.len() > shown.len() { " …" } else { "" };
        (!ids.is_empty()).then(|| {
            format!(
                "{}：{}{more}",
                fill(template, &[("n", &ids.len().to_string())]),
                shown.join("、")
            )
        })
    };
    let lines: Vec<String> = [
        line(t.import_added, &changes.added),
        line(t.import_updated, &changes.updated),
        line(t.import_retired, &changes.retired),
        Some(fill(
            t.import_unchanged,
            &[("n", &changes.unchanged.to_string())],
        )),
    ]
    .into_iter()
    .flatten()
    .collect();
    view! { <ul class="plain-list change-counts" data-testid="import-changes">{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }
}

#[component]
pub fn ImportCard(applied: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let what = RwSignal::new(What::Reference(Kind::Grids));
    let file = RwSignal::new_local(None::<web_sys::File>);
    let outcome = RwSignal::new(None::<Outcome>);
    let busy = RwSignal::new(false);
    let run = move |apply: bool| {
        let Some(chosen) = file.get_untracked() else {
            outcome.set(Some(Outcome::Failed(app.t().import_no_file.to_owned())));
            return;
        };
        busy.set(true);
        let kind = what.get_untracked();
        leptos::task::spawn_local(async move {
            let result = send(app, kind, chosen, apply).await;
            if matches!(result, Outcome::Applied(_) | Outcome::UsersCreated(_)) {
                applied.update(|n| *n += 1);
                app.refresh_reference();
            }
            outcome.set(Some(result));
            busy.set(false);
        });
    };
    let on_file = move |ev: leptos::ev::Event| {
        let chosen = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        file.set(chosen);
        outcome.set(None);
    };
    let shown = move || {
        let t = app.t();
        outcome.get().map(|o| match o {
            Outcome::Refused(faults) => view! {
                <div class="import-result error" role="alert" data-testid="import-faults">
                    <p>{fill_count(t.import_refused, faults.len(), &[])}</p>
                    <ul>{faults.into_iter().map(|f| {
                        // Chinese when the interface is; English otherwise (and for a server that sent no Chinese).
                        let (at, problem) = if app.lang.get_untracked() == Lang::Zh && !f.problem_zh.is_empty() {
                            (f.at_zh, f.problem_zh)
                        } else {
                            (f.at, f.problem)
                        };
                        view! { <li><strong>{at}</strong>"："{problem}</li> }
                    }).collect_view()}</ul>
                </div>
            }.into_any(),
            Outcome::Preview(changes) => view! {
                <div class="import-result" role="status" data-testid="import-preview">
                    <p>{t.import_preview}</p>
                    <ChangeCounts changes=changes />
                    <button type="button" class="button" disabled=busy on:click=move |_| run(true)>{t.import_apply}</button>
                </div>
            }.into_any(),
            Outcome::Applied(changes) => view! {
                <div class="import-result" role="status" data-testid="import-applied">
                    <p>{t.import_applied}</p>
                    <ChangeCounts changes=changes />
                </div>
            }.into_any(),
            Outcome::UsersChecked => view! {
                <div class="import-result" role="status" data-testid="import-preview">
                    <p>{t.users_checked}</p>
                    <button type="button" class="button" disabled=busy on:click=move |_| run(true)>{t.import_apply}</button>
                </div>
            }.into_any(),
            Outcome::UsersCreated(o) => {
                let sheet = o.sheet_html.clone();
                view! {
                    <div class="import-result" role="status" data-testid="import-applied">
                        <p>{fill(t.users_created, &[("n", &o.created.to_string())])}</p>
                        {sheet.map(|html| view! { <button type="button" class="button" on:click=move |_| open_sheet(&html)>{t.users_print}</button> })}
                    </div>
                }.into_any()
            }
            Outcome::Failed(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
        })
    };
    view! {
        <section class="card" data-testid="import-card">
            <h2>{app.text(|t| t.import_title)}</h2>
            <label class="field" for="import-kind">{app.text(|t| t.import_kind_label)}</label>
            <select id="import-kind" class="text" on:change=move |ev| {
                let chosen = event_target_value(&ev);
                if let Some(w) = CHOICES.into_iter().find(|w| code(*w) == chosen) {
                    what.set(w);
                    outcome.set(None);
                }
            }>
                {CHOICES.into_iter().map(|w| view! {
                    <option value=code(w) selected=move || what.get() == w>{move || label(app.t(), w)}</option>
                }).collect_view()}
            </select>
            <label class="field" for="import-file">{app.text(|t| t.import_file_label)}</label>
            <input id="import-file" type="file" accept=".geojson,.json,.csv,text/csv,application/geo+json" on:change=on_file />
            <button type="button" class="button secondary" disabled=busy on:click=move |_| run(false)>
                {move || if busy.get() { app.t().import_working } else { app.t().import_check }}
            </button>
            {shown}
        </section>
    }
}

/// The exported file's name: what the import takes back.
fn file_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Grids => "grids.geojson",
        Kind::Stations => "stations.csv",
        Kind::Departments => "departments.csv",
        Kind::Categories => "categories.csv",
        Kind::ConcernTopics => "concern_topics.csv",
    }
}

#[component]
pub fn ExportCard() -> impl IntoView {
    let app = use_app();
    let error = RwSignal::new(None::<String>);
    let export = move |kind: Kind| {
        let token = app.token();
        leptos::task::spawn_local(async move {
            match get_bytes(&format!("/admin/exports/{}", kind.name()), token.as_deref()).await {
                Ok(bytes) => {
                    let media = if kind == Kind::Grids {
                        "application/geo+json"
                    } else {
                        "text/csv"
                    };
                    download(&bytes, file_name(kind), media);
                    error.set(None);
                }
                Err(f) => error.set(Some(app.describe(&f))),
            }
        });
    };
    // This month so far, in the phone's calendar (Beijing time for a district in China).
    let (first, today) = crate::app::dashboard::month_so_far();
    let from = RwSignal::new(first);
    let to = RwSignal::new(today);
    view! {
        <section class="card" data-testid="export-card">
            <h2>{app.text(|t| t.export_title)}</h2>
            <div class="action-buttons">
                {CHOICES.into_iter().filter_map(|w| match w { What::Reference(k) => Some(k), What::Users => None }).map(|kind| view! {
                    <button type="button" class="button secondary" on:click=move |_| export(kind)>{file_name(kind)}</button>
                }).collect_view()}
            </div>
            <h3>{app.text(|t| t.export_reports_title)}</h3>
            <div class="date-range">
                <label class="field">{app.text(|t| t.export_from)}
                    <input type="date" class="text" data-testid="export-from" prop:value=move || from.get()
                        on:change=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <label class="field">{app.text(|t| t.export_to)}
                    <input type="date" class="text" data-testid="export-to" prop:value=move || to.get()
                        on:change=move |ev| to.set(event_target_value(&ev)) />
                </label>
            </div>
            <ReportsExport from=from to=to filter=Signal::stored(String::new()) />
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}
