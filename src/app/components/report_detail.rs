//! A report as the phone shows it: photos, place, note, deadline, level and the timeline of what the grid did.
use leptos::prelude::*;

use super::StoredPhoto;
use crate::app::format::*;
use crate::app::use_app;
use crate::client::local::LocalReport;
use crate::domain::ReportStatus;
use crate::i18n::fill;

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
        (Some(lat), Some(lon)) => map_links(lat, lon, &category_name(report.category.as_deref())),
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
                <p class="muted" data-testid="report-level">{move || app.t().level_label}": "{move || level_name(app.t(), l)}</p>
            })}
            {points.map(|p| view! { <p class="muted" data-testid="report-points">{move || fill(app.t().points_label, &[("n", &p.to_string())])}</p> })}
        </section>
        <section class="card">
            <h2>{move || app.t().timeline_title}</h2>
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
