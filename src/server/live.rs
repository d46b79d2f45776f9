//! `GET /changes/stream`: live changes. While the app is open, each phone holds one server-sent-events stream; when
//! something the caller may see has changed it gets a small `change` event with the newest cursor and pulls
//! `/changes` as usual. The feed stays the one source of truth — a lost event loses nothing, and the phone's
//! 30-second poll goes on beside the stream.
//!
//! One notifier per server: every write turn ([`super::AppState::begin_write`]) bumps it when it ends, after its
//! commit. Each stream then asks the feed's own query whether anything visible to its user came after the position
//! it last told — so the visibility rules are the feed's, written once — and says so only if it did. Bursts fold
//! into one look (a `watch` channel keeps only the newest bump, and a stream looks at most every 250 ms): the memory
//! and the work of a stream are bounded, whatever the rate of writes.
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::sync::watch;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::CurrentUser;
use super::changes::newer_for;
use super::openapi::{Invalid, Malformed, Unauthorized};
use super::{AppState, Error, Result};
use crate::domain::change::{decode_cursor, encode_cursor};
use crate::domain::User;

/// At most this many open streams per user (a phone holds one per open tab).
pub const MAX_STREAMS_PER_USER: usize = 4;
/// A comment line this often keeps proxies and the phone's watchdog from taking a quiet stream for a dead one.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// A stream looks at most this often, however fast commits come: commits meanwhile fold into its next look, so the
/// work of 1,000 open streams is bounded by the streams, not by the rate of writes.
pub const LOOK_EVERY: Duration = Duration::from_millis(250);
/// A stream ends after this long and the phone opens a new one: a revoked token stops being served within it.
pub const MAX_STREAM_LIFE: Duration = Duration::from_secs(15 * 60);

/// The server's notifier and the open streams per user.
pub struct Live {
    bump: watch::Sender<u64>,
    closing: watch::Sender<bool>,
    streams: Mutex<HashMap<String, usize>>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            bump: watch::Sender::new(0),
            closing: watch::Sender::new(false),
            streams: Mutex::new(HashMap::new()),
        }
    }
}

impl Live {
    /// Something may have changed (a write turn ended): every stream takes a look.
    pub fn changed(&self) {
        self.bump.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Hears the commits of every other server instance on the same PostgreSQL database: each write transaction
    /// sends a notification ([`crate::server::db::Db::begin`]), delivered at its commit. A notification missed
    /// while the listening connection was down costs nothing but latency (the phones poll too); one look is taken
    /// after each reconnection. Ends with the server.
    pub async fn listen_postgres(self: Arc<Self>, pool: sqlx::PgPool) {
        let mut closing = self.closing.subscribe();
        loop {
            match sqlx::postgres::PgListener::connect_with(&pool).await {
                Ok(mut listener) => {
                    if let Err(e) = listener.listen(crate::server::db::CHANGES_CHANNEL).await {
                        tracing::warn!(error = %e, "listening for other instances' commits");
                    } else {
                        self.changed();
                        loop {
                            tokio::select! {
                                note = listener.try_recv() => match note {
                                    Ok(Some(_)) => self.changed(),
                                    // The connection was lost: reconnected by the next call, then one look.
                                    Ok(None) => self.changed(),
                                    Err(e) => {
                                        tracing::warn!(error = %e, "listening for other instances' commits");
                                        break;
                                    }
                                },
                                _ = closing.wait_for(|c| *c) => return,
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "connecting to hear other instances' commits"),
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = closing.wait_for(|c| *c) => return,
            }
        }
    }

    /// The server is shutting down: every stream ends now (the phones reconnect to whatever serves next).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// How many streams are open now.
    pub fn open_streams(&self) -> usize {
        self.streams.lock().map_or(0, |s| s.values().sum())
    }

    /// A place for one more stream of `user`, given back when the [`Slot`] drops; none over the cap.
    fn take_slot(self: &Arc<Self>, user: &str) -> Option<Slot> {
        let mut streams = self.streams.lock().ok()?;
        let open = streams.entry(user.to_owned()).or_default();
        if *open >= MAX_STREAMS_PER_USER {
            return None;
        }
        *open += 1;
        Some(Slot {
            live: self.clone(),
            user: user.to_owned(),
        })
    }
}

/// One open stream of a user, counted while it lives.
struct Slot {
    live: Arc<Live>,
    user: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut streams) = self.live.streams.lock() {
            if let Some(open) = streams.get_mut(&self.user) {
                *open -= 1;
                if *open == 0 {
                    streams.remove(&self.user);
                }
            }
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stream))
}

#[derive(serde::Deserialize)]
struct StreamParams {
    cursor: Option<String>,
}

/// Server-sent events that say when something the caller may see has changed: first `ready` (with the newest
/// cursor), then a `change` (with the newest cursor) after each commit that brought the caller anything newer than
/// `cursor` (or than the moment the stream opened); a comment line every 15 s in between. The phone pulls
/// `/changes` on each. The stream ends after 15 minutes (open a new one). At most 4 streams per user (`429`).
#[utoipa::path(get, path = "/changes/stream", tag = "sync", operation_id = "change_stream", security(("bearer" = [])),
    params(
        ("cursor" = Option<String>, Query, description = "The phone's newest `next_cursor`: a change after it is told \
at once", pattern = "^(c[0-9]{1,18})?$"),
    ),
    responses(
        (status = 200, description = "An event stream (`text/event-stream`): `event: ready` / `event: change`, each with \
`data: {\"cursor\": \"c…\"}`", content_type = "text/event-stream", body = String,
         example = "event: ready\ndata: {\"cursor\":\"c1042\"}\n\nevent: change\ndata: {\"cursor\":\"c1043\"}\n\n"),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 422, response = Invalid),
        (status = 429, description = "Too many streams open for this user (`rate_limited`, with `Retry-After`)",
         body = crate::domain::ErrorBody),
    )
)]
async fn stream(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<StreamParams>,
) -> Result<Response> {
    let told = match params.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| Error::Invalid(serde_json::json!({"cursor": "unknown cursor"})))?,
        ),
    };
    let slot = state.live.take_slot(&user.id).ok_or(Error::RateLimited {
        retry_after: HEARTBEAT,
    })?;
    let (newer, newest) = newer_for(&state, &user, told.unwrap_or(i64::MAX)).await?;
    let watcher = Watcher {
        bump: state.live.bump.subscribe(),
        closing: state.live.closing.subscribe(),
        ends: tokio::time::Instant::now() + MAX_STREAM_LIFE,
        looked: tokio::time::Instant::now(),
        state,
        user,
        told: newest,
        _slot: slot,
    };
    let first = vec![
        Some(event("ready", newest)),
        newer.then(|| event("change", newest)),
    ];
    let events = futures_util::stream::iter(first.into_iter().flatten().map(Ok))
        .chain(futures_util::stream::unfold(watcher, Watcher::next));
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT))
        .into_response();
    // nginx passes the events on as they come rather than buffering the response.
    response.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    Ok(response)
}

fn event(kind: &str, cursor: i64) -> Event {
    Event::default()
        .event(kind)
        .data(format!("{{\"cursor\":\"{}\"}}", encode_cursor(cursor)))
}

/// One stream's watch: what it last told, and its user.
struct Watcher {
    bump: watch::Receiver<u64>,
    closing: watch::Receiver<bool>,
    ends: tokio::time::Instant,
    looked: tokio::time::Instant,
    state: AppState,
    user: User,
    told: i64,
    _slot: Slot,
}

impl Watcher {
    /// Waits for a commit that brought this user something newer than what was told; ends with the server, at the
    /// end of the stream's life, or on a failed look (the phone reconnects and pulls).
    async fn next(mut self) -> Option<(std::result::Result<Event, Infallible>, Watcher)> {
        loop {
            tokio::select! {
                changed = self.bump.changed() => changed.ok()?,
                _ = self.closing.wait_for(|c| *c) => return None,
                () = tokio::time::sleep_until(self.ends) => return None,
            }
            // Not sooner than LOOK_EVERY after the last look; what commits meanwhile is seen by this one.
            tokio::select! {
                () = tokio::time::sleep_until(self.looked + LOOK_EVERY) => {}
                _ = self.closing.wait_for(|c| *c) => return None,
            }
            self.bump.borrow_and_update();
            self.looked = tokio::time::Instant::now();
            let (newer, newest) = newer_for(&self.state, &self.user, self.told).await.ok()?;
            self.told = newest;
            if newer {
                return Some((Ok(event("change", newest)), self));
            }
        }
    }
}
