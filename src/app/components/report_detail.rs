//! A report as the phone shows it: photos, place, note, deadline, level and the timeline of what the grid did.
use leptos::prelude::*;

use super::StoredPhoto;
use crate::app::format::*;
use crate::app::use_app;
use crate::client::local::LocalReport;
use crate::domain::ReportStatus;
use crate::i18n::fill;

/// What a report's or a task's page says when the phone does not hold it (yet): only once a sync has ended, so a
/// page opened while the phone is still reading its store or syncing does not say it in passing.
#[component]
pub fn NotOnPhone(text: TextOf) -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || app.sync.with(|s| !s.running && s.last.is_some())>
            <section class="card" data-testid="not-on-phone"><p>{app.text(text)}</p></section>
        </Show>
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
    // Joined at receipt to a report of the same hazard: not turned away, handled with that one.
    let joined = server.as_ref().is_some_and(|s| s.joined_at_receipt());
    // A new report waits for the grid's answer; only once accepted is it being handled, with a date to finish by.
    let expected = server
        .as_ref()
        .filter(|s| s.status.is_open())
        .and_then(|s| Some((s.status == ReportStatus::Received, s.deadline.clone()?)));
    let map_links = match (report.lat, report.lon) {
        (Some(lat), Some(lon)) => map_links(lat, lon, &category_name(report.category.as_deref())),
        _ => vec![],
    };
    let urgent = report.urgent;
    let status = server.as_ref().map(|s| s.status);
    view! {
        <section class="card" data-testid="report-detail">
            <h2>{move || category_name(category.as_deref())}</h2>
            <p class="badges">
                {urgent.then(|| view! { <span class="badge badge-urgent" data-testid="report-urgent">{app.text(|t| t.task_urgent)}</span> })}
                <span class="badge">{move || state_name(app.t(), state)}</span>
                {status.map(|s| view! { <span class="badge" data-testid="server-status">{move || if joined { app.t().status_joined } else { status_name(app.t(), s) }}</span> })}
            </p>
            {joined.then(|| view! { <p class="notice" data-testid="joined-notice">{app.text(|t| t.report_joined_notice)}</p> })}
            {original.map(|id| view! {
                <a class="button secondary" data-testid="duplicate-of" href=format!("/my-reports/{id}")>
                    {app.text(|t| t.duplicate_of_link)}
                </a>
            })}
            <div class="thumbs">
                {photos.iter().map(|p| view! { <StoredPhoto sha256=p.sha256.clone() class="photo" /> }).collect_view()}
            </div>
            <p>{report.description.clone()}</p>
            <p class="muted">{app.text(|t| t.location_label)}": "{place.clone()}" "{address.clone()}</p>
            <p class="map-links">
                {map_links.into_iter().map(|(label, href)| view! {
                    <a class="button secondary map-link" href=href>{move || label(app.t())}</a>
                }).collect_view()}
            </p>
            {expected.map(|(waiting, d)| view! {
                <p data-testid="expected-by">{move || {
                    let template = if waiting { app.t().report_waiting_response } else { app.t().expected_by };
                    fill(template, &[("time", &local_time(&d))])
                }}</p>
            })}
            {level.map(|l| view! {
                <p class="muted" data-testid="report-level">{app.text(|t| t.level_label)}": "{move || level_name(app.t(), l)}</p>
            })}
            {points.map(|p| view! { <p class="muted" data-testid="report-points">{move || fill(app.t().points_label, &[("n", &p.to_string())])}</p> })}
        </section>
        {(!in_task).then(|| server.clone().map(|s| view! { <VerdictCard report=s /> }))}
        <section class="card">
            <h2>{app.text(|t| t.timeline_title)}</h2>
            <ol class="timeline" data-testid="timeline">
                {timeline.into_iter().map(|e| { let what = e.clone(); view! {
                    <li>
                        <span class="badge" data-testid="timeline-what">{move || timeline_label(app.t(), &what)}</span>
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

/// 满意 / 不满意 for the reporter of a resolved report: asked for 7 days after 办结, queued in the outbox (offline
/// too), then the verdict given.
#[component]
fn VerdictCard(report: crate::domain::Report) -> impl IntoView {
    use crate::client::local::OutboxEntry;
    use crate::domain::verdict::{asks, Verdict, VerdictSubmission};
    let app = use_app();
    let comment = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let id = report.id.clone();
    // A verdict waiting in the outbox for this report.
    let pending = {
        let id = id.clone();
        move || {
            app.outbox.with(|o| {
                o.iter()
                    .filter_map(|e| e.verdict())
                    .find(|v| v.report_id == id)
                    .map(|v| v.verdict)
            })
        }
    };
    let asked = asks(&report, crate::client::unix_now());
    let given = report.my_verdict;
    let send = move |verdict: Verdict| {
        let submission = VerdictSubmission {
            report_id: id.clone(),
            verdict,
            comment: Some(comment.get_untracked()).filter(|c| !c.trim().is_empty()),
        };
        if let Err(faults) = submission.validate() {
            error.set(faults.values().next().cloned());
            return;
        }
        let entry = OutboxEntry::for_verdict(
            uuid::Uuid::now_v7().to_string(),
            &submission,
            js_sys::Date::now(),
        );
        app.queue(entry, error);
    };
    let name = move |v: Verdict| match v {
        Verdict::Satisfied => app.t().verdict_satisfied,
        Verdict::Unsatisfied => app.t().verdict_unsatisfied,
    };
    move || {
        if let Some(v) = pending() {
            return Some(
                view! {
                    <section class="card" data-testid="verdict">
                        <p>{fill(app.t().verdict_pending, &[("verdict", name(v))])}</p>
                    </section>
                }
                .into_any(),
            );
        }
        if let Some(v) = given {
            return Some(
                view! {
                    <section class="card" data-testid="verdict">
                        <p>{fill(app.t().verdict_given, &[("verdict", name(v))])}</p>
                    </section>
                }
                .into_any(),
            );
        }
        asked.then(|| view! {
            <section class="card" data-testid="verdict-prompt">
                <h2>{app.t().verdict_title}</h2>
                <p class="muted">{app.t().verdict_hint}</p>
                <label class="field">{app.t().verdict_comment}
                    <textarea class="text" rows="2" prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                </label>
                <div class="action-buttons">
                    <button type="button" class="button" on:click={let send = send.clone(); move |_| send(Verdict::Satisfied)}>
                        {app.t().verdict_satisfied}
                    </button>
                    <button type="button" class="button secondary danger" on:click={let send = send.clone(); move |_| send(Verdict::Unsatisfied)}>
                        {app.t().verdict_unsatisfied}
                    </button>
                </div>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </section>
        }.into_any())
    }
}
