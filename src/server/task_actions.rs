//! `PUT /task-actions/{id}`: grid workers (of the task's grid) and admins act on tasks. Each action applies once
//! (a replay of its id is a `200`), only against the version it was made on (else `409 version_conflict` with the
//! task as it now is), and only where the rules of `domain::task` allow it (else `422`).
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::CurrentUser;
use super::json::ApiJson;
use super::openapi::{
    Forbidden, Malformed, NotFound, TooLarge, Unauthorized, UnsupportedMediaType,
};
use super::reports::{load_report, next_change_seq};
use super::secret::sha256_hex;
use super::{AppState, Error, Result};
use crate::domain::report::{format_time, is_sha256_hex, parse_time};
use crate::domain::task::{
    outcome, points_for, points_for_duplicate, ActionError, ActionKind, TaskAction,
};
use crate::domain::{ErrorBody, Report, Role, TimelineEntry};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(act))
}

/// A grid worker's action on a task of their grid (admins: any grid), made against the version they saw.
#[utoipa::path(put, path = "/task-actions/{id}", tag = "tasks", operation_id = "act_on_task", security(("bearer" = [])),
    params(("id" = String, Path, description = "The action's id, a UUID made on the worker's phone", format = "uuid")),
    request_body(content = TaskAction, example = json!({
        "report_id": "0193a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b", "kind": "resolve", "note": "已更换新井盖",
        "photos": [], "expected_version": 3})),
    responses(
        (status = 201, description = "Applied: the task as it now is", body = Report),
        (status = 200, description = "A replay of the same action: nothing changed", body = Report),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, description = "The task changed since `expected_version` (`version_conflict`, the current Report \
in `details`), or this id holds a different action (`id_conflict`)", body = ErrorBody),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "Not allowed in the task's status (`action_not_allowed`), missing fields \
(`invalid_input`), or photos not uploaded (`photo_missing`)", body = ErrorBody,
         example = json!({"error": {"code": "action_not_allowed", "message": "当前状态下不能进行此操作 (the task's status does not allow this action)"}})),
    )
)]
async fn act(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ApiJson(action): ApiJson<TaskAction>,
) -> Result<(StatusCode, Json<Report>)> {
    if !matches!(user.role, Role::GridWorker | Role::Admin) {
        return Err(Error::Forbidden);
    }
    if uuid::Uuid::parse_str(&id).is_err() || id.len() != 36 {
        return Err(Error::Invalid(
            serde_json::json!({"id": "an action id is a UUID"}),
        ));
    }
    if action.photos.len() > 3 || action.photos.iter().any(|p| !is_sha256_hex(p)) {
        return Err(Error::Invalid(
            serde_json::json!({"photos": "at most 3 lowercase hex SHA-256 hashes"}),
        ));
    }
    if action
        .note
        .as_deref()
        .is_some_and(|n| n.chars().count() > 2000)
    {
        return Err(Error::Invalid(
            serde_json::json!({"note": "note over 2,000 characters"}),
        ));
    }
    if action
        .reason
        .as_deref()
        .is_some_and(|r| r.chars().count() > 500)
    {
        return Err(Error::Invalid(
            serde_json::json!({"reason": "reason over 500 characters"}),
        ));
    }
    if action.duplicate_of.as_deref().is_some_and(|d| d.len() > 64) {
        return Err(Error::Invalid(
            serde_json::json!({"duplicate_of": "not a report id"}),
        ));
    }
    let fingerprint = sha256_hex(
        serde_json::to_string(&action)
            .map_err(anyhow::Error::from)?
            .as_bytes(),
    );
    let now = OffsetDateTime::now_utc();

    let (_turn, mut tx) = state.begin_write().await?;
    let seq = next_change_seq(&mut tx).await?;
    let done: Option<(String, String)> =
        sqlx::query_as("SELECT actor_id, fingerprint FROM task_actions WHERE id = ?")
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((actor, fp)) = done {
        tx.rollback().await?;
        if actor != user.id || fp != fingerprint {
            return Err(Error::Protocol {
                status: StatusCode::CONFLICT,
                code: "id_conflict",
                message: "此编号已用于另一项操作 (this action id is taken by a different action)",
                details: None,
            });
        }
        let report = load_report(&state.db, &action.report_id)
            .await?
            .ok_or(Error::NotFound)?;
        return Ok((StatusCode::OK, Json(report)));
    }
    type Row = (
        Option<String>,
        String,
        i64,
        i64,
        String,
        Option<String>,
        String,
        String,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT grid_id, status, level, version, timeline, deadline, submitted, reporter_id FROM reports WHERE id = ?",
    )
    .bind(&action.report_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (grid_id, status, level, version, timeline, deadline, submitted, reporter_id) =
        row.ok_or(Error::NotFound)?;
    if user.role == Role::GridWorker && grid_id.is_none_or(|g| Some(g) != user.grid_id) {
        return Err(Error::Forbidden);
    }
    if version != action.expected_version {
        tx.rollback().await?;
        let current = load_report(&state.db, &action.report_id)
            .await?
            .ok_or(Error::NotFound)?;
        return Err(Error::Protocol {
            status: StatusCode::CONFLICT,
            code: "version_conflict",
            message: "任务已被更新，请查看最新状态后重新操作 (the task changed; redo the action on its current version)",
            details: Some(serde_json::json!({ "current": current })),
        });
    }
    let status = crate::domain::ReportStatus::from_code(&status)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("status {status:?}")))?;
    let (new_status, new_level) = outcome(status, level as u8, &action).map_err(|e| match e {
        ActionError::NotAllowed => Error::Protocol {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "action_not_allowed",
            message: "当前状态下不能进行此操作 (the task's status does not allow this action)",
            details: Some(serde_json::json!({"status": status, "kind": action.kind})),
        },
        ActionError::Missing(why) => Error::Invalid(serde_json::json!({ "action": why })),
    })?;
    let urgent = serde_json::from_str::<serde_json::Value>(&submitted)
        .ok()
        .and_then(|v| v["urgent"].as_bool())
        .unwrap_or(false);
    let new_deadline = state
        .config
        .deadlines
        .after(
            new_status,
            new_level,
            urgent,
            now,
            Some(action.kind),
            deadline.as_deref().and_then(parse_time),
        )
        .map(format_time);
    let mut timeline: Vec<TimelineEntry> =
        serde_json::from_str(&timeline).map_err(anyhow::Error::from)?;
    timeline.push(TimelineEntry {
        at: format_time(now),
        status: new_status,
        note: match (&action.note, action.kind) {
            (Some(n), _) if !n.trim().is_empty() => Some(n.clone()),
            (_, ActionKind::Escalate) => action.reason.clone(),
            _ => None,
        },
        photos: action.photos.clone(),
        by: Some(user.name.clone()),
    });
    for sha in &action.photos {
        let stored: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM photos WHERE sha256 = ?")
            .bind(sha)
            .fetch_optional(&mut *tx)
            .await?;
        if stored.is_none() {
            tx.rollback().await?;
            return Err(Error::Protocol {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "photo_missing",
                message: "请先上传照片 (upload the listed photos first)",
                details: Some(serde_json::json!({ "missing": [sha] })),
            });
        }
        sqlx::query("INSERT OR IGNORE INTO report_photos (report_id, sha256) VALUES (?, ?)")
            .bind(&action.report_id)
            .bind(sha)
            .execute(&mut *tx)
            .await?;
    }
    let mut award = points_for(new_status, action.kind);
    let rejected_as_duplicate =
        action.kind == ActionKind::Reject && action.reason.as_deref() == Some("duplicate");
    if rejected_as_duplicate {
        let original = action.duplicate_of.clone().unwrap_or_default();
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM reports WHERE id = ? AND id <> ?")
                .bind(&original)
                .bind(&action.report_id)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            tx.rollback().await?;
            return Err(Error::Invalid(
                serde_json::json!({"duplicate_of": "no such other report"}),
            ));
        }
        // The reporter now follows the original: it reaches their phone as a change.
        let original_seq = next_change_seq(&mut tx).await?;
        sqlx::query("UPDATE reports SET change_seq = ? WHERE id = ?")
            .bind(original_seq)
            .bind(&original)
            .execute(&mut *tx)
            .await?;
    }
    if rejected_as_duplicate {
        let photos_of = |report: &str| {
            sqlx::query_as::<_, (String,)>("SELECT sha256 FROM report_photos WHERE report_id = ?")
                .bind(report.to_owned())
        };
        let mine: Vec<String> = photos_of(&action.report_id)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| r.0)
            .collect();
        let original = action.duplicate_of.clone().unwrap_or_default();
        let theirs: Vec<String> = photos_of(&original)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| r.0)
            .collect();
        award = points_for_duplicate(&mine, &theirs);
    }
    let mut awarded = 0;
    if let Some((reason, points)) = award {
        awarded = sqlx::query(
            "INSERT OR IGNORE INTO points (user_id, report_id, reason, points, awarded_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&reporter_id)
        .bind(&action.report_id)
        .bind(reason)
        .bind(points)
        .bind(format_time(now))
        .execute(&mut *tx)
        .await?
        .rows_affected() as i64
            * points;
    }
    sqlx::query(
        "UPDATE reports SET status = ?, level = ?, version = version + 1, updated_at = ?, deadline = ?, timeline = ?,
                            points_awarded = points_awarded + ?, change_seq = ?, duplicate_of = ? WHERE id = ?",
    )
    .bind(new_status.code())
    .bind(new_level as i64)
    .bind(format_time(now))
    .bind(&new_deadline)
    .bind(serde_json::to_string(&timeline).map_err(anyhow::Error::from)?)
    .bind(awarded)
    .bind(seq)
    .bind(action.duplicate_of.as_ref().filter(|_| rejected_as_duplicate))
    .bind(&action.report_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO task_actions (id, report_id, actor_id, fingerprint, kind, applied_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(&id)
        .bind(&action.report_id)
        .bind(&user.id)
        .bind(&fingerprint)
        .bind(serde_json::to_value(action.kind).map_err(anyhow::Error::from)?.as_str().unwrap_or_default())
        .bind(format_time(now))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let report = load_report(&state.db, &action.report_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((StatusCode::CREATED, Json(report)))
}
