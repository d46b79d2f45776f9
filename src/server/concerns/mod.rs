//! Riders' concerns (困难诉求, 金点子): `PUT /concerns/{id}` raises one — by the rider from the phone, or by station
//! staff at the counter on the rider's behalf (the rider named by their pass, as at check-in) — idempotently by
//! the phone's id; `GET /concerns/{id}` shows one to its rider, its station's staff and admins;
//! `GET /concern-topics` lists the topics. Staff act on them in [`actions`].
use crate::server::db::{self, Db};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::json;
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::CurrentUser;
use super::changes::next_change_seq;
use super::checkins::rider_of;
use super::idempotent::{check_id, fingerprint, is_replay};
use super::json::ApiJson;
use super::openapi::{BodyRefusals, Forbidden, Malformed, NotFound, Unauthorized};
use super::reports::not_uploaded_by;
use super::{AppState, Error, Result};
use crate::domain::concern::{
    Concern, ConcernKind, ConcernStatus, ConcernStep, ConcernSubmission, ConcernTopic,
};
use crate::domain::timestamp::format_time;
use crate::domain::verdict::Verdict;
use crate::domain::{ErrorBody, Role, User};

mod actions;
pub mod figures;
mod verdicts;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(raise))
        .routes(routes!(fetch))
        .routes(routes!(topics))
        .merge(actions::router())
        .merge(figures::router())
        .merge(verdicts::router())
}

const CONCERN_ID_TAKEN: &str = "此编号已用于另一条诉求 (this concern id holds a different concern)";

/// The topics concerns are filed under, in the district's order (retired ones left out).
pub async fn list_topics(db: &Db) -> Result<Vec<ConcernTopic>> {
    Ok(db::query_as::<(String, String, String)>(
        "SELECT code, name_zh, name_en FROM concern_topics WHERE retired_at IS NULL ORDER BY position, code",
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|(code, name_zh, name_en)| ConcernTopic {
        code,
        name_zh,
        name_en,
    })
    .collect())
}

/// What a concern may be filed under: 小区进门难, 充电, 停车 …
#[utoipa::path(get, path = "/concern-topics", tag = "concerns", operation_id = "concern_topics", security(("bearer" = [])),
    responses(
        (status = 200, description = "The topics, in the district's order", body = Vec<ConcernTopic>),
        (status = 401, response = Unauthorized),
    )
)]
async fn topics(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<ConcernTopic>>> {
    Ok(Json(list_topics(&state.db).await?))
}

#[derive(sqlx::FromRow)]
struct ConcernRow {
    id: String,
    kind: String,
    topic: String,
    text: String,
    station_id: String,
    photos: String,
    lat: Option<f64>,
    lon: Option<f64>,
    version: i64,
    status: String,
    rider_name: String,
    at_counter: bool,
    received_at: String,
    updated_at: String,
    reply_deadline: String,
    replied_at: Option<String>,
    timeline: String,
    task_id: Option<String>,
    department_id: Option<String>,
    points_awarded: i64,
    verdict: Option<String>,
    reopened: bool,
}

const SELECT_CONCERNS: &str = "
    SELECT c.id, c.kind, c.topic, c.text, c.station_id, c.photos, c.lat, c.lon, c.version, c.status,
           u.name AS rider_name, c.raised_by <> c.rider_id AS at_counter, c.received_at, c.updated_at,
           c.reply_deadline, c.replied_at, c.timeline, c.task_id, c.department_id, c.points_awarded,
           (SELECT v.verdict FROM concern_verdicts v
            WHERE v.concern_id = c.id AND v.resolution = c.reopened + 1) AS verdict, c.reopened > 0 AS reopened
    FROM concerns c JOIN users u ON u.id = c.rider_id";

impl TryFrom<ConcernRow> for Concern {
    type Error = Error;

    fn try_from(row: ConcernRow) -> Result<Concern> {
        let broken = |what: &str| Error::Internal(anyhow::anyhow!("{what} of concern {}", row.id));
        Ok(Concern {
            kind: ConcernKind::from_code(&row.kind).ok_or_else(|| broken("kind"))?,
            status: ConcernStatus::from_code(&row.status).ok_or_else(|| broken("status"))?,
            photos: serde_json::from_str(&row.photos).map_err(|_| broken("photos"))?,
            timeline: serde_json::from_str(&row.timeline).map_err(|_| broken("timeline"))?,
            id: row.id,
            topic: row.topic,
            text: row.text,
            station_id: row.station_id,
            lat: row.lat,
            lon: row.lon,
            version: row.version,
            rider_name: row.rider_name,
            at_counter: row.at_counter,
            received_at: row.received_at,
            updated_at: row.updated_at,
            reply_deadline: row.reply_deadline,
            replied_at: row.replied_at,
            task_id: row.task_id,
            department_id: row.department_id,
            points_awarded: row.points_awarded,
            verdict: row.verdict.as_deref().and_then(Verdict::from_code),
            reopened: row.reopened,
        })
    }
}

/// A concern as the protocol shows it (no visibility check: callers decide who may see it).
pub async fn load_concern(db: &Db, id: &str) -> Result<Option<Concern>> {
    let row: Option<ConcernRow> = db::query_as(format!("{SELECT_CONCERNS} WHERE c.id = ?"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(Concern::try_from).transpose()
}

/// Who a concern belongs to: its rider, its station, and the department it was forwarded to (if any).
#[derive(sqlx::FromRow)]
struct Owners {
    rider_id: String,
    station_id: String,
    department_id: Option<String>,
}

/// Whether `user` may see a concern: its rider, the station's staff, the staff of the department it was forwarded
/// to, admins.
fn may_see(user: &User, owners: &Owners) -> bool {
    match user.role {
        Role::Admin => true,
        Role::StationStaff => user.station_id.as_deref() == Some(owners.station_id.as_str()),
        Role::DepartmentStaff if owners.department_id.is_some() => {
            user.department_id == owners.department_id
        }
        _ => user.id == owners.rider_id,
    }
}

/// A concern and what became of it: to its rider, to the staff of its station (and of the department it was
/// forwarded to) and to admins.
#[utoipa::path(get, path = "/concerns/{id}", tag = "concerns", operation_id = "get_concern", security(("bearer" = [])),
    params(("id" = String, Path, description = "The concern's id")),
    responses(
        (status = 200, description = "The concern, its replies and its status", body = Concern),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn fetch(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Concern>> {
    let owners: Option<Owners> =
        db::query_as("SELECT rider_id, station_id, department_id FROM concerns WHERE id = ?")
            .bind(&id)
            .fetch_optional(&state.db)
            .await?;
    match owners {
        Some(owners) if may_see(&user, &owners) => Ok(Json(
            load_concern(&state.db, &id).await?.ok_or(Error::NotFound)?,
        )),
        _ => Err(Error::NotFound),
    }
}

/// Who raises a concern: the rider themselves, or — at the counter — the staff of its station (admins anywhere)
/// with the rider's pass. `true`: at the counter.
fn raised_at_counter(user: &User, body: &ConcernSubmission) -> Result<bool> {
    let has_pass = body
        .rider_pass
        .as_deref()
        .is_some_and(|p| !p.trim().is_empty());
    match user.role {
        Role::Rider if body.rider_pass.is_some() => Err(Error::invalid(
            "rider_pass",
            "骑手本人提交无需驿站码 (a rider raises their own concern without a pass)",
        )),
        Role::Rider => Ok(false),
        Role::StationStaff if user.station_id.as_deref() != Some(body.station_id.as_str()) => {
            Err(Error::Forbidden)
        }
        Role::StationStaff | Role::Admin if has_pass => Ok(true),
        Role::StationStaff | Role::Admin => Err(Error::invalid(
            "rider_pass",
            "请扫描骑手的驿站码 (the rider's pass is required at the counter)",
        )),
        _ => Err(Error::Forbidden),
    }
}

/// A rider's difficulty or suggestion, for the station it names (its staff answer it). Idempotent by the phone's
/// id, like reports: it waits in the phone's outbox until it is delivered.
#[utoipa::path(put, path = "/concerns/{id}", tag = "concerns", operation_id = "raise_concern", security(("bearer" = [])),
    params(("id" = String, Path, description = "The concern's id, a UUID made on the phone", format = "uuid")),
    request_body(content = ConcernSubmission, example = json!({"kind": "difficulty", "topic": "entry",
        "text": "锦绣花园小区不让外卖骑手进门，只能在门口等", "station_id": "demo-station-01"})),
    responses(
        (status = 201, description = "Received: the concern as the station sees it", body = Concern),
        (status = 200, description = "A replay: this concern was received already", body = Concern),
        BodyRefusals,
        (status = 403, response = Forbidden),
        (status = 409, description = "This id holds a different concern (`id_conflict`)", body = ErrorBody),
        (status = 422, description = "Invalid fields (`invalid_input`), photos not uploaded (`photo_missing`), or \
a rider's pass that is forged or expired (`invalid_pass`)", body = ErrorBody),
    )
)]
async fn raise(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ConcernSubmission>,
) -> Result<(StatusCode, Json<Concern>)> {
    let at_counter = raised_at_counter(&user, &body)?;
    check_id(&id, "a concern id is a UUID")?;
    let topics = list_topics(&state.db).await?;
    body.validate(|t| topics.iter().any(|topic| topic.code == t))
        .map_err(|e| Error::Invalid(json!(e)))?;
    let station: Option<(bool,)> =
        db::query_as("SELECT TRUE FROM stations WHERE id = ? AND retired_at IS NULL")
            .bind(&body.station_id)
            .fetch_optional(&state.db)
            .await?;
    station.ok_or_else(|| Error::invalid("station_id", "unknown station"))?;
    let fingerprint = fingerprint(&body)?;
    let stored = db::query_as("SELECT raised_by, fingerprint FROM concerns WHERE id = ?")
        .bind(&id)
        .fetch_optional(&state.db)
        .await?;
    // A replay answers before the pass is read again: it may have expired since.
    if is_replay(stored, &user.id, &fingerprint, CONCERN_ID_TAKEN)? {
        let concern = load_concern(&state.db, &id).await?.ok_or(Error::NotFound)?;
        return Ok((StatusCode::OK, Json(concern)));
    }
    let now = OffsetDateTime::now_utc();
    let rider_id = match body.rider_pass.as_deref().filter(|_| at_counter) {
        Some(pass) => {
            rider_of(&state, &user, &body.station_id, pass, now, now)
                .await?
                .rider_id
        }
        None => user.id.clone(),
    };
    let (_turn, mut tx) = state.begin_write().await?;
    let seq = next_change_seq(&mut tx).await?;
    let taken = db::query_as("SELECT raised_by, fingerprint FROM concerns WHERE id = ?")
        .bind(&id)
        .fetch_optional(&mut tx)
        .await?;
    if is_replay(taken, &user.id, &fingerprint, CONCERN_ID_TAKEN)? {
        tx.rollback().await?;
        let concern = load_concern(&state.db, &id).await?.ok_or(Error::NotFound)?;
        return Ok((StatusCode::OK, Json(concern)));
    }
    let missing = not_uploaded_by(&mut tx, &user.id, &body.photos).await?;
    if !missing.is_empty() {
        return Err(Error::photo_missing(&missing));
    }
    let at = format_time(now);
    let first = ConcernStep {
        at: at.clone(),
        status: ConcernStatus::Received,
        kind: None,
        text: None,
        by: at_counter.then(|| user.name.clone()),
        to: None,
        action: None,
    };
    db::query(
        "INSERT INTO concerns (id, rider_id, raised_by, fingerprint, kind, topic, text, station_id, photos, lat, lon,
                               status, version, received_at, updated_at, reply_deadline, timeline, change_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', 1, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&rider_id)
    .bind(&user.id)
    .bind(&fingerprint)
    .bind(body.kind.code())
    .bind(&body.topic)
    .bind(body.text.trim())
    .bind(&body.station_id)
    .bind(json!(body.photos).to_string())
    .bind(body.lat)
    .bind(body.lon)
    .bind(&at)
    .bind(&at)
    .bind(format_time(now + state.config.concern_reply))
    .bind(json!([first]).to_string())
    .bind(seq)
    .execute(&mut tx)
    .await?;
    for sha in &body.photos {
        db::query("INSERT INTO concern_photos (concern_id, sha256) VALUES (?, ?)")
            .bind(&id)
            .bind(sha)
            .execute(&mut tx)
            .await?;
    }
    tx.commit().await?;
    tracing::info!(concern = %id, station = %body.station_id, at_counter, "concern received");
    let concern = load_concern(&state.db, &id).await?.ok_or(Error::NotFound)?;
    Ok((StatusCode::CREATED, Json(concern)))
}
