//! Installing the app: the browser's install offer as a button where it makes one (Chromium), and how to add
//! the app to the home screen on iOS, where installed apps keep their storage.
use leptos::prelude::*;

use super::use_app;
use crate::client::pwa;

#[component]
pub fn InstallCard() -> impl IntoView {
    let app = use_app();
    let offered = RwSignal::new(pwa::install_offered());
    let ios = pwa::needs_ios_hint();
    let listener = window_event_listener_untyped(pwa::INSTALLABLE_EVENT, move |_| {
        offered.set(pwa::install_offered())
    });
    on_cleanup(move || listener.remove());
    let install = move |_| {
        leptos::task::spawn_local(async move {
            pwa::install().await;
            offered.set(pwa::install_offered());
        });
    };
    view! {
        <Show when=move || offered.get() || ios>
            <section class="card" data-testid="install">
                <h2>{app.text(|t| t.install_title)}</h2>
                {if ios {
                    view! { <p>{app.text(|t| t.install_ios_hint)}</p> }.into_any()
                } else {
                    view! {
                        <p>{app.text(|t| t.install_intro)}</p>
                        <button type="button" class="button wide" on:click=install>
                            {app.text(|t| t.install_button)}
                        </button>
                    }
                    .into_any()
                }}
            </section>
        </Show>
    }
}
