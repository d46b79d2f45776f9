//! The concern form: a difficulty or a 金点子, its topic, words, up to three photos and the station it goes to
//! (the nearest by default). Kept on the phone and queued in one step, like a report; station staff raise one at
//! the counter with the rider's pass.
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::kind_name;
use crate::app::{use_app, AppContext, PageHeader};
use crate::client::local::{OutboxEntry, OutboxKind};
use crate::client::location::current_fix;
use crate::client::photo::{object_url, prepare};
use crate::domain::concern::{ConcernKind, ConcernSubmission, MAX_PHOTOS};
use crate::domain::geo::GeoPoint;
use crate::domain::Role;
use crate::i18n::{fill, server_message};

/// What the form holds.
#[derive(Clone, Copy)]
struct Form {
    kind: RwSignal<ConcernKind>,
    topic: RwSignal<String>,
    text: RwSignal<String>,
    station: RwSignal<String>,
    pass: RwSignal<String>,
    /// Photos taken: hash, bytes and a preview.
    photos: RwSignal<Vec<(String, Vec<u8>, String)>>,
    here: RwSignal<Option<GeoPoint>>,
    error: RwSignal<Option<String>>,
}

impl Form {
    fn new(app: AppContext) -> Form {
        let own_station = app
            .session
            .with_untracked(|s| s.as_ref().and_then(|s| s.user.station_id.clone()));
        let form = Form {
            kind: RwSignal::new(ConcernKind::Difficulty),
            topic: RwSignal::new(String::new()),
            text: RwSignal::new(String::new()),
            station: RwSignal::new(own_station.clone().unwrap_or_default()),
            pass: RwSignal::new(String::new()),
            photos: RwSignal::new(Vec::new()),
            here: RwSignal::new(None),
            error: RwSignal::new(None),
        };
        if own_station.is_none() {
            // The nearest station by default, once the phone knows where it is (the first one until then).
            leptos::task::spawn_local(async move {
                if let Some(fix) = current_fix(5_000).await {
                    let _ = form.here.try_set(Some(GeoPoint::new(fix.lat, fix.lon)));
                    if let Some(nearest) =
                        stations_by_distance(app, form.here.get_untracked()).first()
                    {
                        let _ = form.station.try_set(nearest.0.clone());
                    }
                }
            });
        }
        form
    }

    fn submission(&self, counter: bool) -> ConcernSubmission {
        let here = self.here.get_untracked();
        ConcernSubmission {
            kind: self.kind.get_untracked(),
            topic: self.topic.get_untracked(),
            text: self.text.get_untracked().trim().to_owned(),
            station_id: self.station.get_untracked(),
            photos: self
                .photos
                .with_untracked(|p| p.iter().map(|(sha, _, _)| sha.clone()).collect()),
            lat: here.map(|h| h.lat),
            lon: here.map(|h| h.lon),
            rider_pass: counter.then(|| self.pass.get_untracked().trim().to_owned()),
        }
    }

    async fn add_photo(self, app: AppContext, file: web_sys::File) {
        match prepare(&file).await {
            Ok(p) => {
                let url = object_url(&p.bytes).unwrap_or_default();
                self.photos.update(|all| {
                    if all.len() < MAX_PHOTOS && !all.iter().any(|(sha, _, _)| *sha == p.sha256) {
                        all.push((p.sha256, p.bytes, url));
                    }
                });
            }
            Err(e) => self
                .error
                .set(Some(fill(app.t().capture_failed, &[("reason", &e)]))),
        }
    }
}

/// The stations in service, nearest first when the phone knows where it is: (id, name, metres away).
fn stations_by_distance(
    app: AppContext,
    here: Option<GeoPoint>,
) -> Vec<(String, String, Option<f64>)> {
    let mut list: Vec<(String, String, Option<f64>)> = app.reference.with(|r| {
        r.stations
            .iter()
            .filter(|s| !s.retired)
            .map(|s| {
                (
                    s.id.clone(),
                    s.name.clone(),
                    here.map(|h| h.distance_m(&GeoPoint::new(s.lat, s.lon))),
                )
            })
            .collect()
    });
    list.sort_by(|a, b| a.2.unwrap_or(0.0).total_cmp(&b.2.unwrap_or(0.0)));
    list
}

#[component]
pub fn NewConcernPage() -> impl IntoView {
    let app = use_app();
    let form = Form::new(app);
    let navigate = use_navigate();
    let counter = move || app.role() != Some(Role::Rider);
    let send = move || {
        let submission = form.submission(counter());
        let known = |code: &str| {
            app.reference
                .with_untracked(|r| r.concern_topics.iter().any(|t| t.code == code))
        };
        if let Err(faults) = submission.validate(known) {
            let lang = app.lang.get_untracked();
            let words: Vec<String> = faults.values().map(|m| server_message(m, lang)).collect();
            form.error.set(Some(words.join("；")));
            return;
        }
        if counter() && submission.rider_pass.as_deref().is_none_or(str::is_empty) {
            form.error.set(Some(app.t().concern_need_pass.to_owned()));
            return;
        }
        let id = uuid::Uuid::now_v7().to_string();
        let entry = OutboxEntry::carrying(
            id.clone(),
            OutboxKind::Concern,
            &submission,
            js_sys::Date::now(),
        );
        let photos: Vec<(String, Vec<u8>)> = form
            .photos
            .get_untracked()
            .into_iter()
            .map(|(sha, bytes, _)| (sha, bytes))
            .collect();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let Some(store) = app.store() else {
                form.error.set(Some(app.t().storage_unavailable.to_owned()));
                return;
            };
            match store.queue_with_photos(&entry, &photos).await {
                Ok(()) => {
                    app.reload_reports().await;
                    app.sync_now();
                    navigate(&format!("/concerns/{id}"), Default::default());
                }
                Err(e) => form.error.set(Some(fill(
                    app.t().storage_failed,
                    &[("reason", &e.to_string())],
                ))),
            }
        });
    };
    view! {
        <PageHeader title=|t| t.concern_new_title />
        <form class="card" data-testid="concern-form" on:submit=move |ev| {
            ev.prevent_default();
            send();
        }>
            <KindChoice kind=form.kind />
            <label class="field">{app.text(|t| t.concern_topic_label)}
                <select class="text" data-testid="concern-topic" on:change=move |ev| form.topic.set(event_target_value(&ev))>
                    <option value="" selected=move || form.topic.with(String::is_empty)>{app.text(|t| t.concern_topic_choose)}</option>
                    {move || {
                        let english = app.lang.get().is_english();
                        app.reference.with(|r| r.concern_topics.iter().map(|t| {
                            let code = t.code.clone();
                            let name = if english { t.name_en.clone() } else { t.name_zh.clone() };
                            view! { <option value=code.clone() selected=move || form.topic.with(|c| *c == code)>{name}</option> }
                        }).collect_view())
                    }}
                </select>
            </label>
            <label class="field">{app.text(|t| t.concern_text_label)}
                <textarea class="text" rows="4" maxlength="1000" data-testid="concern-text"
                    placeholder=move || match form.kind.get() {
                        ConcernKind::Difficulty => app.t().concern_text_hint,
                        ConcernKind::Suggestion => app.t().concern_idea_hint,
                    }
                    prop:value=move || form.text.get() on:input=move |ev| form.text.set(event_target_value(&ev))></textarea>
            </label>
            // Station staff raise it for their own station; an admin picks the station, as a rider does.
            <Show when=move || app.role() != Some(Role::StationStaff)>
                <StationChoice form=form />
            </Show>
            <Show when=counter>
                <label class="field">{app.text(|t| t.concern_pass_label)}
                    <input class="code-input" type="text" inputmode="numeric" autocomplete="off" data-testid="concern-pass"
                        prop:value=move || form.pass.get() on:input=move |ev| form.pass.set(event_target_value(&ev)) />
                </label>
            </Show>
            <Photos form=form />
            {move || form.error.get().map(|e| view! { <p class="error" role="alert" data-testid="concern-error">{e}</p> })}
            <button type="submit" class="button wide" data-testid="concern-send">{app.text(|t| t.concern_send)}</button>
            <p class="muted">{app.text(|t| t.concern_send_hint)}</p>
        </form>
    }
}

#[component]
fn KindChoice(kind: RwSignal<ConcernKind>) -> impl IntoView {
    let app = use_app();
    let choice = move |k: ConcernKind| {
        view! {
            <button type="button" aria-pressed=move || (kind.get() == k).to_string()
                data-kind=k.code() on:click=move |_| kind.set(k)>{move || kind_name(app.t(), k)}</button>
        }
    };
    view! {
        <div class="segmented" role="group" aria-label=app.text(|t| t.concern_kind_label)>
            {choice(ConcernKind::Difficulty)}
            {choice(ConcernKind::Suggestion)}
        </div>
    }
}

#[component]
fn StationChoice(form: Form) -> impl IntoView {
    let app = use_app();
    view! {
        <label class="field">{app.text(|t| t.concern_station_label)}
            <select class="text" data-testid="concern-station" on:change=move |ev| form.station.set(event_target_value(&ev))>
                {move || stations_by_distance(app, form.here.get()).into_iter().map(|(id, name, d)| {
                    let label = match d {
                        Some(m) => fill(app.t().station_distance, &[("km", &format!("{:.1}", m / 1000.0))]),
                        None => String::new(),
                    };
                    let chosen = id.clone();
                    view! { <option value=id selected=move || form.station.with(|s| *s == chosen)>{name}" "{label}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn Photos(form: Form) -> impl IntoView {
    let app = use_app();
    let on_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            input.set_value("");
            leptos::task::spawn_local(form.add_photo(app, file));
        }
    };
    view! {
        <div class="thumbs">
            {move || form.photos.get().into_iter().map(|(_, _, url)| view! {
                <img class="thumb" src=url alt=app.text(|t| t.photo_alt) />
            }).collect_view()}
        </div>
        <Show when=move || form.photos.with(|p| p.len() < MAX_PHOTOS)>
            <label class="button secondary wide">{app.text(|t| t.concern_photo)}
                <input type="file" accept="image/*" capture="environment" class="visually-hidden"
                    data-testid="concern-photo" on:change=on_file />
            </label>
        </Show>
    }
}
