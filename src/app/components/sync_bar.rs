//! The queue at a glance: how much waits, how far the current run is, and a button to sync now.
use leptos::prelude::*;

use crate::app::use_app;
use crate::client::local::{LocalReport, LocalState};
use crate::domain::photo::kilobytes;
use crate::i18n::fill;

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
