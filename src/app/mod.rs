//! The PWA: boot (open the phone's store, pick the language), routes in one place, the shell around every page.
mod checkins;
mod components;
mod context;
mod dashboard;
mod district;
mod enroll;
pub mod format;
mod icons;
mod install;
mod my_data;
mod my_reports;
mod pass;
mod report;
mod scanner;
mod settings;
mod stations;
mod tab_bar;
mod tasks;
mod update_banner;

use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use tab_bar::{Gated, Tab};

pub use context::{use_app, AppContext, Boot};

use crate::client::store::Store;
use crate::domain::ReferenceData;
use crate::i18n::Lang;

/// Entry point on wasm32: opens the store, then mounts the app with what the phone already knows.
pub fn mount() {
    console_error_panic_hook::set_once();
    // Leptos sets up its own task executor when mounting; the boot runs before that.
    wasm_bindgen_futures::spawn_local(async {
        let boot = match Store::open().await {
            Ok(store) => {
                let lang = store.language().await.ok().flatten().unwrap_or_default();
                let reference = store.reference().await.ok().flatten().unwrap_or_default();
                let session = store.session().await.ok().flatten();
                let reports = store.reports().await.unwrap_or_default();
                let checkins = store.checkins().await.unwrap_or_default();
                let outbox = store.outbox().await.unwrap_or_default();
                request_persistent_storage();
                Boot {
                    store: Some(Rc::new(store)),
                    lang,
                    reference,
                    session,
                    reports,
                    checkins,
                    outbox,
                }
            }
            Err(e) => {
                leptos::logging::warn!("IndexedDB unavailable: {e}");
                Boot {
                    store: None,
                    lang: Lang::default(),
                    reference: ReferenceData::default(),
                    session: None,
                    reports: Vec::new(),
                    checkins: Vec::new(),
                    outbox: Vec::new(),
                }
            }
        };
        if let Some(splash) = document().get_element_by_id("splash") {
            splash.remove();
        }
        open_on_home(boot.session.as_ref().map(|s| s.user.role));
        leptos::mount::mount_to_body(move || view! { <App boot=boot /> });
    });
}

/// The installed app starts at `/?home` (the manifest's start URL): it opens on the role's home — 任务 for a grid
/// worker, 签到 for station staff — not on 随手拍.
fn open_on_home(role: Option<crate::domain::Role>) {
    let location = window().location();
    if location.search().as_deref() != Ok("?home") {
        return;
    }
    let home = role.map_or("/", |r| tab_bar::Tab::for_role(r)[0].href());
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(home));
    }
}

/// Asks the browser not to evict the phone's data under storage pressure (reports wait there).
fn request_persistent_storage() {
    if let Ok(promise) = window().navigator().storage().persist() {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}

#[component]
pub fn App(boot: Boot) -> impl IntoView {
    let app = AppContext::provide(boot);
    app.start_background_refresh();
    let signed_in = move || app.session.with(Option::is_some) && !app.reenrolling.get();
    view! {
        <Router>
            <StorageWarning />
            <update_banner::UpdateBanner />
            <Show when=signed_in fallback=enroll::EnrollPage>
                <div class="shell">
                    <AuthLostBanner />
                    <main class="page">
                        <Routes fallback=NotFound>
                            <Route path=path!("/") view=|| gated(Tab::Report, report::ReportPage) />
                            <Route path=path!("/my-reports") view=|| gated(Tab::MyReports, my_reports::MyReportsPage) />
                            <Route path=path!("/my-reports/:id") view=|| gated(Tab::MyReports, my_reports::ReportDetailPage) />
                            <Route path=path!("/tasks") view=|| gated(Tab::Tasks, tasks::TasksPage) />
                            <Route path=path!("/tasks/:id") view=|| gated(Tab::Tasks, tasks::TaskDetailPage) />
                            <Route path=path!("/checkins") view=|| gated(Tab::Checkins, checkins::CheckinsPage) />
                            <Route path=path!("/stations") view=|| gated(Tab::Stations, stations::StationsPage) />
                            <Route path=path!("/pass") view=|| gated(Tab::Pass, pass::PassPage) />
                            <Route path=path!("/settings") view=|| gated(Tab::Settings, settings::SettingsPage) />
                            <Route path=path!("/district") view=|| gated(Tab::District, district::DistrictPage) />
                            <Route path=path!("/dashboard") view=|| gated(Tab::Dashboard, dashboard::DashboardPage) />
                        </Routes>
                    </main>
                    <tab_bar::TabBar />
                </div>
            </Show>
        </Router>
    }
}

/// A page that only the roles with its tab may open.
fn gated<V: IntoView + 'static>(tab: Tab, page: fn() -> V) -> impl IntoView {
    view! { <Gated tab=tab>{move || page()}</Gated> }
}

/// Shown when the server refused this phone's token: nothing is lost, and a new code can be entered.
#[component]
fn AuthLostBanner() -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || app.auth_lost.get()>
            <div class="banner banner-warning" role="alert">
                <p>{move || app.t().auth_lost}</p>
                <button type="button" class="button" on:click=move |_| app.reenrolling.set(true)>
                    {move || app.t().auth_lost_action}
                </button>
            </div>
        </Show>
    }
}

/// The title bar of a page, with the offline badge when the phone has no network.
#[component]
pub fn PageHeader(title: fn(&'static crate::i18n::Texts) -> &'static str) -> impl IntoView {
    let app = use_app();
    view! {
        <header class="page-header">
            <h1>{move || title(app.t())}</h1>
            <Show when=move || !app.online.get()>
                <span class="badge badge-offline" role="status" title=move || app.t().offline_hint>
                    {move || app.t().offline_badge}
                </span>
            </Show>
        </header>
    }
}

#[component]
fn StorageWarning() -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || !app.has_store()>
            <p class="banner banner-warning" role="alert">{move || app.t().storage_unavailable}</p>
        </Show>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let app = use_app();
    view! {
        <PageHeader title=|t| t.not_found_title />
        <section class="card">
            <a class="button" href="/">{move || app.t().not_found_back}</a>
        </section>
    }
}
