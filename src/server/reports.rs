//! 随手拍 reports: `PUT /reports/{id}` (idempotent forever, by the phone's id and a fingerprint of the content)
//! and `GET /reports/{id}`. Each new report is routed to its grid and becomes a level-1 task, `received`.
use crate::domain::api_error::code;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use sqlx::{Sqlite, SqlitePool, Transaction};
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::CurrentUser;
use super::json::ApiJson;
use super::openapi::{
    Forbidden, Malformed, NotFound, TooLarge, Unauthorized, UnsupportedMediaType,
};
use super::reference::{list_categories, list_grids};
use super::secret::sha256_hex;
use super::{AppState, Error, Result};
use crate::domain::report::format_time;
use crate::domain::{
    ErrorBody, GeoPoint, Grid, Report, ReportStatus, ReportSubmission, Role, TimelineEntry, User,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(submit, fetch))
}

/// Who may see a report: its reporter, the grid workers of its grid, admins, and the reporters of reports rejected
/// as its duplicates (they follow its progress instead). The one place this is decided:
/// a condition on the alias `r` with three numbered parameters from `first` on, bound with [`Viewer::binds`].
pub fn visible_sql(first: usize) -> String {
    format!(
        "(?{a} OR r.reporter_id = ?{u} OR (r.grid_id IS NOT NULL AND r.grid_id = ?{g})
          OR r.id IN (SELECT d.duplicate_of FROM reports d WHERE d.reporter_id = ?{u} AND d.duplicate_of IS NOT NULL))",
        a = first,
        u = first + 1,
        g = first + 2
    )
}

/// The values of [`visible_sql`]'s parameters for one user.
pub struct Viewer {
    pub admin: bool,
    pub user_id: String,
    pub grid_id: Option<String>,
}

impl Viewer {
    pub fn of(user: &User) -> Viewer {
        Viewer {
            admin: user.role == Role::Admin,
            user_id: user.id.clone(),
            grid_id: user
                .grid_id
                .clone()
                .filter(|_| user.role == Role::GridWorker),
        }
    }

    /// A report as this viewer may see it: possible duplicates (other people's report ids) only for the grid's
    /// workers and admins, who are the ones deciding whether it is a duplicate.
    pub fn shape(&self, mut report: Report) -> Report {
        let decides = self.admin || (self.grid_id.is_some() && self.grid_id == report.grid_id);
        if !decides {
            report.possible_duplicates.clear();
        }
        report
    }

    pub fn binds<'q, O>(
        &'q self,
        query: sqlx::query::QueryAs<'q, Sqlite, O, sqlx::sqlite::SqliteArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, Sqlite, O, sqlx::sqlite::SqliteArguments<'q>> {
        query
            .bind(self.admin)
            .bind(&self.user_id)
            .bind(&self.grid_id)
    }
}

/// Takes the next place in the change feed. Being the transaction's first write, it also takes SQLite's write
/// lock, so everything the transaction reads after it is current.
pub async fn next_change_seq(tx: &mut Transaction<'_, Sqlite>) -> Result<i64> {
    let (seq,): (i64,) =
        sqlx::query_as("UPDATE feed_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq")
            .fetch_one(&mut **tx)
            .await?;
    Ok(seq)
}

fn id_conflict() -> Error {
    Error::Protocol {
        status: StatusCode::CONFLICT,
        code: code::ID_CONFLICT,
        message: "此编号已用于另一份内容不同的上报 (this report id is taken by different content)",
        details: None,
    }
}

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
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, description = "This id holds different content, or another user's report (`id_conflict`); nothing changed",
         body = ErrorBody),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
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
    body.validate(now, |code| categories.iter().any(|c| c.code == code))
        .map_err(|errors| Error::Invalid(serde_json::json!(errors)))?;
    let canonical = body.canonical();
    let submitted = serde_json::to_string(&canonical).map_err(anyhow::Error::from)?;
    let fingerprint = sha256_hex(submitted.as_bytes());
    let grids = list_grids(&state.db).await?;
    let received = format_time(now);
    let duplicates = possible_duplicates(&state.db, &id, &canonical, &received).await?;

    let (_turn, mut tx) = state.begin_write().await?;
    let seq = next_change_seq(&mut tx).await?;
    let existing: Option<(String, String)> =
        sqlx::query_as("SELECT reporter_id, fingerprint FROM reports WHERE id = ?")
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((reporter, stored_fingerprint)) = existing {
        tx.rollback().await?;
        if reporter != user.id || stored_fingerprint != fingerprint {
            return Err(id_conflict());
        }
        let report = load_report(&state.db, &id).await?.ok_or(Error::NotFound)?;
        return Ok((StatusCode::OK, Json(Viewer::of(&user).shape(report))));
    }
    // Only photos this user uploaded: knowing a hash is no licence to someone else's photo.
    let mut missing = Vec::new();
    for sha in &canonical.photos {
        let found: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM photos p JOIN photo_uploads u ON u.sha256 = p.sha256 WHERE p.sha256 = ? AND u.user_id = ?",
        )
        .bind(sha)
        .bind(&user.id)
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_none() {
            missing.push(sha.clone());
        }
    }
    if !missing.is_empty() {
        tx.rollback().await?;
        return Err(Error::photo_missing(&missing));
    }
    let route = match (canonical.lat, canonical.lon) {
        (Some(lat), Some(lon)) => Grid::route(&grids, GeoPoint::new(lat, lon)),
        _ => None,
    };
    let (grid_id, by_nearest) = match route {
        Some((grid, nearest)) => (Some(grid.id.clone()), nearest),
        None => (None, true),
    };
    let at = received;
    let timeline = vec![TimelineEntry {
        at: at.clone(),
        status: ReportStatus::Received,
        note: None,
        photos: vec![],
        by: None,
        kind: None,
        level: None,
    }];
    let deadline = state
        .config
        .deadlines
        .after(ReportStatus::Received, 1, canonical.urgent, now, None, None)
        .map(format_time);
    sqlx::query(
        "INSERT INTO reports (id, reporter_id, fingerprint, submitted, category, grid_id, grid_by_nearest, status,
                              level, version, received_at, updated_at, timeline, change_seq, deadline, lat, lon,
                              possible_duplicates)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'received', 1, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&user.id)
    .bind(&fingerprint)
    .bind(&submitted)
    .bind(&canonical.category)
    .bind(&grid_id)
    .bind(by_nearest)
    .bind(&at)
    .bind(&at)
    .bind(serde_json::to_string(&timeline).map_err(anyhow::Error::from)?)
    .bind(seq)
    .bind(&deadline)
    .bind(canonical.lat)
    .bind(canonical.lon)
    .bind(serde_json::to_string(&duplicates).map_err(anyhow::Error::from)?)
    .execute(&mut *tx)
    .await?;
    for sha in &canonical.photos {
        sqlx::query("INSERT INTO report_photos (report_id, sha256) VALUES (?, ?)")
            .bind(&id)
            .bind(sha)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    tracing::info!(report = %id, grid = ?grid_id, by_nearest, "report received");
    let report = load_report(&state.db, &id).await?.ok_or(Error::NotFound)?;
    Ok((StatusCode::CREATED, Json(Viewer::of(&user).shape(report))))
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
        "SELECT 1 FROM reports r WHERE r.id = ?1 AND {}",
        visible_sql(2)
    );
    viewer
        .binds(sqlx::query_as::<_, (i64,)>(&sql).bind(&id))
        .fetch_optional(&state.db)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(viewer.shape(
        load_report(&state.db, &id).await?.ok_or(Error::NotFound)?,
    )))
}

type ReportRow = (
    Option<String>,
    bool,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    i64,
);

/// Reports with their reporters' names and their possible duplicates still open; the condition on `r` follows.
macro_rules! select_reports {
    ($condition:literal) => {
        concat!(
            "SELECT (SELECT json_group_array(o.id ORDER BY d.key) FROM json_each(r.possible_duplicates) d
                       JOIN reports o ON o.id = d.value AND o.grid_id IS r.grid_id
                       WHERE o.status IN ('received', 'accepted', 'in_progress')),
                    r.possible_duplicates IS NULL,
                    r.duplicate_of, r.id, r.reporter_id, r.submitted, u.name, r.grid_id, r.status, r.level, r.version,
                    r.received_at, r.updated_at, r.deadline, r.timeline, r.points_awarded
             FROM reports r JOIN users u ON u.id = r.reporter_id WHERE ",
            $condition
        )
    };
}

/// One report (?1: its id).
pub const LOAD_REPORT_SQL: &str = select_reports!("r.id = ?1");

/// Several reports at once (?1: their ids as a JSON array).
pub const LOAD_REPORTS_SQL: &str = select_reports!("r.id IN (SELECT value FROM json_each(?1))");

/// Open reports of a category received in a time window inside a box of latitude and longitude: ?1 the category,
/// ?2 and ?3 the window, ?4–?7 the box, ?8 the report itself (left out).
pub const POSSIBLE_DUPLICATES_SQL: &str = "
    SELECT id, lat, lon FROM reports WHERE category = ?1 AND received_at BETWEEN ?2 AND ?3
      AND lat BETWEEN ?4 AND ?5 AND lon BETWEEN ?6 AND ?7 AND id <> ?8
      AND status IN ('received', 'accepted', 'in_progress') ORDER BY received_at";

/// A report as the protocol shows it (no visibility check: callers decide who may see it).
pub async fn load_report(db: &SqlitePool, id: &str) -> Result<Option<Report>> {
    let row: Option<ReportRow> = sqlx::query_as(LOAD_REPORT_SQL)
        .bind(id)
        .fetch_optional(db)
        .await?;
    match row {
        Some(row) => Ok(Some(report_of(db, row).await?)),
        None => Ok(None),
    }
}

/// Reports as the protocol shows them, by id, in one query (no visibility check; unknown ids are left out).
pub async fn load_reports(
    db: &SqlitePool,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, Report>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let ids = serde_json::to_string(ids).map_err(anyhow::Error::from)?;
    let rows: Vec<ReportRow> = sqlx::query_as(LOAD_REPORTS_SQL)
        .bind(ids)
        .fetch_all(db)
        .await?;
    let mut reports = std::collections::HashMap::with_capacity(rows.len());
    for row in rows {
        let report = report_of(db, row).await?;
        reports.insert(report.id.clone(), report);
    }
    Ok(reports)
}

async fn report_of(db: &SqlitePool, row: ReportRow) -> Result<Report> {
    let (
        open_duplicates,
        duplicates_unknown,
        duplicate_of,
        id,
        reporter_id,
        submitted,
        reporter_name,
        grid_id,
        status,
        level,
        version,
        received_at,
        updated_at,
        deadline,
        timeline,
        points,
    ) = row;
    let decode = |what: &str, e: serde_json::Error| {
        Error::Internal(anyhow::anyhow!("{what} of report {id}: {e}"))
    };
    let submitted: ReportSubmission =
        serde_json::from_str(&submitted).map_err(|e| decode("content", e))?;
    // Kept since the report was received, those still open; found now for reports from before that.
    let possible_duplicates = if duplicates_unknown {
        possible_duplicates(db, &id, &submitted, &received_at).await?
    } else {
        serde_json::from_str(open_duplicates.as_deref().unwrap_or("[]"))
            .map_err(|e| decode("possible duplicates", e))?
    };
    Ok(Report {
        possible_duplicates,
        duplicate_of,
        submitted,
        reporter_name,
        grid_id,
        status: ReportStatus::from_code(&status)
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("status {status:?} of report {id}")))?,
        level: level as u8,
        version,
        received_at,
        updated_at,
        deadline,
        timeline: serde_json::from_str(&timeline).map_err(|e| decode("timeline", e))?,
        points_awarded: points,
        reporter_id,
        id,
    })
}

/// How near, how recent and which states make another report a possible duplicate.
const DUPLICATE_RADIUS_M: f64 = 50.0;
const DUPLICATE_WINDOW: time::Duration = time::Duration::days(7);

/// Open reports of the same category within 50 m, received in the 7 days up to this one: those in a box around the
/// place (through `reports_open_by_category`), then by distance.
async fn possible_duplicates(
    db: &SqlitePool,
    id: &str,
    report: &ReportSubmission,
    received_at: &str,
) -> Result<Vec<String>> {
    let (Some(lat), Some(lon)) = (report.lat, report.lon) else {
        return Ok(vec![]);
    };
    let Some(received) = crate::domain::report::parse_time(received_at) else {
        return Ok(vec![]);
    };
    let since = format_time(received - DUPLICATE_WINDOW);
    // Degrees of latitude and longitude that hold 50 m here (with a margin; the distance decides).
    let dlat = DUPLICATE_RADIUS_M / 111_000.0 * 1.1;
    let dlon = dlat / lat.to_radians().cos().abs().max(0.01);
    let rows: Vec<(String, f64, f64)> = sqlx::query_as(POSSIBLE_DUPLICATES_SQL)
        .bind(&report.category)
        .bind(&since)
        .bind(received_at)
        .bind(lat - dlat)
        .bind(lat + dlat)
        .bind(lon - dlon)
        .bind(lon + dlon)
        .bind(id)
        .fetch_all(db)
        .await?;
    let here = GeoPoint::new(lat, lon);
    Ok(rows
        .into_iter()
        .filter(|(_, lat, lon)| here.distance_m(&GeoPoint::new(*lat, *lon)) <= DUPLICATE_RADIUS_M)
        .map(|(other, _, _)| other)
        .collect())
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
            include_str!("../../migrations/0008_open_reports_by_category.sql"),
            include_str!("../../migrations/0009_report_places_and_duplicates.sql"),
        ];
        let mut seen = 0;
        for sql in sources {
            for list in status_lists(sql) {
                assert_eq!(list, open, "a status list in {sql}");
                seen += 1;
            }
        }
        assert_eq!(seen, 4, "every list was found");
        for status in [ReportStatus::Resolved, ReportStatus::Rejected] {
            assert!(!status.is_open());
        }
    }
}
