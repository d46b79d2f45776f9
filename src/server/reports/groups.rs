//! One hazard, one task: a report of the same category within 50 m of an open report of its grid received in the
//! 7 days before joins that report's group at receipt (the earliest such report that is not itself joined to
//! another). It is closed at once as a duplicate of the group's report (`duplicate_of`), whose progress its
//! reporter follows; the grid worker sees one task that says how many joined it, and pages through them with
//! `GET /reports/{id}/joined`.
use crate::server::db::{self, Tx};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{visible_sql, Viewer};
use crate::domain::report::{JoinedPage, JoinedReport};
use crate::domain::task::points_for_duplicate;
use crate::domain::{ReportStatus, TimelineEntry};
use crate::server::auth::CurrentUser;
use crate::server::changes::{next_change_seq, page_limit};
use crate::server::openapi::{Forbidden, Invalid, Malformed, NotFound, Unauthorized};
use crate::server::{AppState, Error, Result};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(joined))
}

/// The step a joined report's timeline shows after its receipt.
pub const JOINED_NOTE: &str =
    "同一处已有人上报这个隐患，已并入一起处理 (already reported here: joined to that report)";

/// The report a new one joins, if any: of `candidates` (its possible duplicates, earliest first), the earliest
/// still open in the same grid that is not itself joined to another.
pub async fn group_to_join(
    tx: &mut Tx,
    candidates: &[String],
    grid_id: Option<&str>,
) -> Result<Option<String>> {
    let Some(grid_id) = grid_id else {
        return Ok(None);
    };
    if candidates.is_empty() {
        return Ok(None);
    }
    let found: Option<(String,)> = db::query_as(format!(
        "SELECT r.id FROM {candidates} c JOIN reports r ON r.id = c.value
         WHERE r.grid_id = ?2 AND r.duplicate_of IS NULL AND r.status IN ('received', 'accepted', 'in_progress')
         ORDER BY r.received_at, r.id LIMIT 1",
        candidates = tx.backend().json_values("?1"),
    ))
    .bind(serde_json::to_string(candidates).map_err(anyhow::Error::from)?)
    .bind(grid_id)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(found.map(|(id,)| id))
}

/// The timeline of a report joined at `at`: received, and closed at once as joined.
pub fn joined_timeline(at: &str) -> Vec<TimelineEntry> {
    vec![
        TimelineEntry::new(at, ReportStatus::Received),
        TimelineEntry {
            note: Some(JOINED_NOTE.to_owned()),
            ..TimelineEntry::new(at, ReportStatus::Rejected)
        },
    ]
}

/// A report joining a group: who filed it, with which photos, when, and whether it makes its place a recurring
/// hotspot.
pub struct Joining<'a> {
    pub id: &'a str,
    pub reporter_id: &'a str,
    pub photos: &'a [String],
    pub at: &'a str,
    pub hotspot: bool,
}

/// Joins a report (just inserted in `tx`, closed, its `duplicate_of` naming `group`) to `group`: the points for a
/// new photo written once; the group's report
/// marked a hotspot when the joining one makes the place one (the worker's one task says so), and moved in the
/// change feed (its count of joined reports changed) without a new version, so a worker's action made on the
/// version they saw still applies.
pub async fn join(tx: &mut Tx, joining: Joining<'_>, group: &str) -> Result<()> {
    let Joining {
        id,
        reporter_id,
        photos,
        at,
        hotspot,
    } = joining;
    let theirs: Vec<(String,)> =
        db::query_as("SELECT sha256 FROM report_photos WHERE report_id = ?")
            .bind(group)
            .fetch_all(&mut *tx)
            .await?;
    let theirs: Vec<String> = theirs.into_iter().map(|(s,)| s).collect();
    if let Some((reason, points)) = points_for_duplicate(photos, &theirs) {
        let awarded = db::query(
            "INSERT INTO points (user_id, report_id, reason, points, awarded_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(reporter_id)
        .bind(id)
        .bind(reason)
        .bind(points)
        .bind(at)
        .execute(&mut *tx)
        .await?
        .rows_affected() as i64
            * points;
        db::query("UPDATE reports SET points_awarded = points_awarded + ? WHERE id = ?")
            .bind(awarded)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let seq = next_change_seq(tx).await?;
    db::query("UPDATE reports SET change_seq = ?, hotspot = hotspot OR ? WHERE id = ?")
        .bind(seq)
        .bind(hotspot)
        .bind(group)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct JoinedParams {
    /// The `next_cursor` of the page before (none: from the first).
    cursor: Option<String>,
    /// At most this many (1–100, 20 by default).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
}

/// The reports joined to one (or rejected as its duplicates), earliest first, a page at a time: for the grid's
/// workers and admins, who handle it. Anyone else who may see the report (its reporter, a department called to
/// it) gets 403: the others' photos and names are not theirs to see.
#[utoipa::path(get, path = "/reports/{id}/joined", tag = "reports", operation_id = "joined_reports", security(("bearer" = [])),
    params(("id" = String, Path, description = "The report's id"), JoinedParams),
    responses(
        (status = 200, description = "A page of the reports joined to it", body = JoinedPage),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Invalid),
    )
)]
async fn joined(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<JoinedParams>,
) -> Result<Json<JoinedPage>> {
    let viewer = Viewer::of(&user);
    let sql = format!(
        "SELECT r.grid_id FROM reports r WHERE r.id = ?1 AND {}",
        visible_sql(2)
    );
    let (grid_id,): (Option<String>,) = viewer
        .binds(db::query_as(&sql).bind(&id))
        .fetch_optional(&state.db)
        .await?
        .ok_or(Error::NotFound)?;
    if !viewer.decides(grid_id.as_deref()) {
        return Err(Error::Forbidden);
    }
    let limit = page_limit(params.limit.as_deref(), 20, 100)?;
    let after = params.cursor.unwrap_or_default();
    let (count,): (i64,) = db::query_as("SELECT COUNT(*) FROM reports WHERE duplicate_of = ?")
        .bind(&id)
        .fetch_one(&state.db)
        .await?;
    // The cursor is the last one's receipt time and id, as `received_at|id`.
    let rows: Vec<(String, String, String, String)> = db::query_as(
        "SELECT r.id, r.received_at, u.name, r.submitted FROM reports r JOIN users u ON u.id = r.reporter_id
         WHERE r.duplicate_of = ?1 AND (r.received_at || '|' || r.id) > ?2
         ORDER BY r.received_at, r.id LIMIT ?3",
    )
    .bind(&id)
    .bind(&after)
    .bind(limit + 1)
    .fetch_all(&state.db)
    .await?;
    let more = rows.len() > limit as usize;
    let mut reports = Vec::with_capacity(rows.len());
    for (id, received_at, reporter_name, submitted) in rows.into_iter().take(limit as usize) {
        let submitted: crate::domain::ReportSubmission =
            serde_json::from_str(&submitted).map_err(anyhow::Error::from)?;
        reports.push(JoinedReport {
            id,
            received_at,
            reporter_name,
            description: submitted.description,
            photos: submitted.photos,
        });
    }
    let next_cursor = more
        .then(|| {
            reports
                .last()
                .map(|r| format!("{}|{}", r.received_at, r.id))
        })
        .flatten();
    Ok(Json(JoinedPage {
        count: count.try_into().unwrap_or(u32::MAX),
        reports,
        next_cursor,
    }))
}
