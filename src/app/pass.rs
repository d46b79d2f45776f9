//! 驿站码: the rider's station pass — a QR code and an 8-digit code computed on the phone from the enrollment
//! secret and the clock (no network), refreshed every 30 seconds with a countdown; and the rider's visits.
use std::collections::BTreeMap;

use leptos::prelude::*;

use super::format::local_time;
use super::{use_app, PageHeader};
use crate::client::local::CheckinState;
use crate::client::unix_now;
use crate::domain::pass::{code_at, display, qr_text, seconds_left, secret_bytes};
use crate::domain::qr;
use crate::i18n::fill;

#[component]
pub fn PassPage() -> impl IntoView {
    let app = use_app();
    let now = RwSignal::new(unix_now());
    if let Ok(timer) = set_interval_with_handle(
        move || now.set(unix_now()),
        std::time::Duration::from_millis(500),
    ) {
        on_cleanup(move || timer.clear());
    }
    let secret = move || {
        app.session.with(|s| {
            s.as_ref()
                .and_then(|s| s.pass_secret.as_deref().and_then(secret_bytes))
        })
    };
    let rider_id = move || {
        app.session
            .with(|s| s.as_ref().map(|s| s.user.id.clone()).unwrap_or_default())
    };
    // Recomputed only when the 30-second window changes.
    let code =
        Memo::new(move |_| secret().map(|s| code_at(&s, now.get() - now.get().rem_euclid(30))));
    let qr_markup = move || {
        code.get()
            .and_then(|c| qr::svg(&qr_text(&rider_id(), &c), 240))
    };
    view! {
        <PageHeader title=|t| t.pass_title />
        {move || match code.get() {
            None => view! { <section class="card"><p>{app.text(|t| t.pass_no_secret)}</p></section> }.into_any(),
            Some(c) => view! {
                <section class="card pass">
                    <div class="qr" role="img" aria-label=app.text(|t| t.pass_qr_alt) inner_html=qr_markup></div>
                    <p class="muted">{app.text(|t| t.pass_code_label)}</p>
                    <p class="pass-code" data-testid="pass-code">{display(&c)}</p>
                    <p class="muted" role="timer" data-testid="pass-countdown">
                        {move || fill(app.t().pass_countdown, &[("s", &seconds_left(now.get()).to_string())])}
                    </p>
                    <p class="muted">{app.text(|t| t.pass_intro)}</p>
                </section>
            }
            .into_any(),
        }}
        <Visits />
    }
}

/// The rider's confirmed visits, per month and station.
#[component]
fn Visits() -> impl IntoView {
    let app = use_app();
    let lines = move || {
        let names: BTreeMap<String, String> = app.reference.with(|d| {
            d.stations
                .iter()
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect()
        });
        let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
        app.checkins.with(|cs| {
            for c in cs.iter().filter(|c| c.state == CheckinState::Confirmed) {
                let visit = c.server.as_ref();
                if visit.is_some_and(|v| v.same_visit_as.is_some()) {
                    continue;
                }
                let month = local_time(&c.scanned_at)
                    .chars()
                    .take(7)
                    .collect::<String>();
                let station = names
                    .get(&c.station_id)
                    .cloned()
                    .unwrap_or_else(|| c.station_id.clone());
                *counts.entry((month, station)).or_default() += 1;
            }
        });
        counts.into_iter().rev().collect::<Vec<_>>()
    };
    view! {
        <section class="card">
            <h2>{app.text(|t| t.visits_title)}</h2>
            <Show when=move || !lines().is_empty() fallback=move || view! { <p class="muted">{app.text(|t| t.visits_empty)}</p> }>
                <ul class="plain-list" data-testid="visits">
                    {move || lines().into_iter().map(|((month, station), n)| view! {
                        <li>{move || crate::i18n::fill_count(app.t().visits_item, n, &[("month", &month), ("station", &station)])}</li>
                    }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}
