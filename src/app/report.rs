//! 随手拍: snap first, file later. Taking a photo makes a draft on the phone at once (photo, time, GPS fix);
//! one screen then finishes it: category, urgency, note, up to three photos, and Send.
use std::collections::HashMap;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{use_app, AppContext, PageHeader};
use crate::client::local::{LocalPhoto, LocalReport, LocalState, OutboxEntry, OutboxKind};
use crate::client::location::fresh_fix;
use crate::client::now;
use crate::client::photo::{object_url, prepare};
use crate::domain::photo::kilobytes;
use crate::domain::report::MAX_PHOTOS;
use crate::domain::timestamp::format_time;
use crate::domain::{Category, ReportSubmission};
use crate::i18n::{fill, Texts};

/// Categories, the rider's most used first (catalog order among equals).
fn categories_by_use(categories: &[Category], reports: &[LocalReport]) -> Vec<Category> {
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for r in reports {
        if let Some(c) = &r.category {
            *uses.entry(c.as_str()).or_default() += 1;
        }
    }
    // A retired category keeps naming its old reports but takes no new ones.
    let mut list: Vec<(usize, Category)> = categories
        .iter()
        .filter(|c| !c.retired)
        .cloned()
        .enumerate()
        .collect();
    list.sort_by_key(|(i, c)| {
        (
            std::cmp::Reverse(uses.get(c.code.as_str()).copied().unwrap_or(0)),
            *i,
        )
    });
    list.into_iter().map(|(_, c)| c).collect()
}

/// A `performance.mark()` for the benchmarks (scripts/bench.sh): Send tapped, the report committed to IndexedDB.
fn mark(name: &str) {
    if let Some(performance) = window().performance() {
        let _ = performance.mark(name);
    }
}

/// The first problem of a report that is not ready, in words.
fn problem(t: &Texts, report: &LocalReport, known: &[Category]) -> Option<String> {
    let Some(sub): Option<ReportSubmission> = report.submission() else {
        return Some(t.need_category.to_owned());
    };
    let errors = sub
        .validate(now(), |c| known.iter().any(|k| k.code == c))
        .err()?;
    let field = errors.keys().next()?.as_str();
    Some(match field {
        "category" => t.need_category.to_owned(),
        "lat" | "lon" => t.need_place.to_owned(),
        "description" if sub.photos.is_empty() => t.need_content.to_owned(),
        other => fill(t.need_other, &[("field", other)]),
    })
}

/// The draft on screen, and what the page shows beside it. Every change is saved to the phone at once: closing the
/// app loses nothing.
#[derive(Clone, Copy)]
struct Draft {
    app: AppContext,
    current: RwSignal<Option<LocalReport>>,
    /// Object URLs of the draft's photos, by hash (kept for what is on screen even if saving failed).
    urls: RwSignal<HashMap<String, String>>,
    busy: RwSignal<bool>,
    locating: RwSignal<bool>,
    message: RwSignal<Option<(bool, String)>>,
}

impl Draft {
    /// Saves `report` and its new photos on the phone; says so when it fails.
    async fn save(self, report: LocalReport, photos: Vec<(String, Vec<u8>)>) {
        let saved = match self.app.store() {
            Some(store) => store
                .save_report(&report, &photos)
                .await
                .map_err(|e| e.to_string()),
            None => Err(String::from("IndexedDB")),
        };
        match saved {
            Ok(()) => self.app.reload_reports().await,
            Err(e) => self.storage_failed(&e),
        }
    }

    fn storage_failed(self, reason: &str) {
        let t = self.app.t();
        self.message
            .set(Some((true, fill(t.storage_failed, &[("reason", reason)]))));
    }

    /// Changes the draft on screen and saves it.
    fn edit(self, change: impl FnOnce(&mut LocalReport) + 'static) {
        let Some(mut r) = self.current.get_untracked() else {
            return;
        };
        change(&mut r);
        self.current.set(Some(r.clone()));
        leptos::task::spawn_local(self.save(r, vec![]));
    }

    /// A photo taken: scaled and stripped, added to the draft (a new draft for the first), saved; a new draft then
    /// gets a GPS fix.
    async fn add_photo(self, file: web_sys::File) {
        let t = self.app.t();
        let photo = match prepare(&file).await {
            Ok(p) => p,
            Err(e) => {
                self.message
                    .set(Some((true, fill(t.capture_failed, &[("reason", &e)]))));
                self.busy.set(false);
                return;
            }
        };
        if let Some(url) = object_url(&photo.bytes) {
            self.urls.update(|u| {
                u.insert(photo.sha256.clone(), url);
            });
        }
        let fresh = self.current.get_untracked().is_none();
        let mut report = self.current.get_untracked().unwrap_or_else(new_draft);
        if !report.photos.iter().any(|p| p.sha256 == photo.sha256)
            && report.photos.len() < MAX_PHOTOS
        {
            report.photos.push(LocalPhoto {
                sha256: photo.sha256.clone(),
                size: photo.bytes.len() as u64,
            });
        }
        self.current.set(Some(report.clone()));
        self.save(report, vec![(photo.sha256, photo.bytes)]).await;
        self.busy.set(false);
        if fresh {
            self.locating.set(true);
            let fix = fresh_fix(5_000).await;
            self.locating.set(false);
            if let (Some(fix), Some(mut r)) = (fix, self.current.get_untracked()) {
                r.lat = Some(fix.lat);
                r.lon = Some(fix.lon);
                r.accuracy_m = Some(fix.accuracy_m);
                self.current.set(Some(r.clone()));
                self.save(r, vec![]).await;
            }
        }
    }

    /// Send: the draft, if complete, goes into the outbox in one transaction (else the page says what is missing);
    /// `last_saved` then names it.
    fn send(self, last_saved: RwSignal<Option<String>>) {
        let app = self.app;
        mark("report-send");
        let Some(mut r) = self.current.get_untracked() else {
            return;
        };
        let known = app.reference.with_untracked(|d| d.categories.clone());
        if let Some(p) = problem(app.t(), &r, &known) {
            self.message.set(Some((true, p)));
            return;
        }
        r.state = LocalState::Queued;
        let entry = OutboxEntry::new(r.id.clone(), OutboxKind::Report, None, js_sys::Date::now());
        leptos::task::spawn_local(async move {
            let Some(store) = app.store() else {
                self.storage_failed("IndexedDB");
                return;
            };
            match store.queue_report(&r, &entry).await {
                Ok(()) => {
                    mark("report-saved");
                    self.clear();
                    self.message
                        .set(Some((false, app.t().saved_on_phone.to_owned())));
                    last_saved.set(Some(r.id.clone()));
                    app.reload_reports().await;
                    app.sync_now();
                }
                Err(e) => self.storage_failed(&e.to_string()),
            }
        });
    }

    /// Opens a draft kept on the phone again, with its photos.
    async fn resume(self, r: LocalReport) {
        let mut map = HashMap::new();
        if let Some(store) = self.app.store() {
            for p in &r.photos {
                if let Some(url) = store
                    .photo(&p.sha256)
                    .await
                    .ok()
                    .flatten()
                    .and_then(|b| object_url(&b))
                {
                    map.insert(p.sha256.clone(), url);
                }
            }
        }
        self.urls.set(map);
        self.message.set(None);
        self.current.set(Some(r));
    }

    /// Leaves the draft (kept or deleted): the page starts again at the camera button.
    fn clear(self) {
        self.current.set(None);
        self.urls.set(HashMap::new());
    }
}

/// A new draft, made when its first photo is taken.
fn new_draft() -> LocalReport {
    LocalReport {
        id: uuid::Uuid::now_v7().to_string(),
        state: LocalState::Draft,
        category: None,
        urgent: false,
        description: String::new(),
        lat: None,
        lon: None,
        accuracy_m: None,
        address: String::new(),
        photos: vec![],
        captured_at: format_time(now()),
        created_ms: js_sys::Date::now(),
        problem: None,
        server: None,
    }
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let app = use_app();
    let draft = Draft {
        app,
        current: RwSignal::new(None),
        urls: RwSignal::new(HashMap::new()),
        busy: RwSignal::new(false),
        locating: RwSignal::new(false),
        message: RwSignal::new(None),
    };
    let Draft {
        current,
        busy,
        message,
        ..
    } = draft;
    // The report just saved: the banner follows it from 已保存在手机上 to 已送达.
    let last_saved = RwSignal::new(None::<String>);
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let current_id = Memo::new(move |_| current.with(|c| c.as_ref().map(|r| r.id.clone())));

    let on_photo = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        busy.set(true);
        message.set(None);
        leptos::task::spawn_local(draft.add_photo(file));
    };

    let open_camera = move |_| {
        if let Some(input) = input_ref.get() {
            input.click();
        }
    };

    let send = move |_| draft.send(last_saved);

    let later = move |_| {
        draft.clear();
        message.set(Some((false, app.t().draft_saved_hint.to_owned())));
    };

    let delete = move |_| {
        let confirmed = window()
            .confirm_with_message(app.t().delete_confirm)
            .unwrap_or(false);
        let Some(r) = current.get_untracked().filter(|_| confirmed) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Some(store) = app.store() {
                let _ = store.delete_draft(&r.id).await;
            }
            draft.clear();
            app.reload_reports().await;
        });
    };

    let resume = move |r: LocalReport| leptos::task::spawn_local(draft.resume(r));

    view! {
        <PageHeader title=|t| t.report_title />
        <input
            node_ref=input_ref
            class="visually-hidden"
            type="file"
            accept="image/*"
            capture="environment"
            data-testid="photo-input"
            aria-label=app.text(|t| t.capture_button)
            on:change=on_photo
        />
        <Show when=move || message.get().is_some()>
            <p
                class=move || if message.get().is_some_and(|m| m.0) { "banner banner-warning" } else { "banner banner-ok" }
                role="status"
                data-testid="report-message"
            >
                {move || {
                    let delivered = last_saved.get().is_some_and(|id| {
                        app.reports.with(|rs| rs.iter().any(|r| r.id == id && r.state == LocalState::Delivered))
                    });
                    let saved = message.get().is_some_and(|m| m.1 == app.t().saved_on_phone);
                    if delivered && saved { Some(app.t().report_delivered.to_owned()) } else { message.get().map(|m| m.1) }
                }}
            </p>
        </Show>
        {move || match current_id.get() {
            None => view! {
                <CaptureStart busy=busy on_capture=Callback::new(move |_| open_camera(())) on_resume=Callback::new(resume) />
            }
            .into_any(),
            // Rendered once per report: the fields follow `current` on their own, so typing is never interrupted by
            // a re-render.
            Some(_) => view! {
                <ReportForm draft=draft on_camera=Callback::new(move |_| open_camera(())) />
                <div class="actions">
                    <button type="button" class="button secondary" on:click=later>{app.text(|t| t.later_button)}</button>
                    <button type="button" class="button primary-action" disabled=move || busy.get() on:click=send>
                        {app.text(|t| t.send_button)}
                    </button>
                </div>
                <button type="button" class="link-button" on:click=delete>{app.text(|t| t.delete_button)}</button>
            }
            .into_any(),
        }}
    }
}

/// The draft's one screen: its photos (and a button for another), category (most used first), urgent, note, where,
/// and the KB it costs to send.
#[component]
fn ReportForm(draft: Draft, on_camera: Callback<()>) -> impl IntoView {
    let Draft {
        app,
        current,
        urls,
        busy,
        locating,
        ..
    } = draft;
    let field = move |f: fn(&LocalReport) -> String| {
        move || current.with(|c| c.as_ref().map(f).unwrap_or_default())
    };
    // Follows the reference data (it may arrive after the photo); the order by use is fixed per report.
    let categories = move || {
        app.reference
            .with(|d| categories_by_use(&d.categories, &app.reports.get_untracked()))
    };
    view! {
        <section class="card form">
            <div class="thumbs">
                {move || current.with(|c| c.as_ref().map(|r| r.photos.clone()).unwrap_or_default()).into_iter().map(|p| {
                    let src = urls.with(|u| u.get(&p.sha256).cloned()).unwrap_or_default();
                    view! { <img class="thumb" src=src alt=app.text(|t| t.photo_alt) /> }
                }).collect_view()}
                <Show when=move || current.with(|c| c.as_ref().is_some_and(|r| r.photos.len() < MAX_PHOTOS))>
                    <button type="button" class="button secondary thumb-add" disabled=move || busy.get()
                        on:click=move |_| on_camera.run(())>
                        {move || if busy.get() { app.t().capture_working } else { app.t().capture_more }}
                    </button>
                </Show>
            </div>
            <h2>{app.text(|t| t.category_label)}</h2>
            <div class="category-grid" role="group" aria-label=app.text(|t| t.category_label)>
                {move || categories().into_iter().map(|c| {
                    let code = c.code.clone();
                    let pressed_code = c.code.clone();
                    let pressed = move || current.with(|r| r.as_ref().and_then(|r| r.category.as_deref()) == Some(pressed_code.as_str())).to_string();
                    view! {
                        <button type="button" class="category" aria-pressed=pressed
                            on:click=move |_| { let code = code.clone(); draft.edit(move |r| r.category = Some(code)) }>
                            {move || c.name(app.lang.get().is_english()).to_owned()}
                        </button>
                    }
                }).collect_view()}
            </div>
            <label class="toggle">
                <input type="checkbox" prop:checked=move || current.with(|c| c.as_ref().is_some_and(|r| r.urgent))
                    on:change=move |ev| { let on = event_target_checked(&ev); draft.edit(move |r| r.urgent = on) } />
                <span>{app.text(|t| t.urgent_label)}</span>
            </label>
            <label class="field" for="report-note">{app.text(|t| t.note_label)}</label>
            <textarea id="report-note" class="text" rows="2" maxlength="2000"
                placeholder=app.text(|t| t.note_hint)
                prop:value=field(|r| r.description.clone())
                on:change=move |ev| { let v = event_target_value(&ev); draft.edit(move |r| r.description = v) }>
            </textarea>
            <p class="muted" data-testid="location">
                {app.text(|t| t.location_label)}": "
                {move || {
                    let fix = current.with(|c| c.as_ref().and_then(|r| r.accuracy_m.filter(|_| r.lat.is_some())));
                    if locating.get() {
                        app.t().location_locating.to_owned()
                    } else if let Some(acc) = fix {
                        fill(app.t().location_fix, &[("m", &(acc.round() as i64).to_string())])
                    } else {
                        app.t().location_none.to_owned()
                    }
                }}
            </p>
            <label class="field" for="report-address">{app.text(|t| t.address_label)}</label>
            <input id="report-address" class="text" type="text" maxlength="500"
                placeholder=app.text(|t| t.address_hint)
                prop:value=field(|r| r.address.clone())
                on:change=move |ev| { let v = event_target_value(&ev); draft.edit(move |r| r.address = v) } />
            <p class="muted" data-testid="send-cost">
                {move || {
                    let kb = current.with(|c| c.as_ref().map_or(0, |r| kilobytes(r.bytes_to_send())));
                    fill(app.t().send_cost, &[("kb", &kb.to_string())])
                }}
            </p>
        </section>
    }
}

/// Before a photo: the big camera button within thumb reach, and the drafts to finish.
#[component]
fn CaptureStart(
    busy: RwSignal<bool>,
    on_capture: Callback<()>,
    on_resume: Callback<LocalReport>,
) -> impl IntoView {
    let app = use_app();
    let drafts = move || {
        let mut d: Vec<LocalReport> = app
            .reports
            .get()
            .into_iter()
            .filter(|r| r.state == LocalState::Draft)
            .collect();
        d.sort_by(|a, b| b.created_ms.total_cmp(&a.created_ms));
        d
    };
    view! {
        <section class="card">
            <p>{app.text(|t| t.report_intro)}</p>
        </section>
        <Show when=move || !drafts().is_empty()>
            <section class="card">
                <h2>{app.text(|t| t.drafts_title)}</h2>
                <ul class="plain-list" data-testid="drafts">
                    {move || drafts().into_iter().map(|r| {
                        let label = crate::i18n::fill_count(app.t().draft_item, r.photos.len(), &[
                            ("time", &super::format::local_time(&r.captured_at)),
                        ]);
                        let r2 = r.clone();
                        view! {
                            <li><button type="button" class="list-button" on:click=move |_| on_resume.run(r2.clone())>{label}</button></li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
        <div class="capture-dock">
            <button type="button" class="button capture" disabled=move || busy.get() on:click=move |_| on_capture.run(())>
                {move || if busy.get() { app.t().capture_working } else { app.t().capture_button }}
            </button>
        </div>
    }
}
