//! Riders' station passes as the server checks them: whose pass a code is and which step it belongs to, a failure
//! budget per staff account (so codes cannot be guessed), and an index of the current typed codes (so a typed
//! guess costs a hash-map lookup, not a hash of every rider's secret).
//!
//! The arithmetic (also in the README): a typed code has 10^8 values and is accepted for 2 steps (the code on
//! screen and the one just replaced), so with N riders one guess hits someone with probability 2N / 10^8. A staff
//! account may fail [`MAX_FAILURES_PER_HOUR`] times an hour and [`MAX_FAILURES_PER_DAY`] times a day, then it is
//! refused (`429`) and every failure stays on record for the admin.
use crate::server::db::{self, Db};
use std::collections::HashMap;

use time::OffsetDateTime;
use tokio::sync::Mutex;

use super::{AppState, Error, Result};
use crate::domain::pass::{self, step_of, ReadPass, STEP_SECS, TOLERANCE_STEPS, TYPED_STEPS};

/// Failed passes a staff account may send in an hour, and in a day.
pub const MAX_FAILURES_PER_HOUR: i64 = 5;
pub const MAX_FAILURES_PER_DAY: i64 = 20;
/// A typed code is checked against the server's clock; `scanned_at` may lag it this much (a slow network).
const TYPED_MAX_LAG_SECS: i64 = 60;

/// A pass that was accepted: whose it is and the step its code belongs to.
pub struct Matched {
    pub rider_id: String,
    pub step: i64,
}

/// Why a pass was refused: a guess-like failure counts against the staff account; the rest do not.
pub enum Refusal {
    /// Not a pass, not this rider's, or not of its time: counted.
    Failed(&'static str),
    /// A typed code sent too late to check (the station was offline): scan the QR code instead. Not counted.
    TypedTooLate,
    /// Several riders have this typed code now: scan the QR code. Not counted.
    Ambiguous,
}

/// The typed codes of every active rider for the steps around the server's clock, rebuilt when the step moves on or
/// the roster changes.
#[derive(Default)]
pub struct TypedPassIndex {
    built: Mutex<Option<Built>>,
}

struct Built {
    step: i64,
    roster: Roster,
    codes: HashMap<String, Vec<(String, i64)>>,
}

/// What changes when riders are added or revoked.
#[derive(PartialEq, Eq, Clone, Copy, sqlx::FromRow)]
struct Roster {
    riders: i64,
    newest: i64,
    last_revoked: i64,
}

impl TypedPassIndex {
    /// Riders (with the code's step) whose code at the server's `now` is `code`.
    async fn lookup(&self, db: &Db, code: &str, now: i64) -> Result<Vec<(String, i64)>> {
        let step = step_of(now);
        let roster: Roster = db::query_as(
            "SELECT count(*) AS riders, coalesce(max(created_at), 0) AS newest,
                    coalesce((SELECT max(revoked_at) FROM users WHERE role = 'rider'), 0) AS last_revoked
             FROM users WHERE role = 'rider' AND revoked_at IS NULL",
        )
        .fetch_one(db)
        .await?;
        let mut built = self.built.lock().await;
        if !built
            .as_ref()
            .is_some_and(|b| b.step == step && b.roster == roster)
        {
            let riders: Vec<(String, String)> = db::query_as(
                "SELECT id, pass_secret FROM users WHERE role = 'rider' AND revoked_at IS NULL",
            )
            .fetch_all(db)
            .await?;
            let mut codes: HashMap<String, Vec<(String, i64)>> = HashMap::new();
            for (id, secret) in riders {
                let Some(secret) = pass::secret_bytes(&secret) else {
                    continue;
                };
                for s in TYPED_STEPS.map(|d| step + d) {
                    if let Some(c) = pass::code_of_step(&secret, s) {
                        codes.entry(c).or_default().push((id.clone(), s));
                    }
                }
            }
            *built = Some(Built {
                step,
                roster,
                codes,
            });
        }
        Ok(built
            .as_ref()
            .and_then(|b| b.codes.get(code).cloned())
            .unwrap_or_default())
    }
}

/// Whose pass `text` is, read at `scanned_at`. A QR pass names its rider: that rider's code at `scanned_at` (±1 step),
/// possibly days ago. A typed code names nobody: it is checked against the server's clock only.
pub async fn match_pass(
    state: &AppState,
    text: &str,
    scanned_at: i64,
    now: i64,
) -> Result<std::result::Result<Matched, Refusal>> {
    let Some(ReadPass { rider_id, code }) = pass::read(text) else {
        return Ok(Err(Refusal::Failed("无法识别的驿站码 (not a pass)")));
    };
    let expired = "驿站码无效或已过期 (forged, expired, or not a rider's pass)";
    let Some(rider_id) = rider_id else {
        if now - scanned_at > TYPED_MAX_LAG_SECS {
            return Ok(Err(Refusal::TypedTooLate));
        }
        let found = state.typed_passes.lookup(&state.db, &code, now).await?;
        return Ok(match found.as_slice() {
            [] => Err(Refusal::Failed(expired)),
            [(rider_id, step)] => Ok(Matched {
                rider_id: rider_id.clone(),
                step: *step,
            }),
            _ => Err(Refusal::Ambiguous),
        });
    };
    let rider: Option<(String, i64)> = db::query_as(
        "SELECT pass_secret, created_at FROM users WHERE id = ? AND role = 'rider' AND revoked_at IS NULL",
    )
    .bind(&rider_id)
    .fetch_optional(&state.db)
    .await?;
    let step = rider
        // No visit before the rider existed (a pass is made at enrollment).
        .filter(|(_, created)| scanned_at + STEP_SECS >= *created)
        .and_then(|(secret, _)| pass::secret_bytes(&secret))
        .and_then(|secret| {
            pass::matching_step(
                &secret,
                &code,
                scanned_at,
                -TOLERANCE_STEPS..=TOLERANCE_STEPS,
            )
        });
    Ok(match step {
        Some(step) => Ok(Matched { rider_id, step }),
        None => Err(Refusal::Failed(expired)),
    })
}

/// `429` once this staff account has failed too often: guessing stops here, before any pass is checked.
pub async fn check_failure_budget(db: &Db, staff_id: &str, now: i64) -> Result<()> {
    let (hour, day): (i64, i64) = db::query_as(
        "SELECT coalesce(count(*) FILTER (WHERE at > ?2), 0), count(*) FROM pass_failures WHERE staff_id = ?1 AND at > ?3",
    )
    .bind(staff_id)
    .bind(now - 3600)
    .bind(now - 86_400)
    .fetch_one(db)
    .await?;
    let wait = if day >= MAX_FAILURES_PER_DAY {
        oldest_within(db, staff_id, now - 86_400).await? + 86_400 - now
    } else if hour >= MAX_FAILURES_PER_HOUR {
        oldest_within(db, staff_id, now - 3600).await? + 3600 - now
    } else {
        return Ok(());
    };
    Err(Error::RateLimited {
        retry_after: std::time::Duration::from_secs(wait.max(1) as u64),
    })
}

async fn oldest_within(db: &Db, staff_id: &str, since: i64) -> Result<i64> {
    let (oldest,): (Option<i64>,) =
        db::query_as("SELECT min(at) FROM pass_failures WHERE staff_id = ? AND at > ?")
            .bind(staff_id)
            .bind(since)
            .fetch_one(db)
            .await?;
    Ok(oldest.unwrap_or(since))
}

/// Keeps a failed pass on record: it counts against the account, and the admin can see who failed where.
pub async fn record_failure(
    state: &AppState,
    staff_id: &str,
    station_id: &str,
    typed: bool,
) -> Result<()> {
    let (_turn, mut tx) = state.begin_write().await?;
    db::query("INSERT INTO pass_failures (staff_id, station_id, at, typed) VALUES (?, ?, ?, ?)")
        .bind(staff_id)
        .bind(station_id)
        .bind(OffsetDateTime::now_utc().unix_timestamp())
        .bind(typed)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    tracing::warn!(staff = %staff_id, station = %station_id, typed, "pass refused");
    Ok(())
}
