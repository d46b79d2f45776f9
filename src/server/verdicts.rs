//! `PUT /verdicts/{verdict_id}`: the reporter of a resolved report — or of a report rejected as its duplicate —
//! says 满意 or 不满意, once per resolution, idempotently by the phone's id (it waits in the outbox like
//! everything else). 不满意 reopens the task once: back to the same grid at the same level, accepted, with a new
//! resolve deadline and the comment in the timeline; a second 不满意 is recorded (and counts against the grid's
//! 满意率) but reopens nothing.
use crate::server::db::{self, Tx};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::json;
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::CurrentUser;
use super::changes::next_change_seq;
use super::district::categories::deadlines_for;
use super::idempotent::{check_id, fingerprint, is_replay};
use super::json::ApiJson;
use super::openapi::{BodyRefusals, NotFound};
use super::reports::{load_report, Viewer};
use super::{AppState, Error, Result};
use crate::domain::api_error::code;
use crate::domain::task::{ActionKind, DeadlineRules};
use crate::domain::timestamp::format_time;
use crate::domain::verdict::{reopens, Verdict, VerdictSubmission};
use crate::domain::{ErrorBody, Report, ReportStatus, TimelineEntry};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(give))
}

const VERDICT_ID_TAKEN: &str = "此编号已用于另一条评价 (this id holds a different verdict)";

/// The report a verdict is about, as the verdict needs it.
#[derive(sqlx::FromRow)]
pub(crate) struct Rated {
    pub(crate) status: String,
    level: i64,
    category: String,
    reopened: i64,
    timeline: String,
}

/// The report a verdict is about, whoever gives it (the handler checks first that it is theirs).
pub(crate) async fn rated(tx: &mut Tx, report_id: &str) -> Result<Option<Rated>> {
    Ok(
        db::query_as(
            "SELECT status, level, category, reopened, timeline FROM reports WHERE id = ?",
        )
        .bind(report_id)
        .fetch_optional(&mut *tx)
        .await?,
    )
}

/// One verdict as it is given.
pub(crate) struct Given<'a> {
    pub(crate) id: &'a str,
    pub(crate) report_id: &'a str,
    pub(crate) user_id: &'a str,
    pub(crate) user_name: &'a str,
    pub(crate) verdict: Verdict,
    pub(crate) comment: Option<&'a str>,
    pub(crate) fingerprint: &'a str,
    pub(crate) at: OffsetDateTime,
}

/// Records a verdict on the report's current resolution with its counts and, for a first 不满意, the reopening:
/// back to the grid, accepted at its level, a new deadline to resolve from the 清单, the comment in the timeline.
/// The one place a verdict is written (`PUT /verdicts` and `demo-history`); `true` when it reopened the task.
pub(crate) async fn record(
    tx: &mut Tx,
    defaults: DeadlineRules,
    rated: &Rated,
    given: &Given<'_>,
) -> Result<bool> {
    let at = format_time(given.at);
    db::query(
        "INSERT INTO verdicts (id, report_id, user_id, resolution, verdict, comment, fingerprint, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(given.id)
    .bind(given.report_id)
    .bind(given.user_id)
    .bind(rated.reopened + 1)
    .bind(given.verdict.code())
    .bind(given.comment)
    .bind(given.fingerprint)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    let seq = next_change_seq(tx).await?;
    let counted = match given.verdict {
        Verdict::Satisfied => "satisfied = satisfied + 1",
        Verdict::Unsatisfied => "unsatisfied = unsatisfied + 1",
    };
    let reopen = reopens(given.verdict, rated.reopened);
    if reopen {
        let rules = deadlines_for(tx, &rated.category, defaults).await?;
        let deadline = rules
            .after(
                ReportStatus::Accepted,
                rated.level as u8,
                false,
                given.at,
                Some(ActionKind::Accept),
                None,
            )
            .map(format_time);
        let mut timeline: Vec<TimelineEntry> =
            serde_json::from_str(&rated.timeline).map_err(anyhow::Error::from)?;
        timeline.push(TimelineEntry {
            note: Some(with_comment("上报人不满意，重新办理", given.comment)),
            by: Some(given.user_name.to_owned()),
            ..TimelineEntry::new(at.clone(), ReportStatus::Accepted)
        });
        db::query(format!(
            "UPDATE reports SET {counted}, reopened = reopened + 1, status = 'accepted', deadline = ?, timeline = ?,
                    closed_at = NULL, version = version + 1, updated_at = ?, change_seq = ? WHERE id = ?"
        ))
        .bind(deadline)
        .bind(serde_json::to_string(&timeline).map_err(anyhow::Error::from)?)
        .bind(&at)
        .bind(seq)
        .bind(given.report_id)
        .execute(&mut *tx)
        .await?;
    } else {
        // The counts change what phones show: the report reaches them through the feed again. A 不满意 after the
        // one reopening is written into the timeline, so the grid and the reporter see that it went to the
        // district (whose queue lists it).
        let mut timeline: Vec<TimelineEntry> =
            serde_json::from_str(&rated.timeline).map_err(anyhow::Error::from)?;
        if given.verdict == Verdict::Unsatisfied {
            timeline.push(TimelineEntry {
                note: Some(with_comment(
                    "上报人再次不满意，已报区里复核",
                    given.comment,
                )),
                by: Some(given.user_name.to_owned()),
                ..TimelineEntry::new(at.clone(), ReportStatus::Resolved)
            });
        }
        db::query(format!(
            "UPDATE reports SET {counted}, timeline = ?, version = version + 1, updated_at = ?, change_seq = ?
             WHERE id = ?"
        ))
        .bind(serde_json::to_string(&timeline).map_err(anyhow::Error::from)?)
        .bind(&at)
        .bind(seq)
        .bind(given.report_id)
        .execute(&mut *tx)
        .await?;
    }
    Ok(reopen)
}

/// The reporter's verdict on a resolved report (or on the original of their report rejected as a duplicate):
/// `satisfied` or `unsatisfied`, with an optional comment. `unsatisfied` reopens the task once.
/// Whether the person already gave `verdict` on this resolution (`given`: what they gave, if anything): `true` for
/// the same one (nothing changes), `409 already_rated` for a different one. Reports and concerns alike.
pub(crate) fn already_given(given: Option<(String,)>, verdict: Verdict) -> Result<bool> {
    match given {
        Some((v,)) if v == verdict.code() => Ok(true),
        Some(_) => Err(Error::Protocol {
            status: StatusCode::CONFLICT,
            code: code::ALREADY_RATED,
            message: "这次办结已评价过 (a different verdict was given on this resolution)",
            details: None,
        }),
        None => Ok(false),
    }
}

/// The timeline's words for a 不满意, with the reporter's comment when there is one.
fn with_comment(said: &str, comment: Option<&str>) -> String {
    match comment.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => format!("{said}：{c}"),
        None => said.to_owned(),
    }
}

#[utoipa::path(put, path = "/verdicts/{id}", tag = "verdicts", operation_id = "give_verdict", security(("bearer" = [])),
    params(("id" = String, Path, description = "The verdict's id, a UUID made on the reporter's phone", format = "uuid")),
    request_body(content = VerdictSubmission, example = json!({"report_id": "0193a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b",
        "verdict": "unsatisfied", "comment": "井盖还是松的"})),
    responses(
        (status = 201, description = "Recorded: the report as it now is (reopened by `unsatisfied` the first time)", body = Report),
        (status = 200, description = "A replay: this verdict was given already", body = Report),
        BodyRefusals,
        (status = 404, response = NotFound),
        (status = 409, description = "This person gave a different verdict on this resolution (`already_rated`), or \
this id holds a different verdict (`id_conflict`)", body = ErrorBody),
        (status = 422, description = "The report is not resolved (`not_resolved`), or the comment is too long \
(`invalid_input`)", body = ErrorBody),
    )
)]
async fn give(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<VerdictSubmission>,
) -> Result<(StatusCode, Json<Report>)> {
    check_id(&id, "a verdict id is a UUID")?;
    body.validate().map_err(|e| Error::Invalid(json!(e)))?;
    let fingerprint = fingerprint(&body)?;
    let now = OffsetDateTime::now_utc();
    let viewer = Viewer::of(&user);
    let answer = |status, report: Report| Ok((status, Json(viewer.shape(report))));
    let (_turn, mut tx) = state.begin_write().await?;
    let stored: Option<(String, String)> =
        db::query_as("SELECT user_id, fingerprint FROM verdicts WHERE id = ?")
            .bind(&id)
            .fetch_optional(&mut tx)
            .await?;
    if is_replay(stored, &user.id, &fingerprint, VERDICT_ID_TAKEN)? {
        tx.rollback().await?;
        let report = load_report(&state.db, &body.report_id)
            .await?
            .ok_or(Error::NotFound)?;
        return answer(StatusCode::OK, report);
    }
    // Theirs, or the original of their report rejected as its duplicate.
    let rated: Rated = db::query_as(
        "SELECT r.status, r.level, r.category, r.reopened, r.timeline FROM reports r
         WHERE r.id = ?1 AND (r.reporter_id = ?2 OR r.id IN
             (SELECT d.duplicate_of FROM reports d WHERE d.reporter_id = ?2 AND d.duplicate_of IS NOT NULL))",
    )
    .bind(&body.report_id)
    .bind(&user.id)
    .fetch_optional(&mut tx)
    .await?
    .ok_or(Error::NotFound)?;
    let resolution = rated.reopened + 1;
    let given: Option<(String,)> = db::query_as(
        "SELECT verdict FROM verdicts WHERE report_id = ? AND user_id = ? AND resolution = ?",
    )
    .bind(&body.report_id)
    .bind(&user.id)
    .bind(resolution)
    .fetch_optional(&mut tx)
    .await?;
    // The same verdict again (another phone, another id): nothing changes.
    if already_given(given, body.verdict)? {
        tx.rollback().await?;
        let report = load_report(&state.db, &body.report_id)
            .await?
            .ok_or(Error::NotFound)?;
        return answer(StatusCode::OK, report);
    }
    if rated.status != ReportStatus::Resolved.code() {
        return Err(Error::Protocol {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: code::NOT_RESOLVED,
            message: "尚未办结，不能评价 (the report is not resolved)",
            details: None,
        });
    }
    record(
        &mut tx,
        state.config.deadlines,
        &rated,
        &Given {
            id: &id,
            report_id: &body.report_id,
            user_id: &user.id,
            user_name: &user.name,
            verdict: body.verdict,
            comment: body.comment.as_deref(),
            fingerprint: &fingerprint,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    let report = load_report(&state.db, &body.report_id)
        .await?
        .ok_or(Error::NotFound)?;
    answer(StatusCode::CREATED, report)
}
