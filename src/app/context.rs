//! What every page shares: the session, the language, the network state, the reference data and the store.
use std::collections::HashSet;
use std::rc::Rc;

use leptos::prelude::*;
#[cfg(feature = "sync-chunk")]
use leptos::wasm_split::wasm_split;
use leptos::wasm_split::SplitLoaderError;

use crate::client::api::ApiFailure;
use crate::client::local::{LocalCheckin, LocalReport, OutboxEntry, OutboxKind};
use crate::client::pwa::LiveChannel;
use crate::client::reference;
use crate::client::store::Store;
use crate::client::store::StoreError;
use crate::client::sync::{self, Outcome, Progress};
use crate::domain::concern::Concern;
use crate::domain::task::{awaits_answer, on_list_of};
use crate::domain::{Enrollment, ReferenceData, Role};
use crate::i18n::{fill, Lang, Texts};

/// What the phone knew when the app started.
pub struct Boot {
    pub store: Option<Rc<Store>>,
    pub lang: Lang,
    pub reference: ReferenceData,
    pub session: Option<Enrollment>,
    pub reports: Vec<LocalReport>,
    pub checkins: Vec<LocalCheckin>,
    pub outbox: Vec<OutboxEntry>,
    pub concerns: Vec<Concern>,
    pub urgent_alerts: bool,
}

/// The sync engine as the screen shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncStatus {
    pub running: bool,
    pub progress: Progress,
    pub last: Option<Outcome>,
}

/// The state of the last reference-data refresh.
#[derive(Debug, Clone, PartialEq)]
pub enum Refresh {
    Idle,
    Running,
    Done,
    Failed(ApiFailure),
}

#[derive(Clone, Copy)]
pub struct AppContext {
    pub lang: RwSignal<Lang>,
    pub online: RwSignal<bool>,
    pub reference: RwSignal<ReferenceData>,
    pub refresh: RwSignal<Refresh>,
    /// Who is signed in on this phone.
    pub session: RwSignal<Option<Enrollment>>,
    /// The server refused the token (revoked account): work stays on the phone, the user is told.
    pub auth_lost: RwSignal<bool>,
    /// The user chose to enter a new code while signed in (after the token was refused).
    pub reenrolling: RwSignal<bool>,
    /// The phone's reports, drafts included, as the store has them.
    pub reports: RwSignal<Vec<LocalReport>>,
    /// Check-ins: recorded here by staff, or a rider's confirmed visits.
    pub checkins: RwSignal<Vec<LocalCheckin>>,
    /// What waits for the server's acknowledgement, parked (需处理) entries included.
    pub outbox: RwSignal<Vec<OutboxEntry>>,
    /// Riders' concerns as the server last gave them (one not delivered yet is in the outbox).
    pub concerns: RwSignal<Vec<Concern>>,
    pub sync: RwSignal<SyncStatus>,
    /// A sync was asked for while one ran: it runs again when that one ends (the running one read the outbox before
    /// what was just saved, which would otherwise wait for the next tick).
    sync_again: StoredValue<Option<bool>>,
    /// The run planned for when an entry's backoff ends (sooner than the next tick).
    retry: StoredValue<Option<TimeoutHandle>>,
    store: StoredValue<Option<Rc<Store>>, LocalStorage>,
    /// Whether a new urgent task vibrates and sounds (设置; on unless the user turned it off).
    pub urgent_alerts: RwSignal<bool>,
    /// The urgent tasks announced already (none before the first look).
    announced: StoredValue<Option<HashSet<String>>>,
    /// A reload of the store is planned: the sync's progress steps meanwhile fold into it.
    reload_planned: StoredValue<bool>,
}

/// While a sync runs, the screen reads the store again at most this often: reading every report and drawing the
/// lists again after each step would cost more than sending the step on a cheap phone.
const RELOAD_EVERY: std::time::Duration = std::time::Duration::from_millis(300);

pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}

impl AppContext {
    pub fn provide(boot: Boot) -> AppContext {
        let online = window().navigator().on_line();
        let app = AppContext {
            lang: RwSignal::new(boot.lang),
            online: RwSignal::new(online),
            reference: RwSignal::new(boot.reference),
            refresh: RwSignal::new(Refresh::Idle),
            session: RwSignal::new(boot.session),
            auth_lost: RwSignal::new(false),
            reenrolling: RwSignal::new(false),
            reports: RwSignal::new(boot.reports),
            checkins: RwSignal::new(boot.checkins),
            outbox: RwSignal::new(boot.outbox),
            concerns: RwSignal::new(boot.concerns),
            sync: RwSignal::new(SyncStatus::default()),
            sync_again: StoredValue::new(None),
            retry: StoredValue::new(None),
            store: StoredValue::new_local(boot.store),
            urgent_alerts: RwSignal::new(boot.urgent_alerts),
            announced: StoredValue::new(None),
            reload_planned: StoredValue::new(false),
        };
        set_document_lang(boot.lang);
        provide_context(app);
        app
    }

    /// The strings of the current language (tracked: views re-render when it changes).
    pub fn t(&self) -> &'static Texts {
        self.lang.get().texts()
    }

    /// A string of the interface that follows the language, for a view: `{app.text(|t| t.retry)}`. Every string
    /// shares this one closure type, so the view code that draws it is compiled once, not once per string.
    pub fn text(
        self,
        pick: fn(&'static Texts) -> &'static str,
    ) -> impl Fn() -> &'static str + Copy + 'static {
        move || pick(self.t())
    }

    pub fn role(&self) -> Option<Role> {
        self.session.with(|s| s.as_ref().map(|s| s.user.role))
    }

    pub fn token(&self) -> Option<String> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    }

    pub fn has_store(&self) -> bool {
        self.store.with_value(Option::is_some)
    }

    pub fn store(&self) -> Option<Rc<Store>> {
        self.store.get_value()
    }

    /// How many items wait on this phone to be delivered (nothing readable: none).
    pub async fn unsent(self) -> u32 {
        match self.store() {
            Some(store) => store.outbox_len().await.unwrap_or(0),
            None => 0,
        }
    }

    /// Switches the language now and remembers it on the phone.
    pub fn set_lang(&self, lang: Lang) {
        self.lang.set(lang);
        set_document_lang(lang);
        if let Some(store) = self.store() {
            leptos::task::spawn_local(async move {
                if let Err(e) = store.set_language(lang).await {
                    leptos::logging::warn!("could not save the language: {e}");
                }
            });
        }
    }

    /// Turns the urgent-task alert on or off and remembers it on the phone.
    pub fn set_urgent_alerts(&self, on: bool) {
        self.urgent_alerts.set(on);
        if let Some(store) = self.store() {
            leptos::task::spawn_local(async move {
                if let Err(e) = store.set_urgent_alerts(on).await {
                    leptos::logging::warn!("could not save the alert setting: {e}");
                }
            });
        }
    }

    /// Keeps a new session (after enrollment) and starts using it.
    pub async fn sign_in(self, session: Enrollment) -> Result<(), String> {
        if let Some(store) = self.store() {
            store
                .set_session(&session)
                .await
                .map_err(|e| e.to_string())?;
        }
        self.session.set(Some(session));
        self.auth_lost.set(false);
        self.reenrolling.set(false);
        self.refresh_reference();
        self.sync_now();
        Ok(())
    }

    /// Forgets the session; the outbox and everything else stay on the phone.
    pub async fn sign_out(self) -> Result<(), String> {
        if let Some(store) = self.store() {
            store.clear_session().await.map_err(|e| e.to_string())?;
        }
        self.session.set(None);
        self.auth_lost.set(false);
        Ok(())
    }

    /// Refreshes reference data and syncs now, again whenever the network comes back or the app becomes
    /// visible, and every 30 seconds while it is open.
    pub fn start_background_refresh(self) {
        self.refresh_reference();
        self.sync_now();
        // Back online: what waited only for the network goes now, whatever its backoff said.
        let online = window_event_listener(leptos::ev::online, move |_| {
            self.online.set(true);
            self.refresh_reference();
            self.sync_everything_now();
        });
        let offline = window_event_listener(leptos::ev::offline, move |_| self.online.set(false));
        // The app lives as long as the page: this listener is never removed.
        let visible = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            if document().visibility_state() == web_sys::VisibilityState::Visible {
                self.sync_now();
            }
        });
        let _ = document().add_event_listener_with_callback(
            "visibilitychange",
            wasm_bindgen::JsCast::unchecked_ref(visible.as_ref()),
        );
        visible.forget();
        let timer =
            set_interval_with_handle(move || self.sync_now(), std::time::Duration::from_secs(30))
                .ok();
        // Live changes: while signed in, the server's stream says when there is something to pull (the timer above
        // stays: a stream that can't be held costs only the wait for the next tick).
        let token = Memo::new(move |_| self.session.with(|s| s.as_ref().map(|s| s.token.clone())));
        let live = StoredValue::new_local(None::<LiveChannel>);
        Effect::new(move |_| {
            live.set_value(None);
            if let Some(token) = token.get() {
                live.set_value(LiveChannel::open(&token, move || self.sync_now()));
            }
        });
        on_cleanup(move || {
            online.remove();
            offline.remove();
            if let Some(t) = timer {
                t.clear();
            }
        });
    }

    /// Reads the phone's reports from the store into [`AppContext::reports`].
    pub async fn reload_reports(self) {
        if let Some(store) = self.store() {
            // One read, set together: a task's version and the actions waiting on it always agree on screen (an
            // action queued in between would otherwise expect a version one off).
            match store.snapshot().await {
                Ok(s) => {
                    self.reports.set(s.reports);
                    self.checkins.set(s.checkins);
                    self.outbox.set(s.outbox);
                    self.concerns.set(s.concerns);
                    self.announce_urgent();
                }
                Err(e) => leptos::logging::warn!("reading the phone's store: {e}"),
            }
        }
    }

    /// Reads the store again in a moment, once for all the calls until then.
    fn reload_soon(self) {
        if self.reload_planned.get_value() {
            return;
        }
        self.reload_planned.set_value(true);
        set_timeout(
            move || {
                self.reload_planned.set_value(false);
                leptos::task::spawn_local(self.reload_reports());
            },
            RELOAD_EVERY,
        );
    }

    /// The open tasks on the user's 任务 list that wait for their first answer (接单, 报到): each id and whether it
    /// is urgent. The tab's badge counts them; a new urgent one is announced.
    pub fn awaiting_me(&self) -> Vec<(String, bool)> {
        let Some(user) = self.session.with(|s| s.as_ref().map(|s| s.user.clone())) else {
            return vec![];
        };
        // Admins see every grid's tasks: a count of the whole district's would say nothing.
        if !matches!(user.role, Role::GridWorker | Role::DepartmentStaff) {
            return vec![];
        }
        self.reports.with(|reports| {
            reports
                .iter()
                .filter_map(|r| r.server.as_ref())
                .filter(|t| on_list_of(&user, t) && awaits_answer(t, &user))
                .map(|t| (t.id.clone(), t.submitted.urgent))
                .collect()
        })
    }

    /// After the phone's tasks changed: a new urgent task waiting for this user vibrates the phone and sounds a
    /// short tone, if the user wants it (设置) and the browser lets the page. What the phone held when the app
    /// opened is not announced.
    fn announce_urgent(self) {
        let urgent: HashSet<String> = self
            .awaiting_me()
            .into_iter()
            .filter_map(|(id, urgent)| urgent.then_some(id))
            .collect();
        let new = self.announced.try_update_value(|seen| match seen {
            None => {
                *seen = Some(urgent.clone());
                false
            }
            Some(seen) => {
                let new = urgent.iter().any(|id| !seen.contains(id));
                seen.extend(urgent);
                new
            }
        });
        if new == Some(true) && self.urgent_alerts.get_untracked() {
            crate::client::pwa::alert();
        }
    }

    /// Puts `entry` (a verdict, an action: its content lives in the outbox) in the outbox and syncs; `error` says
    /// why it could not be kept, or is cleared.
    pub fn queue(self, entry: OutboxEntry, error: RwSignal<Option<String>>) {
        leptos::task::spawn_local(async move {
            let Some(store) = self.store() else {
                error.set(Some(self.t().storage_unavailable.to_owned()));
                return;
            };
            match store.put_outbox_entry(&entry).await {
                Ok(()) => {
                    error.set(None);
                    self.reload_reports().await;
                    self.sync_now();
                }
                Err(e) => error.set(Some(fill(
                    self.t().storage_failed,
                    &[("reason", &e.to_string())],
                ))),
            }
        });
    }

    /// Task actions and check-ins waiting to be sent (not the parked ones: those wait for the user).
    pub fn waiting_entries(&self) -> usize {
        self.outbox.with(|o| {
            o.iter()
                .filter(|e| e.kind != OutboxKind::Report && e.problem.is_none())
                .count()
        })
    }

    /// Pushes the due outbox entries and pulls the change feed, unless a sync runs already (here or in
    /// another tab).
    pub fn sync_now(self) {
        self.sync_with(false);
    }

    /// 立即同步: like [`AppContext::sync_now`], but every queued entry is tried now, backoff or not.
    pub fn sync_everything_now(self) {
        self.sync_with(true);
    }

    fn sync_with(self, force: bool) {
        let (Some(store), Some(token)) = (self.store(), self.token()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let job = async move {
                self.sync.update(|s| s.running = true);
                let progress = move |p: &Progress| {
                    let p = p.clone();
                    self.sync.update(|s| s.progress = p);
                    self.reload_soon();
                };
                let Ok(engine) = engine().await else {
                    // Its chunk could not be fetched (no network, and no copy yet): the next run tries again.
                    return Outcome {
                        offline: true,
                        ..Outcome::default()
                    };
                };
                match (engine.sync)(&store, &token, force, &progress).await {
                    Ok(outcome) => outcome,
                    Err(e) => {
                        leptos::logging::warn!("sync: {e}");
                        Outcome::default()
                    }
                }
            };
            let ran = sync::exclusively(job).await;
            if ran.is_none() {
                // Busy in this tab: once the current run ends, run again (forced if any request was).
                self.sync_again
                    .update_value(|again| *again = Some(again.unwrap_or(false) || force));
            }
            if let Some(outcome) = ran {
                if outcome.signed_out {
                    self.auth_lost.set(true);
                }
                if !outcome.skipped {
                    self.online
                        .set(!outcome.offline && window().navigator().on_line());
                }
                self.retry_at(outcome.retry_at_ms);
                // What the run stored is on screen by the time the run says it has ended: a page waiting for a
                // sync (a task not on the phone yet) never judges by a list the run has not reached.
                self.reload_reports().await;
                self.sync.update(|s| {
                    s.running = false;
                    s.last = Some(outcome);
                });
                if let Some(force) = self.sync_again.try_update_value(Option::take).flatten() {
                    self.sync_with(force);
                }
            } else {
                self.reload_reports().await;
            }
        });
    }

    /// Plans a run for when a rescheduled entry is due again, if that comes before the next 30-second tick (an
    /// answer lost on a weak signal is asked for again after its backoff, 1–2 s the first time, not after a tick).
    fn retry_at(self, at_ms: Option<f64>) {
        if let Some(planned) = self.retry.try_update_value(Option::take).flatten() {
            planned.clear();
        }
        let Some(at_ms) = at_ms else {
            return;
        };
        let wait = (at_ms - js_sys::Date::now()).max(0.0);
        if wait < 30_000.0 {
            let planned = set_timeout_with_handle(
                move || self.sync_now(),
                std::time::Duration::from_millis(wait as u64 + 50),
            )
            .ok();
            self.retry.set_value(planned);
        }
    }

    /// Fetches reference data; on success the phone's copy is replaced, on failure it is kept.
    pub fn refresh_reference(self) {
        let Some(token) = self.token() else {
            return;
        };
        if self.refresh.get_untracked() == Refresh::Running {
            return;
        }
        self.refresh.set(Refresh::Running);
        leptos::task::spawn_local(async move {
            let fetched = match engine().await {
                Ok(engine) => (engine.fetch_reference)(token).await,
                Err(e) => Err(ApiFailure::Network(e.to_string())),
            };
            match fetched {
                Ok(data) => {
                    if let Some(store) = self.store() {
                        if let Err(e) = store.put_reference(&data).await {
                            leptos::logging::warn!("could not keep reference data: {e}");
                        }
                    }
                    self.reference.set(data);
                    self.online.set(true);
                    self.refresh.set(Refresh::Done);
                }
                Err(failure) => {
                    if failure.is_unauthorized() {
                        self.auth_lost.set(true);
                    }
                    if matches!(failure, ApiFailure::Network(_)) {
                        self.online.set(window().navigator().on_line());
                    }
                    self.refresh.set(Refresh::Failed(failure));
                }
            }
        });
    }

    /// A failure in words the user can act on.
    pub fn describe(&self, failure: &ApiFailure) -> String {
        let t = self.t();
        match failure {
            ApiFailure::Network(_) => t.error_network.to_owned(),
            ApiFailure::Status { status, .. } => {
                fill(t.error_server, &[("status", &status.to_string())])
            }
            ApiFailure::Decode(_) => fill(t.error_server, &[("status", "200")]),
        }
    }
}

// The sync engine and the reference-data fetch (with the serde code of every answer they read) are a chunk of their
// own (scripts/split-wasm.mjs cuts the module at this split point): the first screen is usable before they arrive.
// The first sync fetches them — from the service worker's copy offline.
type LocalFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + 'a>>;

/// The sync engine's entry point: [`sync::run`].
type SyncFn = for<'a> fn(
    &'a Store,
    &'a str,
    bool,
    &'a dyn Fn(&Progress),
) -> LocalFuture<'a, Result<Outcome, StoreError>>;

/// What the engine's chunk gives: its entry points.
struct Engine {
    sync: SyncFn,
    fetch_reference: fn(String) -> LocalFuture<'static, Result<ReferenceData, ApiFailure>>,
}

const ENGINE: Engine = Engine {
    sync: |store, token, force, progress| Box::pin(sync::run(store, token, force, progress)),
    fetch_reference: |token| Box::pin(async move { reference::fetch(&token).await }),
};

#[cfg(feature = "sync-chunk")]
#[wasm_split(sync_engine, wasm_split_path = ::leptos::wasm_split, fallible)]
fn engine_chunk() -> Result<Engine, SplitLoaderError> {
    Ok(ENGINE)
}

/// The engine: from its chunk in the PWA's build, at hand otherwise.
async fn engine() -> Result<Engine, SplitLoaderError> {
    #[cfg(feature = "sync-chunk")]
    return engine_chunk().await;
    #[cfg(not(feature = "sync-chunk"))]
    Ok(ENGINE)
}

fn set_document_lang(lang: Lang) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", lang.tag());
    }
}
