//! `PUT /concern-verdicts/{verdict_id}`: the rider says 满意 or 不满意 when their concern is closed (resolved,
//! adopted or declined), once per closing, idempotently by the phone's id — the same rules as a report's verdict.
//! 不满意 reopens the concern once (back to its station, accepted, a new deadline to answer); a second 不满意 is
//! recorded and counts against the station's 满意率, but reopens nothing.
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
use crate::domain::concern::{Concern, ConcernStatus, ConcernStep, ConcernVerdict};
use crate::domain::timestamp::format_time;
use crate::domain::verdict::{reopens, Verdict};
use crate::domain::{ErrorBody, User};
use crate::server::auth::CurrentUser;
use crate::server::changes::next_change_seq;
use crate::server::idempotent::{check_id, fingerprint, is_replay};
use crate::server::json::ApiJson;
use crate::server::openapi::{BodyRefusals, NotFound};
use crate::server::verdicts::already_given;
use crate::server::{AppState, Error, Result};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(judge))
}

const VERDICT_ID_TAKEN: &str = "此编号已用于另一条评价 (this id holds a different verdict)";

/// The concern a verdict is about.
#[derive(sqlx::FromRow)]
struct Judged {
    status: String,
    reopened: i64,
    timeline: String,
}

/// The rider's verdict on their closed concern: `satisfied` or `unsatisfied`, with an optional comment.
/// `unsatisfied` reopens it once.
#[utoipa::path(put, path = "/concern-verdicts/{id}", tag = "concerns", operation_id = "judge_concern", security(("bearer" = [])),
    params(("id" = String, Path, description = "The verdict's id, a UUID made on the rider's phone", format = "uuid")),
    request_body(content = ConcernVerdict, example = json!({"concern_id": "0193a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b",
        "verdict": "satisfied", "comment": "物业已经放行了，谢谢"})),
    responses(
        (status = 201, description = "Recorded: the concern as it now is (reopened by `unsatisfied` the first time)", body = Concern),
        (status = 200, description = "A replay: this verdict was given already", body = Concern),
        BodyRefusals,
        (status = 404, response = NotFound),
        (status = 409, description = "A different verdict on this closing (`already_rated`), or this id holds a \
different verdict (`id_conflict`)", body = ErrorBody),
        (status = 422, description = "The concern is not closed (`not_resolved`), or the comment is too long \
(`invalid_input`)", body = ErrorBody),
    )
)]
async fn judge(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ConcernVerdict>,
) -> Result<(StatusCode, Json<Concern>)> {
    check_id(&id, "a verdict id is a UUID")?;
    body.validate().map_err(|e| Error::Invalid(json!(e)))?;
    let fingerprint = fingerprint(&body)?;
    let now = OffsetDateTime::now_utc();
    let (db, concern_id) = (&state.db, &body.concern_id);
    let current = move |status| async move {
        let concern = load_concern(db, concern_id).await?;
        Ok((status, Json(concern.ok_or(Error::NotFound)?)))
    };
    let (_turn, mut tx) = state.begin_write().await?;
    let seq = next_change_seq(&mut tx).await?;
    let stored = db::query_as("SELECT user_id, fingerprint FROM concern_verdicts WHERE id = ?")
        .bind(&id)
        .fetch_optional(&mut tx)
        .await?;
    if is_replay(stored, &user.id, &fingerprint, VERDICT_ID_TAKEN)? {
        tx.rollback().await?;
        return current(StatusCode::OK).await;
    }
    let judged: Judged = db::query_as(
        "SELECT status, reopened, timeline FROM concerns WHERE id = ? AND rider_id = ?",
    )
    .bind(&body.concern_id)
    .bind(&user.id)
    .fetch_optional(&mut tx)
    .await?
    .ok_or(Error::NotFound)?;
    let resolution = judged.reopened + 1;
    let given: Option<(String,)> = db::query_as(
        "SELECT verdict FROM concern_verdicts WHERE concern_id = ? AND user_id = ? AND resolution = ?",
    )
    .bind(&body.concern_id)
    .bind(&user.id)
    .bind(resolution)
    .fetch_optional(&mut tx)
    .await?;
    if already_given(given, body.verdict)? {
        tx.rollback().await?;
        return current(StatusCode::OK).await;
    }
    let closed = ConcernStatus::from_code(&judged.status).is_some_and(ConcernStatus::is_closed);
    if !closed {
        return Err(Error::Protocol {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: code::NOT_RESOLVED,
            message: "尚未办结，不能评价 (the concern is not closed)",
            details: None,
        });
    }
    let given = Given {
        id: &id,
        verdict: &body,
        fingerprint: &fingerprint,
        resolution,
        now,
        seq,
    };
    record(&mut tx, &state, &user, &judged, given).await?;
    tx.commit().await?;
    current(StatusCode::CREATED).await
}

/// One verdict as it is given.
struct Given<'a> {
    id: &'a str,
    verdict: &'a ConcernVerdict,
    fingerprint: &'a str,
    resolution: i64,
    now: OffsetDateTime,
    seq: i64,
}

/// Records a verdict on the concern's current closing with its count and, for a first 不满意, the reopening: back
/// to its station, accepted, a new deadline to answer, the comment in the timeline.
async fn record(
    tx: &mut Tx,
    state: &AppState,
    user: &User,
    judged: &Judged,
    g: Given<'_>,
) -> Result<()> {
    let at = format_time(g.now);
    db::query(
        "INSERT INTO concern_verdicts (id, concern_id, user_id, resolution, verdict, comment, fingerprint, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(g.id)
    .bind(&g.verdict.concern_id)
    .bind(&user.id)
    .bind(g.resolution)
    .bind(g.verdict.verdict.code())
    .bind(&g.verdict.comment)
    .bind(g.fingerprint)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    let reopen = reopens(g.verdict.verdict, judged.reopened);
    let mut timeline: Vec<ConcernStep> =
        serde_json::from_str(&judged.timeline).map_err(anyhow::Error::from)?;
    if g.verdict.verdict == Verdict::Unsatisfied {
        let said = if reopen {
            "骑手不满意，重新办理"
        } else {
            "骑手再次不满意，已报区里复核"
        };
        let comment = g
            .verdict
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        timeline.push(ConcernStep {
            at: at.clone(),
            status: if reopen {
                ConcernStatus::Accepted
            } else {
                ConcernStatus::from_code(&judged.status).unwrap_or(ConcernStatus::Resolved)
            },
            kind: None,
            text: Some(comment.map_or(said.to_owned(), |c| format!("{said}：{c}"))),
            by: Some(user.name.clone()),
            to: None,
            action: None,
        });
    }
    let counted = match g.verdict.verdict {
        Verdict::Satisfied => "satisfied = satisfied + 1",
        Verdict::Unsatisfied => "unsatisfied = unsatisfied + 1",
    };
    db::query(format!(
        "UPDATE concerns SET {counted}, timeline = ?, version = version + 1, updated_at = ?, change_seq = ?,
                status = CASE WHEN ? THEN 'accepted' ELSE status END,
                reopened = reopened + ?, closed_at = CASE WHEN ? THEN NULL ELSE closed_at END,
                reply_deadline = CASE WHEN ? THEN ? ELSE reply_deadline END
         WHERE id = ?"
    ))
    .bind(serde_json::to_string(&timeline).map_err(anyhow::Error::from)?)
    .bind(&at)
    .bind(g.seq)
    .bind(reopen)
    .bind(i64::from(reopen))
    .bind(reopen)
    .bind(reopen)
    .bind(format_time(g.now + state.config.concern_reply))
    .bind(&g.verdict.concern_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
