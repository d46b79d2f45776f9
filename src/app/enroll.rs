//! The first screen of a new phone: the one-time code, typed or scanned, for a session kept on the phone.
use crate::domain::api_error::code;
use crate::domain::enrollment_code;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::scanner::{scanner_available, CodeScanner};
use super::tab_bar::Tab;
use super::use_app;
use crate::client::api::ApiFailure;
use crate::client::enrollment::{enroll, server_is_demo, EnrollFailure};
use crate::i18n::fill;

#[component]
pub fn EnrollPage() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let code = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let scanning = RwSignal::new(false);
    let demo = LocalResource::new(server_is_demo);

    let submit = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let typed = code.get_untracked();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let t = app.t();
            let outcome = match enroll(&typed).await {
                Ok(session) => {
                    let home = Tab::for_role(session.user.role)[0].href();
                    match app.sign_in(session).await {
                        Ok(()) => {
                            navigate(home, Default::default());
                            None
                        }
                        Err(e) => Some(fill(t.enroll_failed, &[("reason", &e)])),
                    }
                }
                Err(EnrollFailure::BadFormat) => Some(t.enroll_bad_format.to_owned()),
                Err(EnrollFailure::Api(failure)) => Some(match &failure {
                    ApiFailure::Network(_) => t.enroll_offline.to_owned(),
                    ApiFailure::Status {
                        status: 429,
                        retry_after,
                        ..
                    } => {
                        let minutes = retry_after.unwrap_or(60).div_ceil(60).max(1);
                        fill(t.enroll_rate_limited, &[("minutes", &minutes.to_string())])
                    }
                    // A code whose check character fails was mistyped: say so, rather than "unknown".
                    f if f.code() == Some(code::INVALID_CODE)
                        && !enrollment_code::checks(&enrollment_code::normalize(&typed)) =>
                    {
                        t.enroll_mistyped.to_owned()
                    }
                    f if f.code() == Some(code::INVALID_CODE) => t.enroll_invalid.to_owned(),
                    f => fill(t.enroll_failed, &[("reason", &app.describe(f))]),
                }),
            };
            error.set(outcome);
            busy.set(false);
        });
    };
    let submit_form = submit.clone();
    let on_scanned = Callback::new(move |scanned: String| {
        scanning.set(false);
        code.set(scanned);
        submit();
    });

    view! {
        <main class="page enroll">
            <header class="page-header">
                <h1>{app.text(|t| t.enroll_title)}</h1>
            </header>
            <section class="card">
                <p>{app.text(|t| t.enroll_intro)}</p>
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    submit_form();
                }>
                    <label class="field" for="enroll-code">{app.text(|t| t.enroll_code_label)}</label>
                    <input
                        id="enroll-code"
                        class="code-input"
                        type="text"
                        inputmode="text"
                        autocomplete="one-time-code"
                        autocapitalize="characters"
                        spellcheck="false"
                        maxlength="16"
                        aria-describedby="enroll-code-hint"
                        prop:value=code
                        on:input=move |ev| code.set(event_target_value(&ev))
                    />
                    <p id="enroll-code-hint" class="muted">{app.text(|t| t.enroll_code_hint)}</p>
                    <Show when=move || error.get().is_some()>
                        <p class="error" role="alert">{move || error.get()}</p>
                    </Show>
                    <button type="submit" class="button wide" disabled=move || busy.get()>
                        {move || if busy.get() { app.t().enroll_submitting } else { app.t().enroll_submit }}
                    </button>
                </form>
                <Show when=scanner_available>
                    <button
                        type="button"
                        class="button wide secondary"
                        on:click=move |_| scanning.update(|s| *s = !*s)
                    >
                        {move || if scanning.get() { app.t().enroll_scan_stop } else { app.t().enroll_scan }}
                    </button>
                    <Show when=move || scanning.get()>
                        <CodeScanner on_code=on_scanned on_error=Callback::new(move |reason: String| {
                            scanning.set(false);
                            error.set(Some(fill(app.t().enroll_scan_failed, &[("reason", &reason)])));
                        }) />
                    </Show>
                </Show>
            </section>
            <Show when=move || demo.get().unwrap_or(false)>
                <section class="card" data-testid="demo-hint">
                    <p>{app.text(|t| t.enroll_demo_hint)}</p>
                </section>
            </Show>
        </main>
    }
}
