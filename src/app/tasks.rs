//! 任务: the tasks of my grid, planned the way a worker walks — overdue first, then urgent, then new, then in
//! progress — and a task's detail with the actions its status allows, each saved on the phone and sent through
//! the outbox (so they work offline).
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::my_reports::{local_time, status_name, ReportDetail, StoredPhoto};
use super::{use_app, PageHeader};
use crate::client::local::{LocalReport, OutboxEntry, OutboxKind};
use crate::client::location::current_fix;
use crate::client::unix_now;
use crate::domain::geo::compass_point;
use crate::domain::report::parse_time;
use crate::domain::task::{allowed_actions, ActionKind, TaskAction};
use crate::domain::{GeoPoint, Report, ReportStatus};
use crate::i18n::{fill, server_message, Texts};

/// Seconds to the deadline (negative: overdue).
fn seconds_left(report: &Report) -> Option<i64> {
    let deadline = parse_time(report.deadline.as_deref()?)?;
    Some(deadline.unix_timestamp() - unix_now())
}

fn open(status: ReportStatus) -> bool {
    !matches!(status, ReportStatus::Resolved | ReportStatus::Rejected)
}

/// The walking order: overdue, urgent, new, in progress, then the closed ones.
fn rank(report: &Report) -> (u8, i64) {
    let left = seconds_left(report).unwrap_or(i64::MAX);
    let group = match () {
        _ if !open(report.status) => 4,
        _ if left < 0 => 0,
        _ if report.submitted.urgent => 1,
        _ if report.status == ReportStatus::Received => 2,
        _ => 3,
    };
    (group, left)
}

fn time_left(t: &Texts, secs: i64) -> String {
    if secs < 0 {
        return t.task_overdue.to_owned();
    }
    let text = fill(
        t.hours_minutes,
        &[
            ("h", &(secs / 3600).to_string()),
            ("m", &((secs % 3600) / 60).to_string()),
        ],
    );
    fill(t.task_time_left, &[("t", &text)])
}

pub fn level_name(t: &Texts, level: u8) -> &'static str {
    match level {
        1 => t.level_1,
        2 => t.level_2,
        _ => t.level_3,
    }
}

fn action_name(t: &Texts, kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Accept => t.action_accept,
        ActionKind::Start => t.action_start,
        ActionKind::Note => t.action_note,
        ActionKind::Escalate => t.action_escalate,
        ActionKind::Resolve => t.action_resolve,
        ActionKind::Reject => t.action_reject,
    }
}

#[component]
pub fn TasksPage() -> impl IntoView {
    let app = use_app();
    let grid = move || {
        app.session
            .with(|s| s.as_ref().and_then(|s| s.user.grid_id.clone()))
    };
    let tasks = move || {
        let grid = grid();
        let mut list: Vec<(LocalReport, Report)> = app
            .reports
            .get()
            .into_iter()
            .filter_map(|r| {
                let server = r.server.clone()?;
                (grid.is_none() || server.grid_id == grid).then_some((r, server))
            })
            .collect();
        list.sort_by_key(|(_, s)| rank(s));
        list
    };
    // Where the worker stands, for distance and direction.
    let here = RwSignal::new(None::<GeoPoint>);
    leptos::task::spawn_local(async move {
        if let Some(fix) = current_fix(5_000).await {
            let _ = here.try_set(Some(GeoPoint::new(fix.lat, fix.lon)));
        }
    });
    let counts = move || {
        let list = tasks();
        let count = |g: u8| {
            list.iter()
                .filter(|(_, s)| rank(s).0 == g)
                .count()
                .to_string()
        };
        fill(
            app.t().tasks_counts,
            &[
                ("overdue", &count(0)),
                ("urgent", &count(1)),
                ("new", &count(2)),
                ("doing", &count(3)),
            ],
        )
    };
    view! {
        <PageHeader title=|t| t.tasks_title />
        <super::my_reports::SyncBar />
        <p class="summary" data-testid="task-counts">{counts}</p>
        <Show when=move || !tasks().is_empty() fallback=move || view! { <section class="card"><p>{move || app.t().tasks_empty}</p></section> }>
            <ul class="plain-list" data-testid="tasks">
                {move || tasks().into_iter().map(|(local, server)| {
                    let href = format!("/tasks/{}", local.id);
                    let status = server.status;
                    let urgent = server.submitted.urgent;
                    let left = seconds_left(&server).filter(|_| open(status));
                    let category = local.category.clone().unwrap_or_default();
                    let when = local_time(&server.received_at);
                    let thumb = server.submitted.photos.first().cloned();
                    let place = match (server.submitted.lat, server.submitted.lon) {
                        (Some(lat), Some(lon)) => Some(GeoPoint::new(lat, lon)),
                        _ => None,
                    };
                    let distance = move || {
                        let (from, to) = (here.get()?, place?);
                        let dir = app.t().compass_points.split(',').nth(compass_point(from.bearing_deg(&to))).unwrap_or("");
                        Some(fill(app.t().task_distance, &[("km", &format!("{:.1}", from.distance_m(&to) / 1000.0)), ("dir", dir)]))
                    };
                    view! {
                        <li class="card report-row">
                            <a class="row-link task-link" href=href>
                                {thumb.map(|sha| view! { <StoredPhoto sha256=sha class="thumb task-thumb" /> })}
                                <span class="row-title">{move || super::my_reports::category_label(&category)}</span>
                                <span class="muted">{when}</span>
                                <span class="muted" data-testid="task-distance">{distance}</span>
                                <span class="badges">
                                    <span class="badge">{move || status_name(app.t(), status)}</span>
                                    {urgent.then(|| view! { <span class="badge badge-urgent">{move || app.t().task_urgent}</span> })}
                                    {left.map(|s| view! { <span class=if s < 0 { "badge badge-urgent" } else { "badge" }>{move || time_left(app.t(), s)}</span> })}
                                </span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
    }
}

#[component]
pub fn TaskDetailPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    // A memo: the detail re-renders when this task changes, not whenever any report is reloaded.
    let task = Memo::new(move |_| {
        app.reports
            .with(|rs| rs.iter().find(|r| r.id == id()).cloned())
    });
    view! {
        <PageHeader title=|t| t.task_detail_title />
        {move || task.get().map(|r| view! { <TaskActions task=r.clone() /> <ReportDetail report=r /> })}
        <a class="button secondary" href="/tasks">{move || app.t().back_to_tasks}</a>
    }
}

#[component]
fn TaskActions(task: LocalReport) -> impl IntoView {
    let app = use_app();
    let Some(server) = task.server.clone() else {
        return ().into_any();
    };
    let note = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let reject_reason = RwSignal::new("invalid".to_owned());
    let duplicate_of = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let pending = RwSignal::new(0usize);
    // A photo for a note or the resolution: prepared like a report's, kept on the phone until sent.
    let photo = RwSignal::new(None::<String>);
    let on_photo = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            match crate::client::photo::prepare(&file).await {
                Ok(p) => {
                    if let Some(store) = app.store() {
                        match store.put_photo(&p.sha256, &p.bytes).await {
                            Ok(()) => photo.set(Some(p.sha256)),
                            Err(e) => message.set(Some(fill(
                                app.t().storage_failed,
                                &[("reason", &e.to_string())],
                            ))),
                        }
                    }
                }
                Err(e) => message.set(Some(fill(app.t().capture_failed, &[("reason", &e)]))),
            }
        });
    };
    let task_id = task.id.clone();
    let refresh_pending = move |id: String| {
        leptos::task::spawn_local(async move {
            if let Some(store) = app.store() {
                let n = store
                    .outbox()
                    .await
                    .unwrap_or_default()
                    .iter()
                    .filter(|e| {
                        e.payload
                            .as_ref()
                            .is_some_and(|p| p["report_id"] == id.as_str())
                    })
                    .count();
                pending.set(n);
            }
        });
    };
    refresh_pending(task_id.clone());
    let act = move |kind: ActionKind| {
        let (note_text, reason_text) = (note.get_untracked(), reason.get_untracked());
        let action = TaskAction {
            report_id: server.id.clone(),
            kind,
            note: Some(note_text).filter(|n| !n.trim().is_empty()),
            photos: photo.get_untracked().into_iter().collect(),
            reason: match kind {
                ActionKind::Escalate => Some(reason_text).filter(|r| !r.trim().is_empty()),
                ActionKind::Reject => Some(reject_reason.get_untracked()),
                _ => None,
            },
            duplicate_of: (kind == ActionKind::Reject
                && reject_reason.get_untracked() == "duplicate")
                .then(|| duplicate_of.get_untracked()),
            expected_version: server.version,
        };
        let entry = OutboxEntry {
            report_id: uuid::Uuid::now_v7().to_string(),
            kind: OutboxKind::TaskAction,
            payload: serde_json::to_value(&action).ok(),
            queued_ms: js_sys::Date::now(),
            attempts: 0,
            next_attempt_ms: 0.0,
        };
        let task_id = server.id.clone();
        leptos::task::spawn_local(async move {
            let Some(store) = app.store() else {
                return;
            };
            match store.put_outbox_entry(&entry).await {
                Ok(()) => {
                    note.set(String::new());
                    reason.set(String::new());
                    photo.set(None);
                    message.set(Some(app.t().action_queued.to_owned()));
                    refresh_pending(task_id);
                    app.sync_now();
                }
                Err(e) => message.set(Some(fill(
                    app.t().storage_failed,
                    &[("reason", &e.to_string())],
                ))),
            }
        });
    };
    let actions = allowed_actions(server.status, server.level);
    let problem = task.problem.clone();
    let duplicates = server.possible_duplicates.clone();
    let reporter = server.reporter_name.clone();
    let level = server.level;
    let points = server.points_awarded;
    view! {
        <section class="card" data-testid="task-actions">
            <p>{move || fill(app.t().task_reporter, &[("name", &reporter)])}</p>
            <p class="muted" data-testid="task-level">{move || app.t().level_label}": "{move || level_name(app.t(), level)}</p>
            <p class="muted">{move || fill(app.t().points_label, &[("n", &points.to_string())])}</p>
            {problem.map(|p| view! { <p class="error" role="alert">{move || server_message(&p, app.lang.get())}</p> })}
            {(!duplicates.is_empty()).then(|| view! {
                <p data-testid="possible-duplicates">
                    {move || app.t().possible_duplicates}
                    {duplicates.iter().map(|d| {
                        let href = format!("/tasks/{d}");
                        let short = d.chars().rev().take(6).collect::<String>().chars().rev().collect::<String>();
                        view! { " "<a href=href>{short}</a> }
                    }).collect_view()}
                </p>
            })}
            <Show when=move || { pending.get() > 0 }>
                <p class="muted" data-testid="pending-actions">{move || fill(app.t().action_pending, &[("n", &pending.get().to_string())])}</p>
            </Show>
            <Show when=move || message.get().is_some()>
                <p role="status">{move || message.get()}</p>
            </Show>
            <Show when={let a = actions.clone(); move || !a.is_empty()}>
                <label class="field" for="action-note">{move || app.t().action_note_label}</label>
                <textarea id="action-note" class="text" rows="2" prop:value=note on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                <label class="field" for="action-photo">{move || app.t().capture_more}</label>
                <input id="action-photo" type="file" accept="image/*" capture="environment" data-testid="action-photo" on:change=on_photo />
                {move || photo.get().map(|sha| view! { <StoredPhoto sha256=sha class="thumb" /> })}
                <label class="field" for="action-reason">{move || app.t().action_reason_label}</label>
                <input id="action-reason" class="text" type="text" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                <label class="field" for="reject-reason">{move || app.t().reject_reason_label}</label>
                <select id="reject-reason" class="text" on:change=move |ev| reject_reason.set(event_target_value(&ev))>
                    <option value="invalid">{move || app.t().reject_invalid}</option>
                    <option value="duplicate">{move || app.t().reject_duplicate}</option>
                    <option value="not_our_grid">{move || app.t().reject_not_our_grid}</option>
                </select>
                <Show when=move || reject_reason.get() == "duplicate">
                    <label class="field" for="duplicate-of">{move || app.t().duplicate_of_label}</label>
                    <input id="duplicate-of" class="text" type="text" prop:value=duplicate_of on:input=move |ev| duplicate_of.set(event_target_value(&ev)) />
                </Show>
            </Show>
            <div class="action-buttons">
                {actions.clone().into_iter().map(|kind| {
                    let act = act.clone();
                    view! {
                        <button type="button" class="button" on:click=move |_| act(kind)>{move || action_name(app.t(), kind)}</button>
                    }
                }).collect_view()}
            </div>
        </section>
    }
    .into_any()
}
