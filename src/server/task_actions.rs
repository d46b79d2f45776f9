//! `PUT /task-actions/{id}`: grid workers (of the task's grid), the staff of the department called to it (部门联处)
//! and admins act on tasks. Each action applies once
//! (a replay of its id is a `200`), only against the version it was made on (else `409 version_conflict` with the
//! task as it now is) — except a note, which changes neither status nor level and so goes through whatever
//! happened meanwhile — and only where the rules of `domain::task` allow it (else `422`).
use super::district::categories::{rules_for, CategoryRules};
use crate::domain::api_error::code;
use crate::server::db::{self, Tx};
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
use super::openapi::{BodyRefusals, Forbidden, NotFound};
use super::reports::load_report;
use super::secret::sha256_hex;
use super::{AppState, Error, Result};
use crate::domain::task::{
    outcome, points_for, points_for_duplicate, ActionError, ActionKind, Call, DeadlineRules,
    RejectReason, TaskAction, TaskState,
};
use crate::domain::timestamp::{format_time, parse_time};
use crate::domain::{ErrorBody, Report, ReportStatus, Role, TimelineEntry, User};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(act))
}

/// A grid worker's action on a task of their grid (admins: any grid; department staff: a task called to their
/// department), made against the version they saw.
#[utoipa::path(put, path = "/task-actions/{id}", tag = "tasks", operation_id = "act_on_task", security(("bearer" = [])),
    params(("id" = String, Path, description = "The action's id, a UUID made on the worker's phone", format = "uuid")),
    request_body(content = TaskAction, example = json!({
        "report_id": "0193a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b", "kind": "resolve", "note": "已更换新井盖",
        "photos": [], "expected_version": 3})),
    responses(
        (status = 201, description = "Applied: the task as it now is", body = Report),
        (status = 200, description = "A replay of the same action: nothing changed", body = Report),
        BodyRefusals,
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, description = "The task changed since `expected_version` (`version_conflict`, the current Report \
in `details`; never for a `note`, which applies to the current version), or this id holds a different action \
(`id_conflict`)", body = ErrorBody),
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
    let fingerprint = fingerprint_of_allowed(&user, &id, &action)?;
    let now = OffsetDateTime::now_utc();

    let (_turn, mut tx) = state.begin_write().await?;
    let seq = next_change_seq(&mut tx).await?;
    let stored = db::query_as("SELECT actor_id, fingerprint FROM task_actions WHERE id = ?")
        .bind(&id)
        .fetch_optional(&mut tx)
        .await?;
    if is_replay(stored, &user.id, &fingerprint, ACTION_ID_TAKEN)? {
        tx.rollback().await?;
        let report = load_report(&state.db, &action.report_id)
            .await?
            .ok_or(Error::NotFound)?;
        return Ok((StatusCode::OK, Json(report)));
    }
    let task = load_task(&mut tx, &action.report_id).await?;
    if !user_may_act(&mut tx, &user, &task, &action.report_id).await? {
        return Err(Error::Forbidden);
    }
    if task.version != action.expected_version && !action.commutes() {
        tx.rollback().await?;
        let current = load_report(&state.db, &action.report_id)
            .await?
            .ok_or(Error::NotFound)?;
        return Err(Error::Protocol {
            status: StatusCode::CONFLICT,
            code: code::VERSION_CONFLICT,
            message: "任务已被更新，请查看最新状态后重新操作 (the task changed; redo the action on its current version)",
            details: Some(serde_json::json!({ "current": current })),
        });
    }
    let before = task.state_for(&user);
    let after =
        outcome(before, user.role, &action).map_err(|e| refused(e, task.status, action.kind))?;
    let (new_status, new_level) = (after.status, after.level);
    let called = action.calls(before);
    // The 清单's row of the category: the department an escalation calls, and the deadlines.
    let listed = rules_for(&mut tx, &task.category).await?;
    let department = match (called, action.kind) {
        (true, _) => Some(department_called(&mut tx, listed.as_ref(), &action).await?),
        (false, ActionKind::HandBack) => None,
        (false, _) => task.department_id.clone(),
    };
    attach_photos(&mut tx, &user, &action).await?;
    let (duplicate_of, awarded) =
        link_and_award(&mut tx, &task, &user, &action, new_status, now).await?;

    let defaults = state.config.deadlines;
    let rules = listed.as_ref().map_or(defaults, |r| r.deadlines(defaults));
    let (new_deadline, acknowledge_by) =
        deadlines_after(&task, &action, rules, after, called, now)?;
    let mut timeline = task.timeline;
    timeline.push(step_of(
        &id,
        &action,
        &user,
        now,
        after,
        task.level,
        called.then(|| department.clone()).flatten(),
    ));
    // The first answer (anything but a note) and the closing, for the district's figures.
    let answered = (action.kind != ActionKind::Note).then(|| format_time(now));
    let closed = (!new_status.is_open()).then(|| format_time(now));
    db::query(
        "UPDATE reports SET status = ?, level = ?, version = version + 1, updated_at = ?, deadline = ?, timeline = ?,
                            points_awarded = points_awarded + ?, change_seq = ?, duplicate_of = ?,
                            responded_at = COALESCE(responded_at, ?), closed_at = ?, department_id = ?,
                            acknowledge_deadline = ? WHERE id = ?",
    )
    .bind(new_status.code())
    .bind(new_level as i64)
    .bind(format_time(now))
    .bind(&new_deadline)
    .bind(serde_json::to_string(&timeline).map_err(anyhow::Error::from)?)
    .bind(awarded)
    .bind(seq)
    .bind(&duplicate_of)
    .bind(answered)
    .bind(closed)
    .bind(&department)
    .bind(&acknowledge_by)
    .bind(&action.report_id)
    .execute(&mut tx)
    .await?;
    let applied = Applied {
        id: &id,
        fingerprint: &fingerprint,
        called: department.as_deref().filter(|_| called),
        at: now,
    };
    applied.remember(&mut tx, &user, &action).await?;
    tx.commit().await?;
    let report = load_report(&state.db, &action.report_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((StatusCode::CREATED, Json(report)))
}

/// An action as applied: its id and fingerprint (for replays), the department it called, when.
struct Applied<'a> {
    id: &'a str,
    fingerprint: &'a str,
    called: Option<&'a str>,
    at: OffsetDateTime,
}

impl Applied<'_> {
    /// Keeps the action (a replay of its id is then recognised) and the department it called (who may then see
    /// and act on the task).
    async fn remember(&self, tx: &mut Tx, user: &User, action: &TaskAction) -> Result<()> {
        let kind = serde_json::to_value(action.kind).map_err(anyhow::Error::from)?;
        db::query("INSERT INTO task_actions (id, report_id, actor_id, fingerprint, kind, applied_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(self.id)
            .bind(&action.report_id)
            .bind(&user.id)
            .bind(self.fingerprint)
            .bind(kind.as_str().unwrap_or_default())
            .bind(format_time(self.at))
            .execute(&mut *tx)
            .await?;
        if let Some(department) = self.called {
            db::query("INSERT INTO task_calls (report_id, department_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .bind(&action.report_id)
                .bind(department)
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    }
}

/// Why the rules refuse an action: `422 action_not_allowed` (naming the status and the kind) or `invalid_input`.
fn refused(error: ActionError, status: ReportStatus, kind: ActionKind) -> Error {
    match error {
        ActionError::NotAllowed => Error::Protocol {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: code::ACTION_NOT_ALLOWED,
            message: "当前状态下不能进行此操作 (the task's status does not allow this action)",
            details: Some(serde_json::json!({"status": status, "kind": kind})),
        },
        ActionError::Invalid(errors) => Error::Invalid(serde_json::json!(errors)),
    }
}

/// The task's deadlines after `action` (which left it in `after`, calling a department if `called`): to resolve
/// (a decision's own, else by the rules) and for the called department's 报到.
fn deadlines_after(
    task: &Task,
    action: &TaskAction,
    rules: DeadlineRules,
    after: TaskState,
    called: bool,
    now: OffsetDateTime,
) -> Result<(Option<String>, Option<String>)> {
    let resolve_by = match decided_deadline(action, now)? {
        Some(decided) => Some(decided),
        None => rules.after(
            after.status,
            after.level,
            task.urgent,
            now,
            Some(action.kind),
            task.deadline.as_deref().and_then(parse_time),
        ),
    };
    let acknowledge_by = rules.acknowledge_by(
        after,
        called,
        now,
        task.acknowledge_deadline.as_deref().and_then(parse_time),
    );
    Ok((resolve_by.map(format_time), acknowledge_by.map(format_time)))
}

/// The timeline's entry for `action` (its id `id`) by `user`, leaving the task in `after` (from `level`): its note (or the reason
/// of an escalation, a call or a hand-back), photos, who, the new level if it changed, and the department — the one
/// `called`, or the one whose staff acted.
fn step_of(
    id: &str,
    action: &TaskAction,
    user: &User,
    now: OffsetDateTime,
    after: TaskState,
    level: u8,
    called: Option<String>,
) -> TimelineEntry {
    TimelineEntry {
        at: format_time(now),
        status: after.status,
        note: match (&action.note, action.kind) {
            (Some(n), _) if !n.trim().is_empty() => Some(n.clone()),
            (_, ActionKind::Escalate | ActionKind::CallDepartment | ActionKind::HandBack) => {
                action.reason.clone()
            }
            _ => None,
        },
        photos: action.photos.clone(),
        by: Some(user.name.clone()),
        kind: Some(action.kind),
        level: (after.level != level).then_some(after.level),
        department: called.or_else(|| {
            user.department_id
                .clone()
                .filter(|_| user.role == Role::DepartmentStaff)
        }),
        action: Some(id.to_owned()),
    }
}

/// What an action needs before anything is read: a role that acts on tasks, an id that is a UUID, fields that
/// pass the domain's rules. Returns the action's fingerprint (what a replay under its id must match).
fn fingerprint_of_allowed(user: &User, id: &str, action: &TaskAction) -> Result<String> {
    if !matches!(
        user.role,
        Role::GridWorker | Role::Admin | Role::DepartmentStaff
    ) {
        return Err(Error::Forbidden);
    }
    if uuid::Uuid::parse_str(id).is_err() || id.len() != 36 {
        return Err(Error::invalid("id", "an action id is a UUID"));
    }
    let errors = action.validate();
    if !errors.is_empty() {
        return Err(Error::Invalid(serde_json::json!(errors)));
    }
    let json = serde_json::to_string(action).map_err(anyhow::Error::from)?;
    Ok(sha256_hex(json.as_bytes()))
}

/// A rejection as a duplicate links the original (returned); the reporter's 新星奖 points for what the action did
/// are awarded once (returned: the points added).
async fn link_and_award(
    tx: &mut Tx,
    task: &Task,
    user: &User,
    action: &TaskAction,
    new_status: ReportStatus,
    now: OffsetDateTime,
) -> Result<(Option<String>, i64)> {
    let duplicate_of = match RejectReason::from_code(action.reason.as_deref().unwrap_or_default()) {
        Some(RejectReason::Duplicate) if action.kind == ActionKind::Reject => {
            Some(link_original(tx, user, action).await?)
        }
        _ => None,
    };
    let award = match &duplicate_of {
        Some(original) => {
            let mine = photos_of(tx, &action.report_id).await?;
            let theirs = photos_of(tx, original).await?;
            points_for_duplicate(&mine, &theirs)
        }
        None => points_for(new_status, action.kind),
    };
    let awarded = match award {
        Some(award) => award_points(tx, task, user, &action.report_id, award, now).await?,
        None => 0,
    };
    Ok((duplicate_of, awarded))
}

/// The department an action calls: the one it names, else (an escalation to level 2) the one the category's 清单
/// names. It must be in service.
async fn department_called(
    tx: &mut Tx,
    listed: Option<&CategoryRules>,
    action: &TaskAction,
) -> Result<String> {
    let named = action
        .department_id
        .clone()
        .or_else(|| listed.and_then(|r| r.department.clone()));
    let Some(code) = named else {
        return Err(Error::invalid(
            "department_id",
            "此类别的清单未指定部门，请选择要吹哨的部门 (the category's 清单 names no department: pick one)",
        ));
    };
    let in_service: Option<(bool,)> =
        db::query_as("SELECT TRUE FROM departments WHERE code = ? AND retired_at IS NULL")
            .bind(&code)
            .fetch_optional(&mut *tx)
            .await?;
    if in_service.is_none() {
        return Err(Error::invalid(
            "department_id",
            "没有此部门 (no department in service has this code)",
        ));
    }
    Ok(code)
}

/// The resolve deadline a decision sets: it must lie ahead.
fn decided_deadline(action: &TaskAction, now: OffsetDateTime) -> Result<Option<OffsetDateTime>> {
    match action.deadline.as_deref().and_then(parse_time) {
        Some(at) if at <= now => Err(Error::invalid(
            "deadline",
            "新期限须晚于现在 (a new deadline lies ahead)",
        )),
        decided => Ok(decided),
    }
}

const ACTION_ID_TAKEN: &str =
    "此编号已用于另一项操作 (this action id is taken by a different action)";

/// What an action needs to know of its task.
struct Task {
    grid_id: Option<String>,
    status: ReportStatus,
    level: u8,
    version: i64,
    deadline: Option<String>,
    department_id: Option<String>,
    acknowledge_deadline: Option<String>,
    urgent: bool,
    category: String,
    reporter_id: String,
    timeline: Vec<TimelineEntry>,
}

impl Task {
    /// The task's state as `user` acts on it: to the staff of a department other than the one called now, no
    /// call is theirs to answer.
    fn state_for(&self, user: &User) -> TaskState {
        let called = self.department_id.as_deref();
        TaskState {
            status: self.status,
            level: self.level,
            call: Call::of(called, self.acknowledge_deadline.is_some()),
        }
        .seen_by(called, user.role, user.department_id.as_deref())
    }
}

#[derive(sqlx::FromRow)]
struct TaskRow {
    grid_id: Option<String>,
    status: String,
    level: i64,
    version: i64,
    timeline: String,
    deadline: Option<String>,
    department_id: Option<String>,
    acknowledge_deadline: Option<String>,
    submitted: String,
    category: String,
    reporter_id: String,
}

async fn load_task(tx: &mut Tx, report_id: &str) -> Result<Task> {
    let row: TaskRow = db::query_as(
        "SELECT grid_id, status, level, version, timeline, deadline, department_id, acknowledge_deadline, submitted,
                category, reporter_id FROM reports
         WHERE id = ?",
    )
    .bind(report_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::NotFound)?;
    let status = ReportStatus::from_code(&row.status)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("status {:?}", row.status)))?;
    let urgent = serde_json::from_str::<serde_json::Value>(&row.submitted)
        .ok()
        .and_then(|v| v["urgent"].as_bool())
        .unwrap_or(false);
    Ok(Task {
        grid_id: row.grid_id,
        status,
        level: row.level as u8,
        version: row.version,
        deadline: row.deadline,
        department_id: row.department_id,
        acknowledge_deadline: row.acknowledge_deadline,
        urgent,
        category: row.category,
        reporter_id: row.reporter_id,
        timeline: serde_json::from_str(&row.timeline).map_err(anyhow::Error::from)?,
    })
}

/// Admins act on every task; a grid worker on the tasks of their own grid; department staff on the tasks ever
/// called to their department (what they may do there depends on whether the call is theirs now).
async fn user_may_act(tx: &mut Tx, user: &User, task: &Task, report_id: &str) -> Result<bool> {
    Ok(match user.role {
        Role::Admin => true,
        Role::GridWorker => task.grid_id.is_some() && task.grid_id == user.grid_id,
        Role::DepartmentStaff => db::query_as::<(bool,)>(
            "SELECT TRUE FROM task_calls WHERE report_id = ? AND department_id = ?",
        )
        .bind(report_id)
        .bind(&user.department_id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some(),
        _ => false,
    })
}

/// Each photo of the action must be uploaded, and by the same user: a hash alone is no licence to a photo.
async fn attach_photos(tx: &mut Tx, user: &User, action: &TaskAction) -> Result<()> {
    for sha in &action.photos {
        let stored: Option<(bool,)> = db::query_as(
            "SELECT TRUE FROM photos WHERE sha256 = ?1
               AND EXISTS (SELECT 1 FROM photo_uploads WHERE sha256 = ?1 AND user_id = ?2)",
        )
        .bind(sha)
        .bind(&user.id)
        .fetch_optional(&mut *tx)
        .await?;
        if stored.is_none() {
            return Err(Error::photo_missing(std::slice::from_ref(sha)));
        }
        db::query(
            "INSERT INTO report_photos (report_id, sha256) VALUES (?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(&action.report_id)
        .bind(sha)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// The original a report is rejected as a duplicate of. It must be another report the worker may see (of their
/// own grid; admins any): linking is what lets the duplicate's reporter follow the original, so a link across
/// grids would open another grid's report to whoever filed the duplicate. The original moves in the change feed,
/// so the duplicate's reporter gets it.
async fn link_original(tx: &mut Tx, user: &User, action: &TaskAction) -> Result<String> {
    let original = action.duplicate_of.clone().unwrap_or_default();
    let grid: Option<(Option<String>,)> =
        db::query_as("SELECT grid_id FROM reports WHERE id = ? AND id <> ?")
            .bind(&original)
            .bind(&action.report_id)
            .fetch_optional(&mut *tx)
            .await?;
    let visible = match grid {
        Some(_) if user.role == Role::Admin => true,
        Some((grid,)) => grid.is_some() && grid == user.grid_id,
        None => false,
    };
    if !visible {
        return Err(Error::invalid(
            "duplicate_of",
            "不是本网格的其他上报 (no other report of your grid has this id)",
        ));
    }
    let seq = next_change_seq(tx).await?;
    db::query("UPDATE reports SET change_seq = ? WHERE id = ?")
        .bind(seq)
        .bind(&original)
        .execute(&mut *tx)
        .await?;
    Ok(original)
}

async fn photos_of(tx: &mut Tx, report_id: &str) -> Result<Vec<String>> {
    Ok(
        db::query_as::<(String,)>("SELECT sha256 FROM report_photos WHERE report_id = ?")
            .bind(report_id)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| r.0)
            .collect(),
    )
}

/// Awards the reporter 新星奖 points, each reason once per report; returns the points added. A reporter who acted on
/// their own report (a grid worker reporting in their own grid) earns nothing for it: points reward what others
/// confirmed, not what one awards oneself.
async fn award_points(
    tx: &mut Tx,
    task: &Task,
    actor: &User,
    report_id: &str,
    (reason, points): (&str, i64),
    now: OffsetDateTime,
) -> Result<i64> {
    let reporter_acted = task.reporter_id == actor.id
        || db::query_as::<(bool,)>(
            "SELECT TRUE FROM task_actions WHERE report_id = ? AND actor_id = ? LIMIT 1",
        )
        .bind(report_id)
        .bind(&task.reporter_id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if reporter_acted {
        return Ok(0);
    }
    let inserted = db::query(
        "INSERT INTO points (user_id, report_id, reason, points, awarded_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(&task.reporter_id)
    .bind(report_id)
    .bind(reason)
    .bind(points)
    .bind(format_time(now))
    .execute(&mut *tx)
    .await?
    .rows_affected() as i64;
    Ok(inserted * points)
}
