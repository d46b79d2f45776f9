//! `PUT /concern-actions/{id}`: the staff of a concern's station (and admins) accept it, answer it, forward it to a
//! department or to a grid — where it becomes a task, linked both ways — resolve a difficulty, and adopt (新星奖
//! points for the rider, once) or decline a suggestion. Each action applies once (a replay of its id is a `200`),
//! against the version it was made on (else `409 version_conflict` with the concern as it now is) — except a
//! reply, which goes through whatever happened meanwhile — and only where `domain::concern` allows it (else `422`).
use crate::server::db::{self, Tx};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::json;
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::load_concern;
use crate::domain::api_error::code;
use crate::domain::concern::{
    Concern, ConcernAction, ConcernActionError, ConcernActionKind, ConcernKind, ConcernStatus,
    ConcernStep, ADOPTED_POINTS,
};
use crate::domain::timestamp::format_time;
use crate::domain::{ErrorBody, ReportStatus, ReportSubmission, Role, TimelineEntry, User};
use crate::server::auth::CurrentUser;
use crate::server::changes::next_change_seq;
use crate::server::district::categories::deadlines_for;
use crate::server::idempotent::{check_id, fingerprint, is_replay};
use crate::server::json::ApiJson;
use crate::server::openapi::{BodyRefusals, Forbidden, NotFound};
use crate::server::secret::sha256_hex;
use crate::server::{AppState, Error, Result};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(act))
}

const ACTION_ID_TAKEN: &str = "此编号已用于另一项操作 (this action id holds a different action)";
/// The 清单's category of a task made from a concern when the staff name none.
const DEFAULT_TASK_CATEGORY: &str = "other";

/// The concern as an action needs it.
#[derive(sqlx::FromRow)]
struct Current {
    rider_id: String,
    kind: String,
    status: String,
    version: i64,
    station_id: String,
    text: String,
    photos: String,
    lat: Option<f64>,
    lon: Option<f64>,
    received_at: String,
    timeline: String,
    department_id: Option<String>,
}

/// An action of the staff of the concern's station (admins: any station; the department it was forwarded to: answers
/// and resolving), made against the version they saw.
#[utoipa::path(put, path = "/concern-actions/{id}", tag = "concerns", operation_id = "act_on_concern", security(("bearer" = [])),
    params(("id" = String, Path, description = "The action's id, a UUID made on the staff's phone", format = "uuid")),
    request_body(content = ConcernAction, example = json!({
        "concern_id": "0193a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b", "kind": "reply",
        "text": "已联系锦绣花园物业，明天起骑手可登记进门", "expected_version": 1})),
    responses(
        (status = 201, description = "Applied: the concern as it now is", body = Concern),
        (status = 200, description = "A replay of the same action: nothing changed", body = Concern),
        BodyRefusals,
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, description = "The concern changed since `expected_version` (`version_conflict`, the current \
Concern in `details`; never for a `reply`), or this id holds a different action (`id_conflict`)", body = ErrorBody),
        (status = 422, description = "Not allowed in the concern's status or for its kind (`action_not_allowed`), or \
missing fields, an unknown department, grid or category (`invalid_input`)", body = ErrorBody),
    )
)]
async fn act(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ApiJson(action): ApiJson<ConcernAction>,
) -> Result<(StatusCode, Json<Concern>)> {
    if !matches!(
        user.role,
        Role::StationStaff | Role::Admin | Role::DepartmentStaff
    ) {
        return Err(Error::Forbidden);
    }
    check_id(&id, "an action id is a UUID")?;
    let errors = action.validate();
    if !errors.is_empty() {
        return Err(Error::Invalid(json!(errors)));
    }
    let fingerprint = fingerprint(&action)?;
    let now = OffsetDateTime::now_utc();
    let (_turn, mut tx) = state.begin_write().await?;
    let seq = next_change_seq(&mut tx).await?;
    let stored = db::query_as("SELECT actor_id, fingerprint FROM concern_actions WHERE id = ?")
        .bind(&id)
        .fetch_optional(&mut tx)
        .await?;
    if is_replay(stored, &user.id, &fingerprint, ACTION_ID_TAKEN)? {
        tx.rollback().await?;
        let concern = load_concern(&state.db, &action.concern_id)
            .await?
            .ok_or(Error::NotFound)?;
        return Ok((StatusCode::OK, Json(concern)));
    }
    let current: Current = db::query_as(
        "SELECT rider_id, kind, status, version, station_id, text, photos, lat, lon, received_at, timeline,
                department_id
         FROM concerns WHERE id = ?",
    )
    .bind(&action.concern_id)
    .fetch_optional(&mut tx)
    .await?
    .ok_or(Error::NotFound)?;
    if !may_act(&user, &action, &current) {
        return Err(Error::Forbidden);
    }
    if action.kind.needs_version() && action.expected_version != current.version {
        tx.rollback().await?;
        let now_is = load_concern(&state.db, &action.concern_id).await?;
        return Err(Error::Protocol {
            status: StatusCode::CONFLICT,
            code: code::VERSION_CONFLICT,
            message: "诉求已被更新，请查看最新状态后重新操作 (the concern changed; redo the action on its current version)",
            details: Some(json!({ "current": now_is })),
        });
    }
    let kind = ConcernKind::from_code(&current.kind)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("kind of concern {}", action.concern_id)))?;
    let status = ConcernStatus::from_code(&current.status).ok_or_else(|| {
        Error::Internal(anyhow::anyhow!("status of concern {}", action.concern_id))
    })?;
    let after = action
        .outcome(kind, status)
        .map_err(|e| refused(e, status))?;
    let applying = Applying {
        id: &id,
        action: &action,
        current: &current,
        after,
        fingerprint: &fingerprint,
        seq,
        now,
    };
    let task_id = apply(&mut tx, &state, &user, applying).await?;
    tx.commit().await?;
    tracing::info!(concern = %action.concern_id, kind = action.kind.code(), task = ?task_id, "concern action applied");
    let concern = load_concern(&state.db, &action.concern_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((StatusCode::CREATED, Json(concern)))
}

/// Who may act on a concern: admins; the staff of its station; the staff of the department it was forwarded to,
/// who answer it and — a difficulty dealt with — resolve it (accepting, forwarding on and judging suggestions stay
/// with the station).
fn may_act(user: &User, action: &ConcernAction, current: &Current) -> bool {
    match user.role {
        Role::Admin => true,
        Role::StationStaff => user.station_id.as_deref() == Some(current.station_id.as_str()),
        Role::DepartmentStaff => {
            current.department_id.is_some()
                && user.department_id == current.department_id
                && matches!(
                    action.kind,
                    ConcernActionKind::Reply | ConcernActionKind::Resolve
                )
        }
        _ => false,
    }
}

/// An action that may apply, and what it applies to.
struct Applying<'a> {
    id: &'a str,
    action: &'a ConcernAction,
    current: &'a Current,
    after: ConcernStatus,
    fingerprint: &'a str,
    seq: i64,
    now: OffsetDateTime,
}

/// Applies an allowed action: its step in the timeline (with whom it was forwarded to), the task it makes, the
/// points it earns, the concern's new status and version, and the action's id. Returns the task made, if any.
async fn apply(
    tx: &mut Tx,
    state: &AppState,
    user: &User,
    a: Applying<'_>,
) -> Result<Option<String>> {
    let (action, current, after, now, seq) = (a.action, a.current, a.after, a.now, a.seq);
    let at = format_time(now);
    let mut step = ConcernStep {
        at: at.clone(),
        status: after,
        kind: Some(action.kind),
        text: action.text.as_deref().map(str::trim).map(str::to_owned),
        by: Some(user.name.clone()),
        to: None,
        action: Some(a.id.to_owned()),
    };
    let mut task_id = None;
    if let Some(department) = &action.department_id {
        step.to = Some(department_name(tx, department).await?);
    }
    if let Some(grid) = &action.grid_id {
        let forwarded = Forwarded {
            grid_id: grid,
            category: action.category.as_deref().unwrap_or(DEFAULT_TASK_CATEGORY),
            by: user,
            at: &at,
            seq,
        };
        let (task, grid_name) =
            make_task(tx, state, &action.concern_id, current, forwarded, now).await?;
        task_id = Some(task);
        step.to = Some(grid_name);
    }
    let points = if after == ConcernStatus::Adopted {
        award_adopted(tx, &current.rider_id, &action.concern_id, &at).await?
    } else {
        0
    };
    let mut timeline: Vec<ConcernStep> =
        serde_json::from_str(&current.timeline).map_err(anyhow::Error::from)?;
    timeline.push(step);
    db::query(
        "UPDATE concerns SET status = ?, version = version + 1, updated_at = ?, timeline = ?, change_seq = ?,
                replied_at = CASE WHEN ? THEN COALESCE(replied_at, ?) ELSE replied_at END,
                closed_at = CASE WHEN ? THEN ? ELSE closed_at END,
                task_id = COALESCE(?, task_id), department_id = COALESCE(?, department_id),
                points_awarded = points_awarded + ?
         WHERE id = ?",
    )
    .bind(after.code())
    .bind(&at)
    .bind(serde_json::to_string(&timeline).map_err(anyhow::Error::from)?)
    .bind(seq)
    .bind(action.kind.answers())
    .bind(&at)
    .bind(after.is_closed())
    .bind(&at)
    .bind(&task_id)
    .bind(&action.department_id)
    .bind(points)
    .bind(&action.concern_id)
    .execute(&mut *tx)
    .await?;
    db::query(
        "INSERT INTO concern_actions (id, concern_id, actor_id, fingerprint, kind, applied_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(a.id)
    .bind(&action.concern_id)
    .bind(&user.id)
    .bind(a.fingerprint)
    .bind(action.kind.code())
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    Ok(task_id)
}

fn refused(e: ConcernActionError, status: ConcernStatus) -> Error {
    match e {
        ConcernActionError::NotAllowed => Error::Protocol {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: code::ACTION_NOT_ALLOWED,
            message:
                "当前状态下不能进行此操作 (the concern's status or kind does not allow this action)",
            details: Some(json!({ "status": status })),
        },
        ConcernActionError::Invalid(errors) => Error::Invalid(json!(errors)),
    }
}

async fn department_name(tx: &mut Tx, code: &str) -> Result<String> {
    let found: Option<(String,)> =
        db::query_as("SELECT name FROM departments WHERE code = ? AND retired_at IS NULL")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
    found
        .map(|(name,)| name)
        .ok_or_else(|| Error::invalid("department_id", "unknown department"))
}

/// Where a concern is forwarded as a task.
struct Forwarded<'a> {
    grid_id: &'a str,
    category: &'a str,
    by: &'a User,
    at: &'a str,
    seq: i64,
}

/// Makes the task a concern becomes in a grid: a report of the rider's (so they follow it in 我的上报 as any
/// report of theirs), in the given category, at the concern's place (else its station's), with its words and
/// photos, naming the concern. Returns the task's id and the grid's name.
async fn make_task(
    tx: &mut Tx,
    state: &AppState,
    concern_id: &str,
    concern: &Current,
    to: Forwarded<'_>,
    now: OffsetDateTime,
) -> Result<(String, String)> {
    let grid: Option<(String,)> =
        db::query_as("SELECT name FROM grids WHERE id = ? AND retired_at IS NULL")
            .bind(to.grid_id)
            .fetch_optional(&mut *tx)
            .await?;
    let (grid_name,) = grid.ok_or_else(|| Error::invalid("grid_id", "unknown grid"))?;
    let category: Option<(bool,)> =
        db::query_as("SELECT TRUE FROM categories WHERE code = ? AND retired_at IS NULL")
            .bind(to.category)
            .fetch_optional(&mut *tx)
            .await?;
    category.ok_or_else(|| Error::invalid("category", "unknown category"))?;
    let (lat, lon) = match (concern.lat, concern.lon) {
        (Some(lat), Some(lon)) => (lat, lon),
        _ => {
            db::query_as("SELECT lat, lon FROM stations WHERE id = ?")
                .bind(&concern.station_id)
                .fetch_one(&mut *tx)
                .await?
        }
    };
    let photos: Vec<String> = serde_json::from_str(&concern.photos).map_err(anyhow::Error::from)?;
    let submitted = ReportSubmission {
        category: to.category.to_owned(),
        urgent: false,
        description: concern.text.clone(),
        lat: Some(lat),
        lon: Some(lon),
        accuracy_m: None,
        address: None,
        photos: photos.clone(),
        captured_at: concern.received_at.clone(),
    };
    let submitted = serde_json::to_string(&submitted).map_err(anyhow::Error::from)?;
    let rules = deadlines_for(tx, to.category, state.config.deadlines).await?;
    let deadline = rules
        .after(ReportStatus::Received, 1, false, now, None, None)
        .map(format_time);
    let timeline = vec![TimelineEntry {
        note: Some("骑手诉求转办为网格任务".to_owned()),
        by: Some(to.by.name.clone()),
        ..TimelineEntry::new(to.at.to_owned(), ReportStatus::Received)
    }];
    let task_id = uuid::Uuid::now_v7().to_string();
    db::query(
        "INSERT INTO reports (id, reporter_id, fingerprint, submitted, category, grid_id, grid_by_nearest, status,
                              level, version, received_at, updated_at, timeline, change_seq, deadline, lat, lon,
                              possible_duplicates, hotspot, concern_id)
         VALUES (?, ?, ?, ?, ?, ?, FALSE, 'received', 1, 1, ?, ?, ?, ?, ?, ?, ?, '[]', FALSE, ?)",
    )
    .bind(&task_id)
    .bind(&concern.rider_id)
    .bind(sha256_hex(submitted.as_bytes()))
    .bind(&submitted)
    .bind(to.category)
    .bind(to.grid_id)
    .bind(to.at)
    .bind(to.at)
    .bind(serde_json::to_string(&timeline).map_err(anyhow::Error::from)?)
    .bind(to.seq)
    .bind(&deadline)
    .bind(lat)
    .bind(lon)
    .bind(concern_id)
    .execute(&mut *tx)
    .await?;
    for sha in &photos {
        db::query("INSERT INTO report_photos (report_id, sha256) VALUES (?, ?)")
            .bind(&task_id)
            .bind(sha)
            .execute(&mut *tx)
            .await?;
    }
    Ok((task_id, grid_name))
}

/// 新星奖 points for an adopted 金点子: once per suggestion, whatever is replayed or redone. Returns those added.
async fn award_adopted(tx: &mut Tx, rider_id: &str, concern_id: &str, at: &str) -> Result<i64> {
    let added = db::query(
        "INSERT INTO points (user_id, report_id, reason, points, awarded_at)
         VALUES (?, ?, 'suggestion_adopted', ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(rider_id)
    .bind(concern_id)
    .bind(ADOPTED_POINTS)
    .bind(at)
    .execute(&mut *tx)
    .await?
    .rows_affected() as i64;
    Ok(added * ADOPTED_POINTS)
}
