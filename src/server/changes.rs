//! `GET /changes`: everything the caller may see that changed after their cursor, in commit order.

use crate::server::db::{self, Tx};
use axum::extract::{Query, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::CurrentUser;
use super::checkins::load_checkin;
use super::concerns::load_concern;
use super::openapi::{Invalid, Malformed, Unauthorized};
use super::reference::{list_categories, list_departments, list_grids, list_stations};
use super::reports::{load_reports, Viewer};
use super::{AppState, Error, Result};
use crate::domain::change::{decode_cursor, encode_cursor, Change, ChangeKind, ChangePage};
use crate::domain::{Role, User};

pub const DEFAULT_LIMIT: i64 = 100;

/// The next page of what the caller may see: ?1 the cursor's position, ?2 the page size (+1, to tell whether more
/// follow), ?3 admin, ?4 the user, ?5 their grid (grid workers), ?6 their department (department staff), ?7 their
/// station (station staff). What a user may see is the rule of [`super::reports::visible_sql`], asked here one way
/// at a time — everything (admins), their own, their grid's, the originals of their duplicates, those called to
/// their department; their check-ins, their station's; their concerns, their station's, those forwarded to their department — so that each part
/// reads its own index from the cursor on and stops after a page, however large the tables grow. A row may come
/// twice (a worker's own report in their grid); the caller drops the second.
pub const FEED_SQL: &str = "
    SELECT kind, id, change_seq FROM (
        SELECT 'category' AS kind, code AS id, change_seq FROM categories WHERE change_seq > ?1
        UNION ALL SELECT 'station', id, change_seq FROM stations WHERE change_seq > ?1
        UNION ALL SELECT 'grid', id, change_seq FROM grids WHERE change_seq > ?1
        UNION ALL SELECT 'department', code, change_seq FROM departments WHERE change_seq > ?1
        UNION ALL SELECT * FROM (SELECT 'report', id, change_seq FROM reports
            WHERE ?3 AND change_seq > ?1 ORDER BY change_seq LIMIT ?2) AS part1
        UNION ALL SELECT * FROM (SELECT 'report', id, change_seq FROM reports
            WHERE NOT ?3 AND reporter_id = ?4 AND change_seq > ?1 ORDER BY change_seq LIMIT ?2) AS part2
        UNION ALL SELECT * FROM (SELECT 'report', id, change_seq FROM reports
            WHERE NOT ?3 AND grid_id = ?5 AND change_seq > ?1 ORDER BY change_seq LIMIT ?2) AS part3
        UNION ALL SELECT 'report', o.id, o.change_seq FROM reports o WHERE NOT ?3 AND o.change_seq > ?1
            AND o.id IN (SELECT d.duplicate_of FROM reports d WHERE d.reporter_id = ?4 AND d.duplicate_of IS NOT NULL)
        UNION ALL SELECT 'report', r.id, r.change_seq FROM task_calls c JOIN reports r ON r.id = c.report_id
            WHERE NOT ?3 AND c.department_id = ?6 AND r.change_seq > ?1
        UNION ALL SELECT * FROM (SELECT 'checkin', id, change_seq FROM checkins
            WHERE ?3 AND change_seq > ?1 ORDER BY change_seq LIMIT ?2) AS part4
        UNION ALL SELECT * FROM (SELECT 'checkin', id, change_seq FROM checkins
            WHERE NOT ?3 AND rider_id = ?4 AND change_seq > ?1 ORDER BY change_seq LIMIT ?2) AS part5
        UNION ALL SELECT * FROM (SELECT 'checkin', id, change_seq FROM checkins
            WHERE NOT ?3 AND station_id = ?7 AND change_seq > ?1 ORDER BY change_seq LIMIT ?2) AS part6
        UNION ALL SELECT * FROM (SELECT 'concern', id, change_seq FROM concerns
            WHERE ?3 AND change_seq > ?1 ORDER BY change_seq LIMIT ?2) AS part7
        UNION ALL SELECT * FROM (SELECT 'concern', id, change_seq FROM concerns
            WHERE NOT ?3 AND rider_id = ?4 AND change_seq > ?1 ORDER BY change_seq LIMIT ?2) AS part8
        UNION ALL SELECT * FROM (SELECT 'concern', id, change_seq FROM concerns
            WHERE NOT ?3 AND station_id = ?7 AND change_seq > ?1 ORDER BY change_seq LIMIT ?2) AS part9
        UNION ALL SELECT * FROM (SELECT 'concern', id, change_seq FROM concerns
            WHERE NOT ?3 AND department_id = ?6 AND change_seq > ?1 ORDER BY change_seq LIMIT ?2) AS part10
    ) AS feed ORDER BY change_seq LIMIT ?2";
pub const MAX_LIMIT: i64 = 500;

/// Takes the next place in the change feed. Being the transaction's first write, it also takes SQLite's write
/// lock, so everything the transaction reads after it is current.
pub async fn next_change_seq(tx: &mut Tx) -> Result<i64> {
    let (seq,): (i64,) =
        db::query_as("UPDATE feed_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq")
            .fetch_one(&mut *tx)
            .await?;
    Ok(seq)
}

/// Up to `limit` rows (kind, id, position) of what `user` may see after position `after`, and the feed's newest
/// position, read in `tx` (one snapshot).
async fn feed_rows(
    tx: &mut Tx,
    user: &User,
    after: i64,
    limit: i64,
) -> Result<(Vec<(String, String, i64)>, i64)> {
    let query = db::query_as::<(String, String, i64)>(FEED_SQL)
        .bind(after)
        .bind(limit);
    // ?7: the station whose check-ins station staff see.
    let station = user
        .station_id
        .clone()
        .filter(|_| user.role == Role::StationStaff);
    let rows = Viewer::of(user)
        .binds(query)
        .bind(station)
        .fetch_all(&mut *tx)
        .await?;
    let (counter,): (i64,) = db::query_as("SELECT seq FROM feed_counter WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    Ok((rows, counter))
}

/// Whether anything `user` may see changed after position `after`, and the feed's newest position (read in one
/// snapshot): what a live stream asks after each commit.
pub async fn newer_for(state: &AppState, user: &User, after: i64) -> Result<(bool, i64)> {
    let mut tx = state.db.begin_read().await?;
    let (rows, counter) = feed_rows(&mut tx, user, after, 1).await?;
    tx.commit().await?;
    Ok((!rows.is_empty(), counter))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(changes))
}

/// A page's `limit` from its query: `default` when none is given, else a whole number from 1 to `max` (anything
/// else is a `422` naming `limit`).
pub fn page_limit(raw: Option<&str>, default: i64, max: i64) -> Result<i64> {
    match raw {
        None => Ok(default),
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=max).contains(l))
            .ok_or_else(|| {
                Error::Invalid(
                    serde_json::json!({"limit": format!("a whole number from 1 to {max}")}),
                )
            }),
    }
}

/// The query of `GET /changes`; the values are checked here, so a bad one is a `422` naming its field.
#[derive(serde::Deserialize)]
struct FeedParams {
    cursor: Option<String>,
    limit: Option<String>,
}

/// Everything the caller may see that changed after `cursor`, in the server's commit order. Without a cursor:
/// everything (a full resync). Paging while the server writes never skips a change; applying one twice is harmless.
#[utoipa::path(get, path = "/changes", tag = "sync", operation_id = "changes", security(("bearer" = [])),
    params(
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page; none for everything",
            pattern = "^(c[0-9]{1,18})?$"),
        ("limit" = Option<i64>, Query, description = "Changes per page", minimum = 1, maximum = 500),
    ),
    responses(
        (status = 200, description = "A page of changes", body = ChangePage),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 422, response = Invalid),
    )
)]
async fn changes(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<FeedParams>,
) -> Result<Json<ChangePage>> {
    let after = match params.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => -1,
        Some(c) => decode_cursor(c)
            .ok_or_else(|| Error::Invalid(serde_json::json!({"cursor": "unknown cursor"})))?,
    };
    let limit = page_limit(params.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
    let viewer = Viewer::of(&user);
    // One read transaction: the page and the counter come from the same snapshot.
    let mut tx = state.db.begin_read().await?;
    let (mut rows, counter) = feed_rows(&mut tx, &user, after, limit + 1).await?;
    let (epoch,): (String,) = db::query_as("SELECT epoch FROM server_epoch WHERE id = 1")
        .fetch_one(&mut tx)
        .await?;
    tx.commit().await?;

    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = if has_more {
        rows.last().map_or(after, |r| r.2)
    } else {
        counter.max(after)
    };
    // A report can be both the user's own and their grid's: the parts of the query may each bring it (with the
    // same position, so side by side).
    rows.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);

    let changes = changes_of(&state, &viewer, rows).await?;
    Ok(Json(ChangePage {
        changes,
        next_cursor: encode_cursor(next),
        has_more,
        epoch: Some(epoch),
    }))
}

/// The changes of `rows` (kind, id, position), each with its data as `viewer` may see it; reference data is read
/// once per kind, the reports together. A row whose item is gone is left out.
async fn changes_of(
    state: &AppState,
    viewer: &Viewer,
    rows: Vec<(String, String, i64)>,
) -> Result<Vec<Change>> {
    let needs = |k: &str| rows.iter().any(|r| r.0 == k);
    let categories = if needs("category") {
        list_categories(&state.db).await?
    } else {
        vec![]
    };
    let stations = if needs("station") {
        list_stations(&state.db).await?
    } else {
        vec![]
    };
    let grids = if needs("grid") {
        list_grids(&state.db).await?
    } else {
        vec![]
    };
    let departments = if needs("department") {
        list_departments(&state.db).await?
    } else {
        vec![]
    };
    let report_ids: Vec<&str> = rows
        .iter()
        .filter(|r| r.0 == "report")
        .map(|r| r.1.as_str())
        .collect();
    let mut reports = load_reports(&state.db, &report_ids).await?;
    let mut changes = Vec::with_capacity(rows.len());
    for (kind, id, _) in rows {
        let (kind, data) = match kind.as_str() {
            "category" => (
                ChangeKind::Category,
                categories
                    .iter()
                    .find(|c| c.code == id)
                    .map(serde_json::to_value),
            ),
            "station" => (
                ChangeKind::Station,
                stations
                    .iter()
                    .find(|s| s.id == id)
                    .map(serde_json::to_value),
            ),
            "grid" => (
                ChangeKind::Grid,
                grids.iter().find(|g| g.id == id).map(serde_json::to_value),
            ),
            "department" => (
                ChangeKind::Department,
                departments
                    .iter()
                    .find(|d| d.code == id)
                    .map(serde_json::to_value),
            ),
            "concern" => (
                ChangeKind::Concern,
                load_concern(&state.db, &id)
                    .await?
                    .as_ref()
                    .map(serde_json::to_value),
            ),
            "checkin" => (
                ChangeKind::Checkin,
                load_checkin(&state.db, &id)
                    .await?
                    .as_ref()
                    .map(serde_json::to_value),
            ),
            _ => (
                ChangeKind::Report,
                reports
                    .remove(&id)
                    .map(|r| viewer.shape(r))
                    .as_ref()
                    .map(serde_json::to_value),
            ),
        };
        if let Some(data) = data {
            changes.push(Change {
                kind,
                id,
                data: data.map_err(anyhow::Error::from)?,
            });
        }
    }
    Ok(changes)
}
