//! 我的数据 (个人信息保护法), in 设置 for riders: download what the server keeps about me, and erase my account —
//! only once everything on this phone is delivered (never before), confirmed, and then this phone's copy goes too.
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::components::download;
use super::use_app;
use crate::client::api::{delete, get_bytes};
use crate::i18n::fill;

#[component]
pub fn MyDataCard() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // `Some(unsent)` while asked to confirm the erasure.
    let confirming = RwSignal::new(None::<u32>);
    let fetch = move |_| {
        busy.set(true);
        message.set(None);
        leptos::task::spawn_local(async move {
            match get_bytes("/me/data", app.token().as_deref()).await {
                Ok(bytes) => download(&bytes, "suishoupai-my-data.zip", "application/zip"),
                Err(f) => message.set(Some(app.describe(&f))),
            }
            busy.set(false);
        });
    };
    let ask = move |_| {
        leptos::task::spawn_local(async move { confirming.set(Some(app.unsent().await)) });
    };
    let erase = move |_| {
        let navigate = navigate.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match delete("/me", app.token().as_deref()).await {
                Ok(_) => {
                    if let Some(store) = app.store() {
                        if let Err(e) = store.clear_everything().await {
                            leptos::logging::warn!("clearing the phone: {e}");
                        }
                    }
                    app.reports.set(vec![]);
                    app.outbox.set(vec![]);
                    let _ = app.sign_out().await;
                    confirming.set(None);
                    navigate("/", Default::default());
                }
                Err(f) => message.set(Some(app.describe(&f))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" data-testid="my-data">
            <h2>{app.text(|t| t.my_data_title)}</h2>
            <p class="muted">{app.text(|t| t.my_data_hint)}</p>
            <button type="button" class="button secondary" disabled=move || busy.get() on:click=fetch>{app.text(|t| t.my_data_download)}</button>
            {move || match confirming.get() {
                None => view! {
                    <button type="button" class="button secondary reject" on:click=ask>{app.text(|t| t.erase_account)}</button>
                }.into_any(),
                Some(unsent) if unsent > 0 => view! {
                    <div role="alert" class="confirm">
                        <p class="error" data-testid="erase-unsent">{move || fill(app.t().erase_unsent, &[("n", &unsent.to_string())])}</p>
                        <button type="button" class="button secondary" on:click=move |_| confirming.set(None)>{app.text(|t| t.cancel)}</button>
                    </div>
                }.into_any(),
                Some(_) => {
                    let erase = erase.clone();
                    view! {
                        <div role="alertdialog" aria-labelledby="erase-question" class="confirm">
                            <p id="erase-question">{app.text(|t| t.erase_confirm)}</p>
                            <div class="segmented">
                                <button type="button" class="button secondary" on:click=move |_| confirming.set(None)>{app.text(|t| t.cancel)}</button>
                                <button type="button" class="button danger" disabled=move || busy.get() on:click=erase>{app.text(|t| t.erase_yes)}</button>
                            </div>
                        </div>
                    }.into_any()
                }
            }}
            {move || message.get().map(|m| view! { <p role="status" class="error">{m}</p> })}
        </section>
    }
}
