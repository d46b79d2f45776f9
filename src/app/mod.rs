//! The PWA: boot (open the phone's store, pick the language), routes in one place, the shell around every page.
mod checkins;
mod components;
mod concerns;
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
use crate::domain::{ReferenceData, Role};
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
                let concerns = store.concerns().await.unwrap_or_default();
                let urgent_alerts = store.urgent_alerts().await.ok().flatten().unwrap_or(true);
                request_persistent_storage();
                Boot {
                    store: Some(Rc::new(store)),
                    lang,
                    reference,
                    session,
                    reports,
                    checkins,
                    outbox,
                    concerns,
                    urgent_alerts,
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
                    concerns: Vec::new(),
                    urgent_alerts: true,
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
fn open_on_home(role: Option<Role>) {
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
    // The pages' code once someone is signed in (the enroll screen opens none of them), as soon as the app is idle.
    let prefetched = StoredValue::new(false);
    Effect::new(move || {
        if let Some(role) = app.role() {
            if !prefetched.get_value() {
                prefetched.set_value(true);
                request_idle_callback(move || prefetch_pages(role, 0));
            }
        }
    });
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
                            <Route path=path!("/my-reports") view=|| view! { <LazyPage load=load_my_reports_page /> } />
                            <Route path=path!("/my-reports/:id") view=|| view! { <LazyPage load=load_report_detail_page /> } />
                            <Route path=path!("/tasks") view=|| view! { <LazyPage load=load_tasks_page /> } />
                            <Route path=path!("/tasks/:id") view=|| view! { <LazyPage load=load_task_detail_page /> } />
                            <Route path=path!("/concerns") view=|| view! { <LazyPage load=load_concerns_page /> } />
                            <Route path=path!("/concerns/new") view=|| view! { <LazyPage load=load_new_concern_page /> } />
                            <Route path=path!("/concerns/:id") view=|| view! { <LazyPage load=load_concern_detail_page /> } />
                            <Route path=path!("/checkins") view=|| view! { <LazyPage load=load_checkins_page /> } />
                            <Route path=path!("/stations") view=|| view! { <LazyPage load=load_stations_page /> } />
                            <Route path=path!("/pass") view=|| view! { <LazyPage load=load_pass_page /> } />
                            <Route path=path!("/settings") view=|| view! { <LazyPage load=load_settings_page /> } />
                            <Route path=path!("/district") view=|| view! { <LazyPage load=load_district_page /> } />
                            <Route path=path!("/dashboard") view=|| view! { <LazyPage load=load_dashboard_page /> } />
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

// Every page but the first screens (随手拍 and the enroll screen) has its code in a chunk of its own
// (scripts/split-wasm.mjs cuts the module at these split points), fetched the first time the page opens — or sooner,
// when the app is idle (see `prefetch_pages`). A chunk that cannot be fetched leaves the app running: the page says
// so and offers to try again (`LazyPage`).
use leptos::wasm_split::{wasm_split, SplitLoaderError};

/// What a split point gives: the page's constructor, which lives in the chunk.
type PageFn = fn() -> AnyView;

type PageLoad = std::pin::Pin<Box<dyn std::future::Future<Output = Result<PageFn, ()>>>>;

/// The split points, each named once: `$split` (its chunk holds the page and all only it uses) and `$load`, which
/// fetches the chunk (once) and gives the page's constructor, or `Err` when the chunk could not be fetched; and
/// `PAGES`, every loader, for `prefetch_pages`.
macro_rules! split_pages {
    ($($split:ident, $load:ident, $tab:expr, $page:path;)*) => {
        $(
            #[wasm_split($split, wasm_split_path = ::leptos::wasm_split, fallible)]
            fn $split() -> Result<PageFn, SplitLoaderError> {
                Ok(|| gated($tab, $page).into_any())
            }
            fn $load() -> PageLoad {
                Box::pin(async { $split().await.map_err(|_| ()) })
            }
        )*
        /// Every lazily loaded page's loader and its tab, for `prefetch_pages`.
        const PAGES: &[(fn() -> PageLoad, Tab)] = &[$(($load, $tab)),*];
    };
}

split_pages! {
    my_reports_page, load_my_reports_page, Tab::MyReports, my_reports::MyReportsPage;
    report_detail_page, load_report_detail_page, Tab::MyReports, my_reports::ReportDetailPage;
    tasks_page, load_tasks_page, Tab::Tasks, tasks::TasksPage;
    task_detail_page, load_task_detail_page, Tab::Tasks, tasks::TaskDetailPage;
    checkins_page, load_checkins_page, Tab::Checkins, checkins::CheckinsPage;
    concerns_page, load_concerns_page, Tab::Concerns, concerns::ConcernsPage;
    new_concern_page, load_new_concern_page, Tab::Concerns, concerns::NewConcernPage;
    concern_detail_page, load_concern_detail_page, Tab::Concerns, concerns::ConcernDetailPage;
    stations_page, load_stations_page, Tab::Stations, stations::StationsPage;
    pass_page, load_pass_page, Tab::Pass, pass::PassPage;
    settings_page, load_settings_page, Tab::Settings, settings::SettingsPage;
    district_page, load_district_page, Tab::District, district::DistrictPage;
    dashboard_page, load_dashboard_page, Tab::Dashboard, dashboard::DashboardPage;
}

/// A lazily loaded page: nothing while its chunk arrives (a moment; from the service worker's copy offline), then
/// the page; if the chunk cannot be fetched, a message and 重试.
#[component]
fn LazyPage(load: fn() -> PageLoad) -> impl IntoView {
    let app = use_app();
    let page = RwSignal::new(None::<Result<PageFn, ()>>);
    let fetch = move || {
        page.set(None);
        leptos::task::spawn_local(async move { page.set(Some(load().await)) });
    };
    fetch();
    move || match page.get() {
        None => ().into_any(),
        Some(Ok(show)) => untrack(show),
        Some(Err(())) => view! {
            <section class="card" role="alert" data-testid="page-not-loaded">
                <p>{app.text(|t| t.page_not_loaded)}</p>
                <button class="secondary" on:click=move |_| fetch()>{app.text(|t| t.retry)}</button>
            </section>
        }
        .into_any(),
    }
}

/// Fetches the chunk of every page `role` may open, from the `next`th on, one page per idle period of the browser
/// (a rider's taps come first), so each page opens at once and offline even before the service worker has stored it;
/// offline it stops (a page fetches its own chunk when it opens). A failure is left for the page to retry. When all
/// have arrived, `<html data-pages="ready">` says so (the end-to-end tests wait for it before they cut the network).
fn prefetch_pages(role: Role, next: usize) {
    let Some(at) = PAGES[next..].iter().position(|(_, tab)| tab.open_to(role)) else {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-pages", "ready");
        }
        return;
    };
    let (load, _) = PAGES[next + at];
    leptos::task::spawn_local(async move {
        if window().navigator().on_line() && load().await.is_ok() {
            request_idle_callback(move || prefetch_pages(role, next + at + 1));
        }
    });
}

/// Shown when the server refused this phone's token: nothing is lost, and a new code can be entered.
#[component]
fn AuthLostBanner() -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || app.auth_lost.get()>
            <div class="banner banner-warning" role="alert">
                <p>{app.text(|t| t.auth_lost)}</p>
                <button type="button" class="button" on:click=move |_| app.reenrolling.set(true)>
                    {app.text(|t| t.auth_lost_action)}
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
                <span class="badge badge-offline" role="status" title=app.text(|t| t.offline_hint)>
                    {app.text(|t| t.offline_badge)}
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
            <p class="banner banner-warning" role="alert">{app.text(|t| t.storage_unavailable)}</p>
        </Show>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let app = use_app();
    view! {
        <PageHeader title=|t| t.not_found_title />
        <section class="card">
            <a class="button" href="/">{app.text(|t| t.not_found_back)}</a>
        </section>
    }
}
