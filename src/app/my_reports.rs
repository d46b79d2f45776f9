//! 我的上报: the rider's reports, newest first, each with its state on this phone and its status on the server;
//! a detail view with the photos, place, note and the timeline of what the grid did (收集—响应—反馈).
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::components::{NotOnPhone, ReportDetail, StoredPhoto, SyncBar};
use super::format::{category_name, local_time, state_name, status_name};
use super::{use_app, PageHeader};
use crate::client::api;
use crate::client::local::{LocalReport, LocalState};
use crate::i18n::{fill, server_message};

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
            .filter(|r| r.is_mine(&me))
            .collect();
        rs.sort_by(|a, b| b.created_ms.total_cmp(&a.created_ms));
        rs
    };
    view! {
        <PageHeader title=|t| t.my_reports_title />
        <SyncBar />
        <Leaderboard />
        <Show when=move || app.role() == Some(crate::domain::Role::Rider)>
            <super::concerns::MyConcerns />
        </Show>
        <Show when=move || !list().is_empty() fallback=move || view! { <section class="card"><p>{app.text(|t| t.my_reports_empty)}</p></section> }>
            <ul class="plain-list report-list" data-testid="my-reports">
                // Keyed by what a row shows: while the queue drains, only the rows whose state changed are drawn
                // again (each row reads its photo from the phone's store).
                <For each=list key=row_key let:r>
                    <ReportRow report=r />
                </For>
            </ul>
        </Show>
    }
}

/// What a row of the list shows that can change: its state, its server version, its problem.
fn row_key(r: &LocalReport) -> (String, LocalState, Option<i64>, Option<String>) {
    (
        r.id.clone(),
        r.state,
        r.server.as_ref().map(|s| s.version),
        r.problem.clone(),
    )
}

#[component]
fn ReportRow(report: LocalReport) -> impl IntoView {
    let app = use_app();
    let href = format!("/my-reports/{}", report.id);
    let state = report.state;
    let status = report.server.as_ref().map(|s| s.status);
    let joined = report
        .server
        .as_ref()
        .is_some_and(|s| s.joined_at_receipt());
    let problem = report.problem.clone();
    let category = report.category.clone();
    let when = local_time(&report.captured_at);
    let thumb = report.photos.first().map(|p| p.sha256.clone());
    let row_class = if thumb.is_some() {
        "row-link task-link"
    } else {
        "row-link"
    };
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
            // With a photo, the thumbnail sits beside the text, as in the task list.
            <a class=row_class href=href>
                {thumb.map(|sha| view! { <StoredPhoto sha256=sha class="thumb task-thumb" /> })}
                <span class="row-title">{move || category_name(category.as_deref())}</span>
                {(!excerpt.is_empty()).then(|| view! { <span class="row-excerpt" data-testid="report-excerpt">{excerpt.clone()}</span> })}
                <span class="muted">{when}</span>
                <span class="badges">
                    {urgent.then(|| view! { <span class="badge badge-urgent">{app.text(|t| t.task_urgent)}</span> })}
                    <span class=format!("badge state-{state:?}")>{move || state_name(app.t(), state)}</span>
                    {status.map(|s| view! { <span class="badge">{move || if joined { app.t().status_joined } else { status_name(app.t(), s) }}</span> })}
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
        <Show when=move || report.with(Option::is_none)>
            <NotOnPhone text=|t| t.not_on_phone_report />
        </Show>
        <a class="button secondary" href="/my-reports">{app.text(|t| t.back_to_list)}</a>
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
                <h2>{app.text(|t| t.leaderboard_title)}</h2>
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
