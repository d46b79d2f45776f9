//! 设置: the account (and, for riders, their own data), the language, installing the app, the server this phone
//! talks to, the app version, and the phone's copy of reference data.
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::context::Refresh;
use super::format::local_time;
use super::install::InstallCard;
use super::{use_app, PageHeader};
use crate::client::api::server_origin;
use crate::domain::Role;
use crate::domain::APP_VERSION;
use crate::i18n::{fill, Lang};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let app = use_app();
    let origin = server_origin();
    view! {
        <PageHeader title=|t| t.settings_title />
        <AccountCard />
        {move || (app.role() == Some(Role::Rider)).then(|| view! { <super::my_data::MyDataCard /> })}
        <InstallCard />
        <section class="card">
            <h2 id="language-heading">{app.text(|t| t.settings_language)}</h2>
            <div class="segmented" role="group" aria-labelledby="language-heading">
                {Lang::ALL
                    .into_iter()
                    .map(|lang| {
                        view! {
                            <button
                                type="button"
                                lang=lang.tag()
                                aria-pressed=move || (app.lang.get() == lang).to_string()
                                on:click=move |_| app.set_lang(lang)
                            >
                                {lang.texts().lang_name}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </section>
        {move || app.role().is_some_and(|r| matches!(r, Role::GridWorker | Role::DepartmentStaff)).then(|| view! {
            <section class="card">
                <h2>{app.text(|t| t.settings_alerts)}</h2>
                <label class="toggle">
                    <input type="checkbox" data-testid="urgent-alerts" prop:checked=move || app.urgent_alerts.get()
                        on:change=move |ev| app.set_urgent_alerts(event_target_checked(&ev)) />
                    <span>{app.text(|t| t.settings_alerts_urgent)}</span>
                </label>
            </section>
        })}
        <section class="card">
            <dl class="facts">
                <dt>{app.text(|t| t.settings_server)}</dt>
                <dd data-testid="server-origin">{origin}</dd>
                <dt>{app.text(|t| t.settings_version)}</dt>
                <dd data-testid="app-version">{APP_VERSION}</dd>
            </dl>
        </section>
        <ReferenceStatus />
    }
}

/// Who is signed in, and signing out: confirmed once, and with a louder warning while the outbox holds
/// unsent items (which stay on the phone either way).
#[component]
fn AccountCard() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    // `Some(unsent)` while the user is asked to confirm.
    let confirming = RwSignal::new(None::<u32>);
    let who = move || {
        app.session.with(|s| {
            s.as_ref().map(|s| {
                fill(
                    app.t().account_signed_in_as,
                    &[
                        ("name", &s.user.name),
                        ("role", app.lang.get().role_name(s.user.role)),
                    ],
                )
            })
        })
    };
    let ask = move |_| {
        leptos::task::spawn_local(async move { confirming.set(Some(app.unsent().await)) });
    };
    let confirm = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            if let Err(e) = app.sign_out().await {
                leptos::logging::warn!("sign out: {e}");
                return;
            }
            confirming.set(None);
            navigate("/", Default::default());
        });
    };
    view! {
        <section class="card">
            <h2>{app.text(|t| t.account_title)}</h2>
            <p data-testid="signed-in-as">{who}</p>
            {move || match confirming.get() {
                None => view! {
                    <button type="button" class="button secondary" on:click=ask>{app.text(|t| t.sign_out)}</button>
                }
                .into_any(),
                Some(unsent) => {
                    let confirm = confirm.clone();
                    view! {
                        <div role="alertdialog" aria-labelledby="sign-out-question" class="confirm">
                            <p id="sign-out-question" class:error={unsent > 0}>
                                {move || {
                                    if unsent > 0 {
                                        fill(app.t().sign_out_unsent, &[("n", &unsent.to_string())])
                                    } else {
                                        app.t().sign_out_confirm.to_owned()
                                    }
                                }}
                            </p>
                            <div class="segmented">
                                <button type="button" class="button secondary" on:click=move |_| confirming.set(None)>
                                    {app.text(|t| t.cancel)}
                                </button>
                                <button type="button" class="button danger" on:click=confirm>
                                    {move || if unsent > 0 { app.t().sign_out_anyway } else { app.t().sign_out_yes }}
                                </button>
                            </div>
                        </div>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn ReferenceStatus() -> impl IntoView {
    let app = use_app();
    let counts = move || {
        app.reference.with(|r| {
            fill(
                app.t().reference_counts,
                &[
                    ("categories", &r.categories.len().to_string()),
                    ("stations", &r.stations.len().to_string()),
                    ("grids", &r.grids.len().to_string()),
                ],
            )
        })
    };
    let updated = move || {
        app.reference.with(|r| match &r.fetched_at {
            Some(at) => fill(app.t().reference_updated, &[("time", &local_time(at))]),
            None => app.t().reference_never.to_owned(),
        })
    };
    let status = move || match app.refresh.get() {
        Refresh::Idle => String::new(),
        Refresh::Running => app.t().reference_refreshing.to_owned(),
        Refresh::Done => app.t().reference_done.to_owned(),
        Refresh::Failed(f) => fill(app.t().reference_failed, &[("reason", &app.describe(&f))]),
    };
    let english = move || app.lang.get().is_english();
    view! {
        <section class="card">
            <h2>{app.text(|t| t.reference_title)}</h2>
            <p data-testid="reference-counts">{counts}</p>
            <p class="muted">{updated}</p>
            <p class="muted" role="status" aria-live="polite">{status}</p>
            <button
                type="button"
                class="button"
                disabled=move || app.refresh.get() == Refresh::Running
                on:click=move |_| app.refresh_reference()
            >
                {app.text(|t| t.reference_refresh)}
            </button>
        </section>
        <section class="card">
            <h2>{app.text(|t| t.categories_title)}</h2>
            <ul class="chips" data-testid="categories">
                {move || {
                    app.reference
                        .with(|r| r.categories.clone())
                        .into_iter()
                        .map(|c| view! { <li class="chip">{c.name(english()).to_owned()}</li> })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}
