//! The server: the JSON API of PROTOCOL.md under `/api/v1`, the built PWA, SQLite storage and the command line.
pub mod accounts;
pub mod auth;
pub mod backup;
pub mod changes;
mod checkins;
pub mod cli;
pub mod concerns;
pub mod db;
pub mod demo;
pub mod demo_history;
pub mod district;
mod enrollment;
pub mod error;
mod escalations;
pub mod exports;
pub mod figures;
mod health;
pub mod http;
mod idempotent;
mod json;
mod leaderboard;
pub mod live;
pub mod migrate;
pub mod openapi;
mod passes;
pub mod personal;
pub mod phones;
pub mod photos;
pub mod rate_limit;
pub mod reference;
pub mod reports;
pub mod secret;
pub mod security;
mod static_files;
mod task_actions;
pub(crate) mod verdicts;
pub mod warnings;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn_with_state, map_response};
use axum::{Extension, Router};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;

pub use db::{Db, TurnKey, Tx};
pub use error::{Error, Result};
pub use http::shutdown_signal;

/// The largest JSON body accepted (photos have their own limit, [`Config::max_photo_bytes`]).
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// Settings of a running server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Seeded with demo data; `/health` says so and the enroll screen points to the demo codes.
    pub demo: bool,
    /// Failed enrollment attempts with a code whose check character holds (a guess, or a used code) allowed per
    /// client address within `enroll_window`.
    pub enroll_max_failures: u32,
    /// Failed attempts with a mistyped code (its check character fails, or it is not a code at all) allowed per
    /// client address within `enroll_window`: many more, so 300 riders on one onboarding-day Wi-Fi all get in.
    pub enroll_max_typos: u32,
    pub enroll_window: Duration,
    /// The largest photo accepted, in bytes.
    pub max_photo_bytes: usize,
    /// When tasks must be answered and resolved.
    pub deadlines: crate::domain::task::DeadlineRules,
    /// How long a station has to answer a rider's concern first.
    pub concern_reply: time::Duration,
    /// Requests a signed-in user may make per minute (on average; as many at once); 0: no limit.
    pub requests_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the enrollment limit).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// When a grid turns yellow or red.
    pub warnings: crate::domain::warnings::WarningRules,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            demo: false,
            enroll_max_failures: 30,
            enroll_max_typos: 300,
            enroll_window: Duration::from_secs(15 * 60),
            max_photo_bytes: 5 * 1024 * 1024,
            deadlines: crate::domain::task::DeadlineRules::default(),
            concern_reply: time::Duration::hours(crate::domain::concern::DEFAULT_REPLY_HOURS),
            requests_per_minute: 1200,
            trusted_proxies: Vec::new(),
            warnings: Default::default(),
        }
    }
}

/// Everything a request handler may need.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// The folder holding the PWA that Trunk built.
    pub dist: PathBuf,
    pub config: Arc<Config>,
    pub enroll_limiter: Arc<rate_limit::FailureLimiter>,
    pub enroll_typo_limiter: Arc<rate_limit::FailureLimiter>,
    pub request_limiter: Arc<rate_limit::RequestLimiter>,
    /// The typed pass codes valid now, for a lookup per code instead of a hash per rider.
    pub typed_passes: Arc<passes::TypedPassIndex>,
    /// Whose turn it is to write (see [`AppState::begin_write`]).
    writer: Arc<tokio::sync::Mutex<()>>,
    /// Room for the writers of [`AppState::begin_keyed_write`] on PostgreSQL: fewer than the pool's connections,
    /// so that those waiting for a turn never hold every connection the writer whose turn it is needs.
    keyed_writers: Arc<tokio::sync::Semaphore>,
    /// Told when each write turn ends: the live change streams look for news then.
    pub live: Arc<live::Live>,
}

/// A request's turn to write (see [`AppState::begin_write`]). When it ends — after the transaction's commit or
/// rollback — the live change streams are told to look.
pub struct WriteTurn {
    _turn: Turn,
    live: Arc<live::Live>,
}

/// The writer's place: the one writer's turn, or one of the keyed writers' places.
enum Turn {
    One {
        _guard: tokio::sync::OwnedMutexGuard<()>,
    },
    Keyed {
        _place: tokio::sync::OwnedSemaphorePermit,
    },
}

impl Drop for WriteTurn {
    fn drop(&mut self) {
        self.live.changed();
    }
}

impl AppState {
    pub fn new(db: Db, dist: PathBuf, config: Config) -> AppState {
        let limiter =
            rate_limit::FailureLimiter::new(config.enroll_max_failures, config.enroll_window);
        let typos = rate_limit::FailureLimiter::new(config.enroll_max_typos, config.enroll_window);
        let live = Arc::<live::Live>::default();
        if let (Db::Postgres(pool, _), Ok(runtime)) = (&db, tokio::runtime::Handle::try_current()) {
            runtime.spawn(live.clone().listen_postgres(pool.clone()));
        }
        AppState {
            db,
            dist,
            request_limiter: Arc::new(rate_limit::RequestLimiter::new(config.requests_per_minute)),
            config: Arc::new(config),
            enroll_limiter: Arc::new(limiter),
            enroll_typo_limiter: Arc::new(typos),
            typed_passes: Arc::default(),
            writer: Arc::new(tokio::sync::Mutex::new(())),
            keyed_writers: Arc::new(tokio::sync::Semaphore::new(db::KEYED_WRITERS)),
            live,
        }
    }

    /// A write transaction, begun when it is this request's turn. SQLite lets one connection write at a time; the
    /// others would poll for its lock with growing sleeps (busy_timeout), which under load turns into long waits and
    /// lost throughput. Requests queue here instead, in order, and hold their turn until the transaction ends (the
    /// returned turn, which must outlive the transaction: declare it first); reads never wait.
    pub async fn begin_write(&self) -> Result<(WriteTurn, Tx)> {
        let turn = WriteTurn {
            _turn: Turn::One {
                _guard: self.writer.clone().lock_owned().await,
            },
            live: self.live.clone(),
        };
        let tx = self.db.begin().await?;
        Ok((turn, tx))
    }

    /// A write transaction that, across instances, takes turns only with writers of the same `keys`
    /// ([`Db::begin_keyed`]) on PostgreSQL; on SQLite, the one writer's turn of [`AppState::begin_write`].
    pub async fn begin_keyed_write(&self, keys: &[TurnKey]) -> Result<(WriteTurn, Tx)> {
        let turn = match self.db {
            Db::Sqlite(_) => Turn::One {
                _guard: self.writer.clone().lock_owned().await,
            },
            Db::Postgres(..) => Turn::Keyed {
                _place: (self.keyed_writers.clone().acquire_owned().await)
                    .map_err(|e| anyhow::anyhow!("keyed writers: {e}"))?,
            },
        };
        let turn = WriteTurn {
            _turn: turn,
            live: self.live.clone(),
        };
        Ok((turn, self.db.begin_keyed(keys).await?))
    }
}

/// The JSON API, mounted under `/api/v1` by [`app`], and its OpenAPI document: both come from the same routes, so
/// nothing is served that the document does not describe. Authentication is layered here, once, over every route
/// except the public ones; what each role may see is decided by the queries behind each route.
pub fn api_router(state: &AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let signed_in = OpenApiRouter::new()
        .merge(enrollment::router())
        .merge(reference::router())
        .merge(photos::router(state.config.max_photo_bytes))
        .merge(reports::router())
        .merge(changes::router())
        .merge(live::router())
        .merge(checkins::router())
        .merge(task_actions::router())
        .merge(escalations::router())
        .merge(verdicts::router())
        .merge(concerns::router())
        .merge(personal::router())
        .merge(leaderboard::router())
        .merge(exports::router())
        .merge(figures::router())
        .merge(warnings::router())
        .route_layer(from_fn_with_state(state.clone(), auth::require_user))
        // JSON bodies are small (a report is a few KB); photos set their own, larger limit.
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES));
    // The district's files are larger than any JSON body the phones send.
    let admin = OpenApiRouter::new()
        .merge(district::api::router())
        .route_layer(from_fn_with_state(state.clone(), auth::require_user))
        .layer(DefaultBodyLimit::max(district::api::MAX_FILE_BYTES));
    let public = OpenApiRouter::new()
        .merge(health::router())
        .merge(enrollment::public_router())
        .merge(openapi::router())
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES));
    let (router, doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(signed_in)
        .merge(admin)
        .merge(public)
        .split_for_parts();
    let doc = openapi::finish(crate::domain::API_BASE, doc);
    let router = router
        .fallback(error::no_route)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(map_response(error::as_protocol_error))
        .layer(Extension(openapi::Document::new(&doc)));
    (router, doc)
}

/// The whole service, built without binding a port so tests can drive it directly.
pub fn app(state: AppState) -> Router {
    http::with_middleware(
        Router::new()
            .nest(crate::domain::API_BASE, api_router(&state).0)
            .merge(openapi::viewer_router())
            .fallback(static_files::serve),
    )
    .with_state(state)
}
