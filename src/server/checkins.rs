//! `PUT /checkins/{id}`: station staff confirm a rider's visit from the rider's pass, read at `scanned_at`,
//! possibly days later (the station was offline). Replays are no-ops; one pass code is one visit, wherever it is
//! shown (a second scan at the same station is the same visit; at another station it is refused).
use crate::domain::api_error::code;
use crate::server::db::{self, Db};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::CurrentUser;
use super::changes::next_change_seq;
use super::idempotent::is_replay;
use super::json::ApiJson;
use super::openapi::{BodyRefusals, Forbidden};
use super::passes::{self, Matched, Refusal};
use super::secret::sha256_hex;
use super::{AppState, Error, Result};
use crate::domain::report::MAX_CLOCK_AHEAD_SECS;
use crate::domain::timestamp::{format_time, parse_time};
use crate::domain::{Checkin, CheckinSubmission, ErrorBody, Role, User};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(record))
}

/// How old a scan may be when it reaches the server (a station offline for days still gets its visits in).
const MAX_CHECKIN_AGE: time::Duration = time::Duration::days(7);

fn invalid_pass(message: &'static str) -> Error {
    Error::Protocol {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: code::INVALID_PASS,
        message,
        details: None,
    }
}

/// Station staff confirm a rider's visit from the rider's pass, read at `scanned_at` (possibly days before this
/// request: the station may have been offline). The id is unique forever; a rider counts once per station and window.
#[utoipa::path(put, path = "/checkins/{id}", tag = "checkins", operation_id = "record_checkin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The check-in's id, a UUID made on the staff phone", format = "uuid")),
    request_body(content = CheckinSubmission, example = json!({
        "station_id": "demo-station-01", "rider_pass": "SSP1:0193a1b2-0000-7000-8000-000000000001:12345678",
        "scanned_at": "2026-11-26T08:00:00.000Z"})),
    responses(
        (status = 201, description = "Confirmed", body = Checkin),
        (status = 200, description = "A replay, or a second scan of the same visit (`same_visit_as`)", body = Checkin),
        BodyRefusals,
        (status = 403, response = Forbidden),
        (status = 409, description = "This id holds a different check-in (`id_conflict`)", body = ErrorBody),
        (status = 422, description = "Invalid fields (`invalid_input`) or a forged, expired or ambiguous pass (`invalid_pass`)",
         body = ErrorBody,
         example = json!({"error": {"code": "invalid_pass", "message": "驿站码无效或已过期 (forged, expired, or not a rider's pass)"}})),
    )
)]
async fn record(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CheckinSubmission>,
) -> Result<(StatusCode, Json<Checkin>)> {
    if !matches!(user.role, Role::StationStaff | Role::Admin) {
        return Err(Error::Forbidden);
    }
    if user.role == Role::StationStaff
        && user.station_id.as_deref() != Some(body.station_id.as_str())
    {
        return Err(Error::Forbidden);
    }
    if uuid::Uuid::parse_str(&id).is_err() || id.len() != 36 {
        return Err(Error::Invalid(
            serde_json::json!({"id": "a check-in id is a UUID"}),
        ));
    }
    let now = OffsetDateTime::now_utc();
    let scanned = scan_time(&body, now)?;
    let station: Option<(String,)> = db::query_as("SELECT id FROM stations WHERE id = ?")
        .bind(&body.station_id)
        .fetch_optional(&state.db)
        .await?;
    station.ok_or_else(|| Error::Invalid(serde_json::json!({"station_id": "unknown station"})))?;
    let canonical = CheckinSubmission {
        scanned_at: format_time(scanned),
        ..body.clone()
    };
    let fingerprint = sha256_hex(
        serde_json::to_string(&canonical)
            .map_err(anyhow::Error::from)?
            .as_bytes(),
    );

    if let Some(existing) = replay(&state.db, &id, &user.id, &fingerprint).await? {
        return Ok((StatusCode::OK, Json(existing)));
    }
    let Matched { rider_id, step } = rider_of(
        &state,
        &user,
        &body.station_id,
        &body.rider_pass,
        scanned,
        now,
    )
    .await?;

    let (_turn, mut tx) = state.begin_write().await?;
    let seq = next_change_seq(&mut tx).await?;
    // Another request with this id may have committed since the check above.
    let taken = db::query_as("SELECT staff_id, fingerprint FROM checkins WHERE id = ?")
        .bind(&id)
        .fetch_optional(&mut tx)
        .await?;
    if is_replay(taken, &user.id, &fingerprint, CHECKIN_ID_TAKEN)? {
        tx.rollback().await?;
        let existing = load_checkin(&state.db, &id).await?.ok_or(Error::NotFound)?;
        return Ok((StatusCode::OK, Json(existing)));
    }
    // One code, one visit: a second scan at this station is the same visit; at another, the code is spent.
    let first: Option<(String, String)> = db::query_as(
        "SELECT id, station_id FROM checkins WHERE rider_id = ? AND scanned_step = ? AND same_visit_as IS NULL",
    )
    .bind(&rider_id)
    .bind(step)
    .fetch_optional(&mut tx)
    .await?;
    let first = match first {
        Some((_, station)) if station != body.station_id => {
            tx.rollback().await?;
            return Err(invalid_pass(
                "此驿站码已在其他驿站使用 (this pass code was already used at another station)",
            ));
        }
        first => first.map(|(id, _)| id),
    };
    db::query(
        "INSERT INTO checkins (id, station_id, rider_id, staff_id, fingerprint, scanned_at, scanned_step, received_at,
                               same_visit_as, change_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&body.station_id)
    .bind(&rider_id)
    .bind(&user.id)
    .bind(&fingerprint)
    .bind(&canonical.scanned_at)
    .bind(step)
    .bind(format_time(now))
    .bind(first)
    .bind(seq)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    let checkin = load_checkin(&state.db, &id).await?.ok_or(Error::NotFound)?;
    Ok((StatusCode::CREATED, Json(checkin)))
}

/// When the pass was read: an RFC 3339 time, not ahead of the server's clock (beyond its allowance), at most 7
/// days ago.
fn scan_time(body: &CheckinSubmission, now: OffsetDateTime) -> Result<OffsetDateTime> {
    let scanned = parse_time(&body.scanned_at)
        .ok_or_else(|| Error::Invalid(serde_json::json!({"scanned_at": "not an RFC 3339 time"})))?;
    if (scanned - now).whole_seconds() > MAX_CLOCK_AHEAD_SECS {
        return Err(Error::invalid("scanned_at", "in the future"));
    }
    if now - scanned > MAX_CHECKIN_AGE {
        return Err(Error::invalid(
            "scanned_at",
            "签到超过 7 天，不再受理 (older than 7 days)",
        ));
    }
    Ok(scanned)
}

/// The rider whose pass (`rider_pass`, read at the staff's `station_id`) was read at `scanned`, within the staff's
/// budget of failed passes (a failure counts against it). Check-ins and concerns raised at the counter.
pub(super) async fn rider_of(
    state: &AppState,
    user: &User,
    station_id: &str,
    rider_pass: &str,
    scanned: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Matched> {
    let now_secs = now.unix_timestamp();
    passes::check_failure_budget(&state.db, &user.id, now_secs).await?;
    let typed = !rider_pass
        .trim()
        .starts_with(crate::domain::pass::QR_PREFIX);
    match passes::match_pass(state, rider_pass, scanned.unix_timestamp(), now_secs).await? {
        Ok(matched) => Ok(matched),
        Err(Refusal::Failed(message)) => {
            passes::record_failure(state, &user.id, station_id, typed).await?;
            Err(invalid_pass(message))
        }
        Err(Refusal::TypedTooLate) => Err(invalid_pass(
            "手输的驿站码只能在联网时确认，请扫描二维码 (a typed code is confirmed only online: scan the QR code)",
        )),
        Err(Refusal::Ambiguous) => Err(invalid_pass(
            "短码有重复，请扫描二维码 (the typed code matches several riders: scan the QR code)",
        )),
    }
}

const CHECKIN_ID_TAKEN: &str =
    "此编号已用于另一次签到 (this check-in id is taken by different content)";

/// The stored check-in when `id` was already recorded by this user with this content; `409` when the id is
/// taken otherwise; `None` when it is new.
async fn replay(db: &Db, id: &str, staff_id: &str, fingerprint: &str) -> Result<Option<Checkin>> {
    let stored = db::query_as("SELECT staff_id, fingerprint FROM checkins WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await?;
    if is_replay(stored, staff_id, fingerprint, CHECKIN_ID_TAKEN)? {
        load_checkin(db, id).await
    } else {
        Ok(None)
    }
}

pub async fn load_checkin(db: &Db, id: &str) -> Result<Option<Checkin>> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
    );
    let row: Option<Row> = db::query_as(
        "SELECT c.id, c.station_id, c.rider_id, u.name, c.scanned_at, c.received_at, c.same_visit_as
         FROM checkins c JOIN users u ON u.id = c.rider_id WHERE c.id = ?",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(
        |(id, station_id, rider_id, rider_name, scanned_at, received_at, same_visit_as)| Checkin {
            id,
            station_id,
            rider_id,
            rider_name,
            scanned_at,
            received_at,
            version: 1,
            same_visit_as,
        },
    ))
}
