//! `GET /warnings` and `GET /warnings/history`: each grid's 红黄绿 colour now, with its reasons and since when, and
//! the changes of a grid's colour over time. The colours are judged (domain `warnings`) from the grid's overdue
//! tasks and its recurring hotspots of the last 30 days; every change is recorded — when read, and by `serve` every
//! ten minutes — so the history shows a grid's way from red to green.
use crate::server::db::{self, Db};
use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::timestamp::format_time;
use crate::domain::warnings::{
    hotspots, Color, ColorChange, Hotspot, MapPoints, MapTask, Reason, Sighting, Signals, Warning,
    WarningRules, HOTSPOT_DAYS, MAP_TASKS,
};
use crate::domain::GeoPoint;
use crate::server::auth::CurrentUser;
use crate::server::figures::Scope;
use crate::server::openapi::{Forbidden, Malformed, NotFound, Unauthorized};
use crate::server::{AppState, Error, Result};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(warnings))
        .routes(routes!(history))
        .routes(routes!(map))
}

/// The reports of the last 30 days with a place, per grid (by the index on received_at): what hotspots are found
/// in.
async fn recent_sightings(
    db: &Db,
    now: time::OffsetDateTime,
) -> Result<HashMap<String, Vec<Sighting>>> {
    let since = format_time(now - time::Duration::days(HOTSPOT_DAYS));
    let rows: Vec<(String, String, String, f64, f64, String)> = db::query_as(
        "SELECT id, grid_id, category, lat, lon, received_at FROM reports
         WHERE received_at >= ? AND lat IS NOT NULL AND lon IS NOT NULL AND grid_id IS NOT NULL",
    )
    .bind(since)
    .fetch_all(db)
    .await?;
    let mut by_grid: HashMap<String, Vec<Sighting>> = HashMap::new();
    for (id, grid, category, lat, lon, received) in rows {
        let received = crate::domain::timestamp::parse_time(&received)
            .map(|t| t.unix_timestamp())
            .unwrap_or_default();
        by_grid.entry(grid).or_default().push(Sighting {
            id,
            category,
            at: GeoPoint::new(lat, lon),
            received,
        });
    }
    Ok(by_grid)
}

/// The signals of every grid in service in `scope` at `now`.
async fn signals(
    db: &Db,
    scope: &Scope,
    now: time::OffsetDateTime,
) -> Result<Vec<(String, Signals)>> {
    let grids: Vec<(String,)> = db::query_as(
        "SELECT id FROM grids WHERE retired_at IS NULL
           AND (?1 IS NULL OR street = ?1) AND (?2 IS NULL OR id = ?2) AND (?3 IS NULL OR community = ?3)
         ORDER BY id",
    )
    .bind(&scope.street)
    .bind(&scope.grid)
    .bind(&scope.community)
    .fetch_all(db)
    .await?;
    // Past their deadline, or a called department past its 报到: each read by its own index.
    let overdue: HashMap<String, u32> = db::query_as::<(String, i64)>(
        "SELECT grid_id, count(*) FROM reports
         WHERE status IN ('received', 'accepted', 'in_progress') AND grid_id IS NOT NULL
           AND (deadline < ?1 OR acknowledge_deadline < ?1)
         GROUP BY grid_id",
    )
    .bind(format_time(now))
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|(g, n)| (g, n as u32))
    .collect();
    let by_grid = recent_sightings(db, now).await?;
    // 满意率 of the verdicts given in the last 30 days, per grid.
    let verdicts: HashMap<String, (f64, u32)> = db::query_as::<(String, i64, i64)>(
        "SELECT r.grid_id, count(*) FILTER (WHERE v.verdict = 'satisfied'), count(*) FROM verdicts v JOIN reports r ON r.id = v.report_id
         WHERE v.at >= ? AND r.grid_id IS NOT NULL GROUP BY r.grid_id",
    )
    .bind(format_time(now - time::Duration::days(HOTSPOT_DAYS)))
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|(g, satisfied, n)| (g, (satisfied as f64 / n as f64, n as u32)))
    .collect();
    Ok(grids
        .into_iter()
        .map(|(grid,)| {
            let hot = by_grid.get(&grid).map_or(0, |s| hotspots(s).len() as u32);
            let s = Signals {
                overdue: overdue.get(&grid).copied().unwrap_or(0),
                hotspots: hot,
                satisfaction: verdicts.get(&grid).copied(),
            };
            (grid, s)
        })
        .collect())
}

/// Each grid's colour in `scope` now, recording every change since the last one recorded.
pub async fn judge_and_record(
    state: &AppState,
    scope: &Scope,
    now: time::OffsetDateTime,
) -> Result<Vec<Warning>> {
    let rules: WarningRules = state.config.warnings;
    let judged: Vec<(String, Color, Vec<Reason>)> = signals(&state.db, scope, now)
        .await?
        .into_iter()
        .map(|(grid, s)| {
            let (color, reasons) = rules.judge(s);
            (grid, color, reasons)
        })
        .collect();
    let (_turn, mut tx) = state.begin_write().await?;
    let mut out = vec![];
    for (grid, color, causes) in judged {
        let reasons: Vec<String> = causes.iter().map(Reason::zh).collect();
        // The last recorded colour, and since when the grid has had it (the first of its run of that colour).
        // (As of `now`: a history written for days past is compared with what was known on each of them.)
        let last: Option<(String, String)> = db::query_as(
            "SELECT color, reasons FROM warning_history WHERE grid_id = ? AND at <= ?
             ORDER BY at DESC, id DESC LIMIT 1",
        )
        .bind(&grid)
        .bind(format_time(now))
        .fetch_optional(&mut tx)
        .await?;
        let reasons_json = serde_json::to_string(&reasons).map_err(anyhow::Error::from)?;
        if last.as_ref() != Some(&(color.code().to_owned(), reasons_json.clone())) {
            db::query(
                "INSERT INTO warning_history (grid_id, color, reasons, at) VALUES (?, ?, ?, ?)",
            )
            .bind(&grid)
            .bind(color.code())
            .bind(&reasons_json)
            .bind(format_time(now))
            .execute(&mut tx)
            .await?;
        }
        let (since,): (String,) = db::query_as(
            "SELECT coalesce(min(at), ?3) FROM warning_history
             WHERE grid_id = ?1 AND at <= ?3 AND at > coalesce(
                 (SELECT max(at) FROM warning_history WHERE grid_id = ?1 AND color <> ?2 AND at <= ?3), '')",
        )
        .bind(&grid)
        .bind(color.code())
        .bind(format_time(now))
        .fetch_one(&mut tx)
        .await?;
        out.push(Warning {
            grid_id: grid,
            color,
            reasons,
            causes,
            since,
        });
    }
    tx.commit().await?;
    Ok(out)
}

/// Each grid's colour now (red, yellow or green) with its reasons in words and since when. Admins and officials
/// (of the district or one 街道), grid workers for their grid.
#[utoipa::path(get, path = "/warnings", tag = "figures", operation_id = "warnings", security(("bearer" = [])),
    responses(
        (status = 200, description = "A colour per grid in service", body = Vec<Warning>),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
async fn warnings(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Vec<Warning>>> {
    let scope = Scope::of(&user)?;
    Ok(Json(
        judge_and_record(&state, &scope, time::OffsetDateTime::now_utc()).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HistoryParams {
    /// The grid.
    #[param(example = "demo-grid-06")]
    grid_id: String,
}

/// The changes of one grid's colour, oldest first.
#[utoipa::path(get, path = "/warnings/history", tag = "figures", operation_id = "warning_history", security(("bearer" = [])),
    params(HistoryParams),
    responses(
        (status = 200, description = "The colour changes with their reasons and times", body = Vec<ColorChange>),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
async fn history(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<HistoryParams>,
) -> Result<Json<Vec<ColorChange>>> {
    let scope = Scope::of(&user)?;
    let grid: Option<(String,)> = db::query_as(
        "SELECT street FROM grids WHERE id = ?1 AND (?2 IS NULL OR street = ?2) AND (?3 IS NULL OR id = ?3)",
    )
    .bind(&params.grid_id)
    .bind(&scope.street)
    .bind(&scope.grid)
    .fetch_optional(&state.db)
    .await?;
    grid.ok_or(Error::NotFound)?;
    let rows: Vec<(String, String, String)> = db::query_as(
        "SELECT color, reasons, at FROM warning_history WHERE grid_id = ? ORDER BY at, id",
    )
    .bind(&params.grid_id)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(
        rows.into_iter()
            .filter_map(|(color, reasons, at)| {
                Some(ColorChange {
                    color: Color::from_code(&color)?,
                    reasons: serde_json::from_str(&reasons).unwrap_or_default(),
                    at,
                })
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MapParams {
    /// Only this 街道 (an official of another 街道 gets 403).
    street: Option<String>,
    /// Only this 社区.
    community: Option<String>,
}

/// What the map shows beside the grids' colours: the open tasks with a place (overdue and recurring ones marked)
/// and the recurring hotspots of the last 30 days, in the caller's grids.
pub async fn map_points(db: &Db, scope: &Scope, now: time::OffsetDateTime) -> Result<MapPoints> {
    let grids: Vec<(String,)> = db::query_as(
        "SELECT id FROM grids WHERE (?1 IS NULL OR street = ?1) AND (?2 IS NULL OR id = ?2)
           AND (?3 IS NULL OR community = ?3)",
    )
    .bind(&scope.street)
    .bind(&scope.grid)
    .bind(&scope.community)
    .fetch_all(db)
    .await?;
    let in_scope: std::collections::HashSet<String> = grids.into_iter().map(|(g,)| g).collect();
    // Open tasks by the partial index of open reports by deadline, the most overdue first.
    let rows: Vec<(String, String, String, f64, f64, bool, bool)> = db::query_as(
        "SELECT r.id, r.grid_id, r.category, r.lat, r.lon, (coalesce(r.deadline < ?1, FALSE) OR coalesce(r.acknowledge_deadline < ?1, FALSE)), r.hotspot
         FROM reports r JOIN grids g ON g.id = r.grid_id
         WHERE r.status IN ('received', 'accepted', 'in_progress') AND r.lat IS NOT NULL AND r.lon IS NOT NULL
           AND (?2 IS NULL OR g.street = ?2) AND (?3 IS NULL OR r.grid_id = ?3) AND (?4 IS NULL OR g.community = ?4)
         ORDER BY r.deadline IS NULL, r.deadline, r.id LIMIT ?5",
    )
    .bind(format_time(now))
    .bind(&scope.street)
    .bind(&scope.grid)
    .bind(&scope.community)
    .bind(MAP_TASKS as i64 + 1)
    .fetch_all(db)
    .await?;
    let truncated = rows.len() > MAP_TASKS;
    let tasks = rows
        .into_iter()
        .take(MAP_TASKS)
        .map(
            |(id, grid_id, category, lat, lon, overdue, hotspot)| MapTask {
                id,
                grid_id,
                category,
                lat,
                lon,
                overdue,
                hotspot,
            },
        )
        .collect();
    let mut found = vec![];
    for (grid, sightings) in recent_sightings(db, now).await? {
        if !in_scope.contains(&grid) {
            continue;
        }
        for group in hotspots(&sightings) {
            let members: Vec<&Sighting> =
                sightings.iter().filter(|s| group.contains(&s.id)).collect();
            let n = members.len() as f64;
            found.push(Hotspot {
                grid_id: grid.clone(),
                category: members[0].category.clone(),
                lat: members.iter().map(|s| s.at.lat).sum::<f64>() / n,
                lon: members.iter().map(|s| s.at.lon).sum::<f64>() / n,
                reports: members.len() as u32,
            });
        }
    }
    found.sort_by(|a, b| b.reports.cmp(&a.reports).then(a.grid_id.cmp(&b.grid_id)));
    Ok(MapPoints {
        tasks,
        truncated,
        hotspots: found,
    })
}

/// The open tasks with a place (overdue and recurring ones marked, the most overdue first, at most 2,000) and the
/// recurring hotspots of the last 30 days (重大顽疾, each with where, what and how many reports), for the map.
/// Admins and officials (of the district or one 街道), grid workers for their grid.
#[utoipa::path(get, path = "/warnings/map", tag = "figures", operation_id = "warning_map", security(("bearer" = [])),
    params(MapParams),
    responses(
        (status = 200, description = "The tasks and hotspots to draw", body = MapPoints),
        (status = 400, response = Malformed),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
async fn map(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<MapParams>,
) -> Result<Json<MapPoints>> {
    let scope = Scope::of(&user)?.narrowed(params.street, params.community)?;
    Ok(Json(
        map_points(&state.db, &scope, time::OffsetDateTime::now_utc()).await?,
    ))
}
