//! 新版本可用 · 更新: when a new version of the app waits, a banner switches to it on tap — after the outbox
//! sync in flight, with one reload.
use leptos::prelude::*;

use super::use_app;
use crate::client::pwa;

#[component]
pub fn UpdateBanner() -> impl IntoView {
    let app = use_app();
    let waiting = RwSignal::new(pwa::update_waiting());
    let switching = RwSignal::new(false);
    let listener = window_event_listener_untyped(pwa::UPDATE_EVENT, move |_| waiting.set(true));
    on_cleanup(move || listener.remove());
    let update = move |_| {
        switching.set(true);
        leptos::task::spawn_local(async move {
            if !pwa::apply_update().await {
                switching.set(false);
            }
        });
    };
    view! {
        <Show when=move || waiting.get()>
            <div class="banner banner-update" role="status" data-testid="update-banner">
                <p>{app.text(|t| t.update_available)}</p>
                <button type="button" class="button" disabled=move || switching.get() on:click=update>
                    {app.text(|t| t.update_action)}
                </button>
                <Show when=move || switching.get() && app.sync.with(|s| s.running)>
                    <p class="update-wait">{app.text(|t| t.update_waiting_sync)}</p>
                </Show>
            </div>
        </Show>
    }
}
