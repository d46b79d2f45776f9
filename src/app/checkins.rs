//! 签到: station staff confirm riders' visits — scan the pass or type its 8 digits. The check-in is recorded on
//! the phone at once and queued, so a station without network keeps working; today's list shows each state.
use leptos::prelude::*;

use super::format::local_time;
use super::scanner::{scanner_available, CodeScanner};
use super::{use_app, AppContext, PageHeader};
use crate::client::local::{CheckinState, LocalCheckin, OutboxEntry, OutboxKind};
use crate::client::now_rfc3339;
use crate::domain::pass;
use crate::i18n::{fill, server_message};

#[component]
pub fn CheckinsPage() -> impl IntoView {
    let app = use_app();
    let typed = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    // The check-in just recorded: the message follows it to 已确认 or the refusal once the server answers.
    let last = RwSignal::new(None::<String>);
    let scanning = RwSignal::new(false);
    let station = move || {
        app.session
            .with(|s| s.as_ref().and_then(|s| s.user.station_id.clone()))
    };

    let record = move |text: String| {
        let Some(station_id) = station() else {
            return;
        };
        last.set(None);
        if pass::read(&text).is_none() {
            message.set(Some((true, app.t().checkin_bad_format.to_owned())));
            return;
        }
        let checkin = LocalCheckin {
            id: uuid::Uuid::now_v7().to_string(),
            state: CheckinState::Pending,
            station_id,
            rider_pass: text.trim().to_owned(),
            scanned_at: now_rfc3339(),
            created_ms: js_sys::Date::now(),
            problem: None,
            server: None,
        };
        let entry = OutboxEntry::new(
            checkin.id.clone(),
            OutboxKind::Checkin,
            None,
            checkin.created_ms,
        );
        leptos::task::spawn_local(async move {
            let Some(store) = app.store() else {
                return;
            };
            let id = checkin.id.clone();
            match store.queue_checkin(&checkin, &entry).await {
                Ok(()) => {
                    typed.set(String::new());
                    message.set(Some((false, app.t().checkin_recorded.to_owned())));
                    last.set(Some(id));
                    app.reload_reports().await;
                    app.sync_now();
                }
                Err(e) => message.set(Some((
                    true,
                    fill(app.t().storage_failed, &[("reason", &e.to_string())]),
                ))),
            }
        });
    };
    let record_typed = move || record(typed.get_untracked());
    let shown = move || told(app, last.get(), message.get());
    let station_name = move || {
        let id = station()?;
        app.reference.with(|d| {
            d.stations
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.name.clone())
        })
    };

    view! {
        <PageHeader title=|t| t.checkins_title />
        {move || station_name().map(|name| view! {
            <p class="summary" data-testid="checkin-station">{move || fill(app.t().checkin_station, &[("name", &name)])}</p>
        })}
        <section class="card">
            <form on:submit=move |ev| {
                ev.prevent_default();
                record_typed();
            }>
                <label class="field" for="rider-pass">{app.text(|t| t.checkin_input_label)}</label>
                <input id="rider-pass" class="code-input" type="text" inputmode="numeric" autocomplete="off"
                    aria-describedby="rider-pass-hint" prop:value=typed
                    on:input=move |ev| typed.set(event_target_value(&ev)) />
                <p id="rider-pass-hint" class="muted">{app.text(|t| t.checkin_input_hint)}</p>
                <Show when=move || message.get().is_some()>
                    <p class=move || if shown().is_some_and(|m| m.0) { "error" } else { "" } role="status"
                        data-testid="checkin-message">
                        {move || shown().map(|m| m.1)}
                    </p>
                </Show>
                <button type="submit" class="button wide">{app.text(|t| t.checkin_submit)}</button>
            </form>
            <Show when=scanner_available>
                <button type="button" class="button wide secondary" on:click=move |_| scanning.update(|s| *s = !*s)>
                    {app.text(|t| t.checkin_scan)}
                </button>
                <Show when=move || scanning.get()>
                    <CodeScanner
                        on_code=Callback::new(move |text: String| {
                            scanning.set(false);
                            record(text);
                        })
                        on_error=Callback::new(move |reason: String| {
                            scanning.set(false);
                            message.set(Some((true, fill(app.t().enroll_scan_failed, &[("reason", &reason)]))));
                        })
                    />
                </Show>
            </Show>
        </section>
        <TodayCheckins station=Signal::derive(station) />
    }
}

/// What the page says (an error or not): once the server has answered the check-in just recorded (`last`), its
/// answer — 已确认 with the rider's name, or the refusal — else `message`.
fn told(
    app: AppContext,
    last: Option<String>,
    message: Option<(bool, String)>,
) -> Option<(bool, String)> {
    let answered = last.and_then(|id| {
        app.checkins
            .with(|cs| cs.iter().find(|c| c.id == id).cloned())
    });
    match answered {
        Some(c) if c.state == CheckinState::Confirmed => Some((
            false,
            fill(
                app.t().checkin_confirmed_for,
                &[("name", &c.server.map(|s| s.rider_name).unwrap_or_default())],
            ),
        )),
        Some(c) if c.state == CheckinState::Refused => Some((
            true,
            fill(
                app.t().checkin_refused,
                &[(
                    "reason",
                    &server_message(&c.problem.unwrap_or_default(), app.lang.get()),
                )],
            ),
        )),
        _ => message,
    }
}

/// Today's check-ins at this station, newest first, each with its state; the count leaves out refusals and second
/// scans of one visit.
#[component]
fn TodayCheckins(station: Signal<Option<String>>) -> impl IntoView {
    let app = use_app();
    let today = move || {
        let day = local_time(&now_rfc3339())
            .chars()
            .take(10)
            .collect::<String>();
        let mut list: Vec<LocalCheckin> = app
            .checkins
            .get()
            .into_iter()
            .filter(|c| {
                Some(&c.station_id) == station.get().as_ref()
                    && local_time(&c.scanned_at).starts_with(&day)
            })
            .collect();
        list.sort_by(|a, b| b.created_ms.total_cmp(&a.created_ms));
        list
    };
    let counted = move || {
        today()
            .iter()
            .filter(|c| {
                c.state != CheckinState::Refused
                    && c.server.as_ref().is_none_or(|s| s.same_visit_as.is_none())
            })
            .count()
    };

    view! {
    <section class="card">
            <h2 data-testid="checkins-today">{move || crate::i18n::fill_count(app.t().checkins_today, counted(), &[])}</h2>
            <ul class="plain-list" data-testid="checkin-list">
                {move || today().into_iter().map(|c| {
                    let who = c.server.as_ref().map(|s| s.rider_name.clone());
                    let state = c.state;
                    let problem = c.problem.clone().unwrap_or_default();
                    let at = local_time(&c.scanned_at);
                    view! {
                        <li class="card checkin-row">
                            <span class="row-title">{move || who.clone().unwrap_or_else(|| app.t().checkin_unknown_rider.to_owned())}</span>
                            <span class="muted">{at}</span>
                            <span class=format!("badge checkin-{state:?}")>
                                {move || match state {
                                    CheckinState::Pending => app.t().checkin_pending.to_owned(),
                                    CheckinState::Confirmed => app.t().checkin_confirmed.to_owned(),
                                    CheckinState::Refused => fill(
                                        app.t().checkin_refused,
                                        &[("reason", &server_message(&problem, app.lang.get()))],
                                    ),
                                }}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
