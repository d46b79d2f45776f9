//! 我的上报: the rider's reports, newest first, each with its state on this phone and its status on the server;
//! a detail view with the photos, place, note and the timeline of what the grid did (收集—响应—反馈).
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{use_app, PageHeader};
use crate::client::api;
use crate::client::local::{LocalReport, LocalState};
use crate::client::photo::object_url;
use crate::domain::photo::kilobytes;
use crate::domain::ReportStatus;
use crate::i18n::{fill, server_message, Texts};

/// An RFC 3339 instant shown in the phone's local time, `YYYY-MM-DD HH:MM`.
pub fn local_time(rfc3339: &str) -> String {
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

pub fn state_name(t: &Texts, state: LocalState) -> &'static str {
    match state {
        LocalState::Draft => t.state_draft,
        LocalState::Queued => t.state_queued,
        LocalState::Sending => t.state_sending,
        LocalState::Delivered => t.state_delivered,
        LocalState::NeedsAttention => t.state_needs_attention,
    }
}

pub fn status_name(t: &Texts, status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Received => t.status_received,
        ReportStatus::Accepted => t.status_accepted,
        ReportStatus::InProgress => t.status_in_progress,
        ReportStatus::Resolved => t.status_resolved,
        ReportStatus::Rejected => t.status_rejected,
    }
}

/// Picks one string of the interface (so a label follows the language).
pub type TextOf = fn(&'static Texts) -> &'static str;

/// Links that open the phone's map app at a place: `geo:` on Android; iOS Safari ignores `geo:`, so on iPhones
/// and iPads Apple Maps and 高德地图 (Amap, told the coordinates are GPS ones with `dev=1`).
pub fn map_links(lat: f64, lon: f64) -> Vec<(TextOf, String)> {
    let ios = window()
        .navigator()
        .user_agent()
        .is_ok_and(|ua| ua.contains("iPhone") || ua.contains("iPad"));
    if ios {
        vec![
            (
                |t| t.map_apple,
                format!("https://maps.apple.com/?ll={lat},{lon}&q={lat},{lon}"),
            ),
            (
                |t| t.map_amap,
                format!("iosamap://viewMap?sourceApplication=suishoupai&lat={lat}&lon={lon}&dev=1"),
            ),
        ]
    } else {
        vec![(|t| t.station_map, crate::domain::geo::geo_uri(lat, lon))]
    }
}

/// A category's name in the interface language.
pub fn category_label(code: &str) -> String {
    category_name(Some(code))
}

fn category_name(code: Option<&str>) -> String {
    let app = use_app();
    let english = app.lang.get().is_english();
    app.reference.with(|d| {
        d.categories
            .iter()
            .find(|c| Some(c.code.as_str()) == code)
            .map(|c| c.name(english).to_owned())
            .unwrap_or_else(|| code.unwrap_or("?").to_owned())
    })
}

/// The queue at a glance: how much waits, how far the current run is, and a button to sync now.
#[component]
pub fn SyncBar() -> impl IntoView {
    let app = use_app();
    let waiting = move || {
        app.reports.with(|rs| {
            let q: Vec<&LocalReport> = rs
                .iter()
                .filter(|r| matches!(r.state, LocalState::Queued | LocalState::Sending))
                .collect();
            (q.len(), q.iter().map(|r| r.bytes_to_send()).sum::<u64>())
        })
    };
    let summary = move || {
        let (reports, bytes) = waiting();
        let n = reports + app.waiting_entries();
        if n == 0 {
            app.t().sync_all_sent.to_owned()
        } else {
            fill(
                app.t().sync_queue,
                &[("n", &n.to_string()), ("kb", &kilobytes(bytes).to_string())],
            )
        }
    };
    let progress = move || {
        let s = app.sync.get();
        (s.running && s.progress.items_total > 0).then(|| {
            let p = s.progress;
            let value = if p.bytes_total > 0 {
                p.bytes_done as f64 / p.bytes_total as f64
            } else {
                0.0
            };
            (
                value,
                fill(
                    app.t().sync_progress,
                    &[
                        ("done", &p.items_done.to_string()),
                        ("total", &p.items_total.to_string()),
                    ],
                ),
            )
        })
    };
    let offline_note = move || {
        let s = app.sync.get();
        (!s.running
            && s.last.as_ref().is_some_and(|o| o.offline)
            && waiting().0 + app.waiting_entries() > 0)
            .then(|| app.t().sync_offline)
    };
    view! {
        <section class="card sync-bar" data-testid="sync-bar">
            <p role="status" aria-live="polite" data-testid="sync-summary">{summary}</p>
            {move || progress().map(|(value, label)| view! {
                <progress max="1" value=value aria-label=label.clone()></progress>
                <p class="muted">{label}</p>
            })}
            {move || offline_note().map(|n| view! { <p class="muted">{n}</p> })}
            <button type="button" class="button" disabled=move || app.sync.get().running on:click=move |_| app.sync_everything_now()>
                {move || if app.sync.get().running { app.t().sync_running } else { app.t().sync_now }}
            </button>
        </section>
    }
}

#[component]
pub fn MyReportsPage() -> impl IntoView {
    let app = use_app();
    let list = move || {
        let me = app
            .session
            .with(|s| s.as_ref().map(|s| s.user.id.clone()).unwrap_or_default());
        let mut rs: Vec<LocalReport> = app
            .reports
            .get()
            .into_iter()
            .filter(|r| r.state != LocalState::Draft)
            // A grid worker's phone also holds the grid's tasks: only their own reports are "mine".
            .filter(|r| {
                r.server
                    .as_ref()
                    .is_none_or(|s| s.reporter_id.is_empty() || s.reporter_id == me)
            })
            .collect();
        rs.sort_by(|a, b| b.created_ms.total_cmp(&a.created_ms));
        rs
    };
    view! {
        <PageHeader title=|t| t.my_reports_title />
        <SyncBar />
        <Leaderboard />
        <Show when=move || !list().is_empty() fallback=move || view! { <section class="card"><p>{move || app.t().my_reports_empty}</p></section> }>
            <ul class="plain-list report-list" data-testid="my-reports">
                {move || list().into_iter().map(|r| view! { <ReportRow report=r /> }).collect_view()}
            </ul>
        </Show>
    }
}

#[component]
fn ReportRow(report: LocalReport) -> impl IntoView {
    let app = use_app();
    let href = format!("/my-reports/{}", report.id);
    let state = report.state;
    let status = report.server.as_ref().map(|s| s.status);
    let problem = report.problem.clone();
    let category = report.category.clone();
    let when = local_time(&report.captured_at);
    let thumb = report.photos.first().map(|p| p.sha256.clone());
    let urgent = report.urgent;
    // The first words of the note, so reports of one category can be told apart.
    let excerpt: String = report
        .description
        .trim()
        .chars()
        .take(24)
        .collect::<String>()
        + if report.description.trim().chars().count() > 24 {
            "…"
        } else {
            ""
        };
    view! {
        <li class="card report-row" data-state=format!("{state:?}")>
            <a class="row-link" href=href>
                {thumb.map(|sha| view! { <StoredPhoto sha256=sha class="thumb task-thumb" /> })}
                <span class="row-title">{move || category_name(category.as_deref())}</span>
                {(!excerpt.is_empty()).then(|| view! { <span class="row-excerpt" data-testid="report-excerpt">{excerpt.clone()}</span> })}
                <span class="muted">{when}</span>
                <span class="badges">
                    {urgent.then(|| view! { <span class="badge badge-urgent">{move || app.t().task_urgent}</span> })}
                    <span class=format!("badge state-{state:?}")>{move || state_name(app.t(), state)}</span>
                    {status.map(|s| view! { <span class="badge">{move || status_name(app.t(), s)}</span> })}
                </span>
            </a>
            {problem.map(|p| view! {
                <p class="error" role="alert">
                    {move || fill(app.t().sync_failed_hint, &[("reason", &server_message(&p, app.lang.get()))])}
                </p>
            })}
        </li>
    }
}

#[component]
pub fn ReportDetailPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let report = Memo::new(move |_| {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        app.reports
            .with(|rs| rs.iter().find(|r| r.id == id).cloned())
    });
    view! {
        <PageHeader title=|t| t.report_detail_title />
        {move || report.get().map(|r| view! { <ReportDetail report=r /> })}
        <a class="button secondary" href="/my-reports">{move || app.t().back_to_list}</a>
    }
}

/// A report with its photos, place, note and timeline. `in_task`: shown above a task's actions, which show the
/// level (with the worker's waiting actions applied) themselves.
#[component]
pub fn ReportDetail(report: LocalReport, #[prop(optional)] in_task: bool) -> impl IntoView {
    let app = use_app();
    let photos = report.photos.clone();
    let state = report.state;
    let server = report.server.clone();
    let place = match (report.lat, report.lon) {
        (Some(lat), Some(lon)) => format!("{lat:.5}, {lon:.5}"),
        _ => String::new(),
    };
    let address = report.address.clone();
    let category = report.category.clone();
    let timeline = server
        .as_ref()
        .map(|s| s.timeline.clone())
        .unwrap_or_default();
    let level = server.as_ref().map(|s| s.level).filter(|_| !in_task);
    let points = server.as_ref().map(|s| s.points_awarded);
    let original = server.as_ref().and_then(|s| s.duplicate_of.clone());
    // A new report waits for the grid's answer; only once accepted is it being handled, with a date to finish by.
    let expected = server
        .as_ref()
        .filter(|s| s.status.is_open())
        .and_then(|s| Some((s.status == ReportStatus::Received, s.deadline.clone()?)));
    let map_links = match (report.lat, report.lon) {
        (Some(lat), Some(lon)) => map_links(lat, lon),
        _ => vec![],
    };
    let urgent = report.urgent;
    let status = server.as_ref().map(|s| s.status);
    view! {
        <section class="card" data-testid="report-detail">
            <h2>{move || category_name(category.as_deref())}</h2>
            <p class="badges">
                {urgent.then(|| view! { <span class="badge badge-urgent" data-testid="report-urgent">{move || app.t().task_urgent}</span> })}
                <span class="badge">{move || state_name(app.t(), state)}</span>
                {status.map(|s| view! { <span class="badge" data-testid="server-status">{move || status_name(app.t(), s)}</span> })}
            </p>
            <div class="thumbs">
                {photos.iter().map(|p| view! { <StoredPhoto sha256=p.sha256.clone() class="photo" /> }).collect_view()}
            </div>
            <p>{report.description.clone()}</p>
            <p class="muted">{move || app.t().location_label}": "{place.clone()}" "{address.clone()}</p>
            <p class="map-links">
                {map_links.into_iter().map(|(label, href)| view! {
                    <a class="button secondary map-link" href=href>{move || label(app.t())}</a>
                }).collect_view()}
            </p>
            {original.map(|id| view! {
                <a class="button secondary" data-testid="duplicate-of" href=format!("/my-reports/{id}")>
                    {move || app.t().duplicate_of_link}
                </a>
            })}
            {expected.map(|(waiting, d)| view! {
                <p data-testid="expected-by">{move || {
                    let template = if waiting { app.t().report_waiting_response } else { app.t().expected_by };
                    fill(template, &[("time", &local_time(&d))])
                }}</p>
            })}
            {level.map(|l| view! {
                <p class="muted" data-testid="report-level">{move || app.t().level_label}": "{move || super::tasks::level_name(app.t(), l)}</p>
            })}
            {points.map(|p| view! { <p class="muted" data-testid="report-points">{move || fill(app.t().points_label, &[("n", &p.to_string())])}</p> })}
        </section>
        <section class="card">
            <h2>{move || app.t().timeline_title}</h2>
            <ol class="timeline" data-testid="timeline">
                {timeline.into_iter().map(|e| { let what = e.clone(); view! {
                    <li>
                        <span class="badge" data-testid="timeline-what">{move || super::tasks::timeline_label(app.t(), &what)}</span>
                        " "<span class="muted">{local_time(&e.at)}</span>
                        {e.by.clone().map(|by| view! { " "<span class="muted" data-testid="timeline-by">{by}</span> })}
                        {e.note.clone().map(|n| view! { <p>{n}</p> })}
                        <div class="thumbs">
                            {e.photos.iter().map(|p| view! { <StoredPhoto sha256=p.clone() class="thumb" /> }).collect_view()}
                        </div>
                    </li>
                }}).collect_view()}
            </ol>
        </section>
    }
}

#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
struct Board {
    top: Vec<BoardEntry>,
    my_points: i64,
    #[serde(default)]
    my_balance: i64,
    #[serde(default)]
    my_history: Vec<Award>,
}

#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
struct Award {
    reason: String,
    points: i64,
    awarded_at: String,
}

#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
struct BoardEntry {
    rank: usize,
    name: String,
    points: i64,
}

/// This month's 新星奖 ranking (fetched when online; names masked by the server).
#[component]
fn Leaderboard() -> impl IntoView {
    let app = use_app();
    let board = RwSignal::new(None::<Board>);
    if let Some(token) = app
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    {
        // The last known figures at once (offline too), then the server's.
        leptos::task::spawn_local(async move {
            let store = app.store();
            if let Some(store) = &store {
                if let Ok(Some(b)) = store.last_known::<Board>("leaderboard").await {
                    let _ = board.try_set(Some(b));
                }
            }
            if let Ok(b) = api::get_json::<Board>("/leaderboard", Some(&token)).await {
                if let Some(store) = &store {
                    let _ = store.set_last_known("leaderboard", &b).await;
                }
                let _ = board.try_set(Some(b));
            }
        });
    }
    view! {
        {move || board.get().map(|b| view! {
            <section class="card" data-testid="leaderboard">
                <h2>{move || app.t().leaderboard_title}</h2>
                <p data-testid="my-points">{move || fill(app.t().my_points, &[("n", &b.my_points.to_string())])}</p>
                <p data-testid="points-balance">{move || fill(app.t().points_balance, &[("n", &b.my_balance.to_string())])}</p>
                <ul class="plain-list muted" data-testid="points-history">
                    {b.my_history.iter().take(10).map(|a| {
                        let (reason, points, at) = (a.reason.clone(), a.points, local_time(&a.awarded_at));
                        view! {
                            <li>{at}" "{move || match reason.as_str() {
                                "accepted" => app.t().points_accepted,
                                "resolved" => app.t().points_resolved,
                                _ => app.t().points_duplicate_photo,
                            }}" +"{points}</li>
                        }
                    }).collect_view()}
                </ul>
                <ol class="plain-list">
                    {b.top.iter().take(5).map(|e| {
                        let (rank, name, points) = (e.rank.to_string(), e.name.clone(), e.points.to_string());
                        view! { <li>{move || fill(app.t().leaderboard_item, &[("rank", &rank), ("name", &name), ("points", &points)])}</li> }
                    }).collect_view()}
                </ol>
            </section>
        })}
    }
}

/// A photo by its hash: from the phone's store, else fetched once from the server and kept.
#[component]
pub fn StoredPhoto(sha256: String, class: &'static str) -> impl IntoView {
    let app = use_app();
    let src = RwSignal::new(None::<String>);
    let token = app
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
    leptos::task::spawn_local(async move {
        let Some(store) = app.store() else {
            return;
        };
        let mut bytes = store.photo(&sha256).await.ok().flatten();
        if let (None, Some(token)) = (&bytes, &token) {
            if let Ok(b) = api::get_bytes(&format!("/photos/{sha256}"), Some(token)).await {
                let _ = store.put_photo(&sha256, &b).await;
                bytes = Some(b);
            }
        }
        if let Some(url) = bytes.and_then(|b| object_url(&b)) {
            let _ = src.try_set(Some(url));
        }
    });
    view! {
        {move || src.get().map(|src| view! { <img class=class src=src alt=move || app.t().photo_alt /> })}
    }
}
