//! 随手拍 reports: `PUT /reports/{id}` (idempotent forever, by the phone's id and a fingerprint of the content)
//! and `GET /reports/{id}`. Each new report is routed to its grid and becomes a level-1 task, `received`.
use crate::server::db::{self, TurnKey, Tx};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::CurrentUser;
use super::changes::next_change_seq;
use super::district::categories::deadlines_for;
use super::idempotent::is_replay;
use super::json::ApiJson;
use super::openapi::{BodyRefusals, Forbidden, Malformed, NotFound, Unauthorized};
use super::reference::{list_categories, list_grids};
use super::secret::sha256_hex;
use super::{AppState, Error, Result};
use crate::domain::timestamp::format_time;
use crate::domain::{
    ErrorBody, GeoPoint, Grid, Report, ReportStatus, ReportSubmission, Role, TimelineEntry,
};

mod duplicates;
mod groups;
mod load;
mod visibility;

pub use duplicates::POSSIBLE_DUPLICATES_SQL;
pub use load::{load_report, load_reports, LOAD_REPORTS_SQL, LOAD_REPORT_SQL};
pub use visibility::{visible_sql, Viewer};

pub use duplicates::is_recurring;
use duplicates::possible_duplicates;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit, fetch))
        .merge(groups::router())
}

const REPORT_ID_TAKEN: &str =
    "此编号已用于另一份内容不同的上报 (this report id is taken by different content)";

/// Submits a report under the id the phone made. The id is unique forever: the same content again is a replay
/// (`200`), different content a conflict (`409`). The photos must be uploaded first.
#[utoipa::path(put, path = "/reports/{id}", tag = "reports", operation_id = "submit_report", security(("bearer" = [])),
    params(("id" = String, Path, description = "The report's id, a UUID made on the phone (v7 preferred)", format = "uuid")),
    request_body(content = ReportSubmission, example = json!({
        "category": "manhole_cover", "urgent": true, "description": "人行道井盖缺失，夜里很危险",
        "lat": 30.8812, "lon": 104.2519, "accuracy_m": 12.0, "address": "郫都区犀浦镇百草路 88 号",
        "photos": ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
        "captured_at": "2026-11-26T08:00:00.000Z"})),
    responses(
        (status = 201, description = "Received: the report is now a task of its grid", body = Report),
        (status = 200, description = "A replay of the same report: nothing changed", body = Report),
        BodyRefusals,
        (status = 403, response = Forbidden),
        (status = 409, description = "This id holds different content, or another user's report (`id_conflict`); nothing changed",
         body = ErrorBody),
        (status = 422, description = "Invalid fields (`invalid_input`, per field in `details`) or photos not uploaded yet \
(`photo_missing`, `details.missing` lists them)", body = ErrorBody,
         example = json!({"error": {"code": "photo_missing", "message": "请先上传照片 (upload the listed photos first)",
            "details": {"missing": ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]}}})),
    )
)]
async fn submit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReportSubmission>,
) -> Result<(StatusCode, Json<Report>)> {
    if user.role == Role::StationStaff {
        return Err(Error::Forbidden);
    }
    if uuid::Uuid::parse_str(&id).is_err() || id.len() != 36 {
        return Err(Error::Invalid(
            serde_json::json!({"id": "a report id is a UUID"}),
        ));
    }
    let now = OffsetDateTime::now_utc();
    let categories = list_categories(&state.db).await?;
    body.validate(now, |code| {
        categories.iter().any(|c| c.code == code && !c.retired)
    })
    .map_err(|errors| Error::Invalid(serde_json::json!(errors)))?;
    let canonical = body.canonical();
    let submitted = serde_json::to_string(&canonical).map_err(anyhow::Error::from)?;
    let fingerprint = sha256_hex(submitted.as_bytes());
    let grids = list_grids(&state.db).await?;

    // Its writer takes turns with the writers of the same id (a phone's retry through another instance) and of
    // the same neighbourhood (another report of the hazard), not with every writer: what is decided about a new
    // report rests on those alone.
    let mut keys = match (canonical.lat, canonical.lon) {
        (Some(lat), Some(lon)) => duplicates::neighbourhood(PLACE_TURN, lat, lon),
        _ => vec![],
    };
    keys.push(id_turn(&id));
    let (_turn, mut tx) = state.begin_keyed_write(&keys).await?;
    // Received now that it has its turn: a neighbour that had the turn before it was received before it, and is
    // within the window its possible duplicates are looked for in.
    let now = OffsetDateTime::now_utc();
    let received = format_time(now);
    // A report made anonymous by retention names no reporter any more: whoever replays its id with the very same
    // content made it (the id never left their phone) and gets the replay, as before.
    let existing: Option<(String, String)> = db::query_as(
        "SELECT CASE WHEN reporter_id = ?2 THEN ?3 ELSE reporter_id END, fingerprint FROM reports WHERE id = ?1",
    )
    .bind(&id)
    .bind(super::personal::ANONYMOUS)
    .bind(&user.id)
    .fetch_optional(&mut tx)
    .await?;
    if is_replay(existing, &user.id, &fingerprint, REPORT_ID_TAKEN)? {
        tx.rollback().await?;
        let report = load_report(&state.db, &id).await?.ok_or(Error::NotFound)?;
        return Ok((StatusCode::OK, Json(Viewer::of(&user).shape(report))));
    }
    let missing = not_uploaded_by(&mut tx, &user.id, &canonical.photos).await?;
    if !missing.is_empty() {
        tx.rollback().await?;
        return Err(Error::photo_missing(&missing));
    }
    // Its neighbours, looked up while this write has the neighbourhood's turn: two reports of one hazard arriving
    // together cannot both start a group.
    let duplicates = possible_duplicates(&mut tx, &id, &canonical, &received).await?;
    let hotspot = is_recurring(&mut tx, &id, &canonical, &received).await?;
    let (grid_id, by_nearest) = grid_of(&grids, &canonical);
    let at = received;
    if !duplicates.is_empty() {
        // Joining another report's group changes that report, which task actions change too: the common turn.
        tx.take_turn().await?;
    }
    let group = groups::group_to_join(&mut tx, &duplicates, grid_id.as_deref()).await?;
    let (status, timeline, deadline) = match &group {
        Some(_) => (ReportStatus::Rejected, groups::joined_timeline(&at), None),
        None => {
            // The 清单's deadlines for this category, else the server's.
            let rules = deadlines_for(&mut tx, &canonical.category, state.config.deadlines).await?;
            let deadline = rules
                .after(ReportStatus::Received, 1, canonical.urgent, now, None, None)
                .map(format_time);
            let timeline = vec![TimelineEntry::new(at.clone(), ReportStatus::Received)];
            (ReportStatus::Received, timeline, deadline)
        }
    };
    // Its place in the feed last: the counter's row stays taken to the commit, so places follow commits, and
    // for as short a time as can be.
    let seq = next_change_seq(&mut tx).await?;
    db::query(
        "INSERT INTO reports (id, reporter_id, fingerprint, submitted, category, grid_id, grid_by_nearest, status,
                              level, version, received_at, updated_at, timeline, change_seq, deadline, lat, lon,
                              possible_duplicates, hotspot, duplicate_of, closed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&user.id)
    .bind(&fingerprint)
    .bind(&submitted)
    .bind(&canonical.category)
    .bind(&grid_id)
    .bind(by_nearest)
    .bind(status.code())
    .bind(&at)
    .bind(&at)
    .bind(serde_json::to_string(&timeline).map_err(anyhow::Error::from)?)
    .bind(seq)
    .bind(&deadline)
    .bind(canonical.lat)
    .bind(canonical.lon)
    .bind(serde_json::to_string(&duplicates).map_err(anyhow::Error::from)?)
    .bind(hotspot)
    .bind(&group)
    .bind(group.as_ref().map(|_| &at))
    .execute(&mut tx)
    .await?;
    for sha in &canonical.photos {
        db::query("INSERT INTO report_photos (report_id, sha256) VALUES (?, ?)")
            .bind(&id)
            .bind(sha)
            .execute(&mut tx)
            .await?;
    }
    if let Some(group) = &group {
        let joining = groups::Joining {
            id: &id,
            reporter_id: &user.id,
            photos: &canonical.photos,
            at: &at,
            hotspot,
        };
        groups::join(&mut tx, joining, group).await?;
    }
    tx.commit().await?;
    tracing::info!(report = %id, grid = ?grid_id, by_nearest, joined = ?group, "report received");
    let report = load_report(&state.db, &id).await?.ok_or(Error::NotFound)?;
    Ok((StatusCode::CREATED, Json(Viewer::of(&user).shape(report))))
}

/// The kinds of writers' turns of a report: by its id, by the squares around its place.
const ID_TURN: i32 = 1;
const PLACE_TURN: i32 = 2;

/// The writers' turn of report `id` (a UUID: its last 32 bits, random in the phone's v7 ids).
fn id_turn(id: &str) -> TurnKey {
    let bits = uuid::Uuid::parse_str(id).map_or(0, |u| u.as_u128());
    TurnKey(ID_TURN, bits as i32)
}

/// The photos of `photos` that `user_id` did not upload: knowing a hash is no licence to someone else's photo.
pub(crate) async fn not_uploaded_by(
    tx: &mut Tx,
    user_id: &str,
    photos: &[String],
) -> Result<Vec<String>> {
    let mut missing = Vec::new();
    for sha in photos {
        let found: Option<(bool,)> = db::query_as(
            "SELECT TRUE FROM photos p JOIN photo_uploads u ON u.sha256 = p.sha256 WHERE p.sha256 = ? AND u.user_id = ?",
        )
        .bind(sha)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_none() {
            missing.push(sha.clone());
        }
    }
    Ok(missing)
}

/// The grid a report goes to, and whether it was the nearest one (its place in none, or no place: no grid).
fn grid_of(grids: &[Grid], report: &ReportSubmission) -> (Option<String>, bool) {
    let route = match (report.lat, report.lon) {
        (Some(lat), Some(lon)) => Grid::route(grids, GeoPoint::new(lat, lon)),
        _ => None,
    };
    match route {
        Some((grid, nearest)) => (Some(grid.id.clone()), nearest),
        None => (None, true),
    }
}

/// A report, to its reporter, to the grid workers of its grid and to admins.
#[utoipa::path(get, path = "/reports/{id}", tag = "reports", operation_id = "get_report", security(("bearer" = [])),
    params(("id" = String, Path, description = "The report's id")),
    responses(
        (status = 200, description = "The report and what became of it", body = Report),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn fetch(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Report>> {
    let viewer = Viewer::of(&user);
    let sql = format!(
        "SELECT TRUE FROM reports r WHERE r.id = ?1 AND {}",
        visible_sql(2)
    );
    viewer
        .binds(db::query_as::<(bool,)>(&sql).bind(&id))
        .fetch_optional(&state.db)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(viewer.shape(
        load_report(&state.db, &id).await?.ok_or(Error::NotFound)?,
    )))
}

#[cfg(test)]
mod tests {
    use crate::domain::ReportStatus;

    /// Every `status IN (…)` list of the server's SQL and of the migrations' partial indexes.
    fn status_lists(sql: &str) -> Vec<Vec<String>> {
        sql.split("status IN (")
            .skip(1)
            .map(|rest| {
                let list = rest.split(')').next().unwrap_or_default();
                let mut codes: Vec<String> = list
                    .split(',')
                    .map(|c| c.trim().trim_matches('\'').to_owned())
                    .collect();
                codes.sort();
                codes
            })
            .collect()
    }

    #[test]
    fn the_sql_means_by_open_what_the_domain_means() {
        let mut open: Vec<String> = ReportStatus::OPEN
            .iter()
            .map(|s| s.code().to_owned())
            .collect();
        open.sort();
        let sources = [
            super::LOAD_REPORT_SQL,
            super::POSSIBLE_DUPLICATES_SQL,
            crate::server::district::grids::FLAG_OPEN_TASKS_SQL,
            include_str!("../../../migrations/sqlite/0008_open_reports_by_category.sql"),
            include_str!("../../../migrations/sqlite/0009_report_places_and_duplicates.sql"),
        ];
        let mut seen = 0;
        for sql in sources {
            for list in status_lists(sql) {
                assert_eq!(list, open, "a status list in {sql}");
                seen += 1;
            }
        }
        assert_eq!(seen, 5, "every list was found");
        for status in [ReportStatus::Resolved, ReportStatus::Rejected] {
            assert!(!status.is_open());
        }
    }
}
