//! `PUT /checkins/{id}`: station staff confirm a rider's visit from the rider's pass, read at `scanned_at`,
//! possibly days later (the station was offline). Replays are no-ops; a rider counts once per station and window.
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use sqlx::SqlitePool;
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::CurrentUser;
use super::json::ApiJson;
use super::openapi::{Forbidden, Malformed, TooLarge, Unauthorized, UnsupportedMediaType};
use super::reports::next_change_seq;
use super::secret::sha256_hex;
use super::{AppState, Error, Result};
use crate::domain::pass::{self, step_of};
use crate::domain::report::{format_time, parse_time, MAX_CLOCK_AHEAD_SECS};
use crate::domain::{Checkin, CheckinSubmission, ErrorBody, Role};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(record))
}

fn invalid_pass(message: &'static str) -> Error {
    Error::Protocol {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "invalid_pass",
        message,
        details: None,
    }
}

/// The rider whose pass this is at `scanned_at`: by the id in a QR pass, or by trying every rider's code.
async fn rider_for_pass(db: &SqlitePool, text: &str, scanned_at: i64) -> Result<String> {
    let read = pass::read(text).ok_or_else(|| invalid_pass("无法识别的驿站码 (not a pass)"))?;
    let riders: Vec<(String, String)> = match &read.rider_id {
        Some(id) => {
            sqlx::query_as("SELECT id, pass_secret FROM users WHERE id = ? AND role = 'rider' AND revoked_at IS NULL")
                .bind(id)
                .fetch_all(db)
                .await?
        }
        None => {
            sqlx::query_as("SELECT id, pass_secret FROM users WHERE role = 'rider' AND revoked_at IS NULL")
                .fetch_all(db)
                .await?
        }
    };
    let matches: Vec<String> = riders
        .into_iter()
        .filter(|(_, secret)| {
            pass::secret_bytes(secret).is_some_and(|s| pass::verify(&s, &read.code, scanned_at))
        })
        .map(|(id, _)| id)
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(invalid_pass(
            "驿站码无效或已过期 (forged, expired, or not a rider's pass)",
        )),
        _ => Err(invalid_pass(
            "短码有重复，请扫描二维码 (the typed code matches several riders: scan the QR code)",
        )),
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
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, description = "This id holds a different check-in (`id_conflict`)", body = ErrorBody),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
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
    let scanned = parse_time(&body.scanned_at)
        .ok_or_else(|| Error::Invalid(serde_json::json!({"scanned_at": "not an RFC 3339 time"})))?;
    if (scanned - now).whole_seconds() > MAX_CLOCK_AHEAD_SECS {
        return Err(Error::Invalid(
            serde_json::json!({"scanned_at": "in the future"}),
        ));
    }
    let station: Option<(String,)> = sqlx::query_as("SELECT id FROM stations WHERE id = ?")
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
    let scanned_secs = scanned.unix_timestamp();
    let rider_id = rider_for_pass(&state.db, &body.rider_pass, scanned_secs).await?;
    let step = step_of(scanned_secs);

    let (_turn, mut tx) = state.begin_write().await?;
    let seq = next_change_seq(&mut tx).await?;
    let taken: Option<(String, String)> =
        sqlx::query_as("SELECT staff_id, fingerprint FROM checkins WHERE id = ?")
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
    if taken.is_some() {
        tx.rollback().await?;
        let existing = replay(&state.db, &id, &user.id, &fingerprint).await?;
        return existing
            .map(|c| (StatusCode::OK, Json(c)))
            .ok_or_else(conflict);
    }
    let first: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM checkins WHERE rider_id = ? AND station_id = ? AND scanned_step = ? AND same_visit_as IS NULL",
    )
    .bind(&rider_id)
    .bind(&body.station_id)
    .bind(step)
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query(
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
    .bind(first.map(|f| f.0))
    .bind(seq)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let checkin = load_checkin(&state.db, &id).await?.ok_or(Error::NotFound)?;
    Ok((StatusCode::CREATED, Json(checkin)))
}

fn conflict() -> Error {
    Error::Protocol {
        status: StatusCode::CONFLICT,
        code: "id_conflict",
        message: "此编号已用于另一次签到 (this check-in id is taken by different content)",
        details: None,
    }
}

/// The stored check-in when `id` was already recorded by this user with this content; `409` when the id is
/// taken otherwise; `None` when it is new.
async fn replay(
    db: &SqlitePool,
    id: &str,
    staff_id: &str,
    fingerprint: &str,
) -> Result<Option<Checkin>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT staff_id, fingerprint FROM checkins WHERE id = ?")
            .bind(id)
            .fetch_optional(db)
            .await?;
    match row {
        None => Ok(None),
        Some((staff, fp)) if staff == staff_id && fp == fingerprint => load_checkin(db, id).await,
        Some(_) => Err(conflict()),
    }
}

pub async fn load_checkin(db: &SqlitePool, id: &str) -> Result<Option<Checkin>> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
    );
    let row: Option<Row> = sqlx::query_as(
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
