//! `GET /warnings` and `GET /warnings/history`: each grid's 红黄绿 colour now, with its reasons and since when, and
//! the changes of a grid's colour over time. The colours are judged (domain `warnings`) from the grid's overdue
//! tasks and its recurring hotspots of the last 30 days; every change is recorded — when read, and by `serve` every
//! ten minutes — so the history shows a grid's way from red to green.
use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use sqlx::SqlitePool;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::timestamp::format_time;
use crate::domain::warnings::{
    hotspots, Color, ColorChange, Sighting, Signals, Warning, WarningRules, HOTSPOT_DAYS,
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
}

/// The signals of every grid in service in `scope` at `now`.
async fn signals(
    db: &SqlitePool,
    scope: &Scope,
    now: time::OffsetDateTime,
) -> Result<Vec<(String, Signals)>> {
    let grids: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM grids WHERE retired_at IS NULL
           AND (?1 IS NULL OR street = ?1) AND (?2 IS NULL OR id = ?2) AND (?3 IS NULL OR community = ?3)
         ORDER BY id",
    )
    .bind(&scope.street)
    .bind(&scope.grid)
    .bind(&scope.community)
    .fetch_all(db)
    .await?;
    let overdue: HashMap<String, u32> = sqlx::query_as::<_, (String, i64)>(
        "SELECT grid_id, count(*) FROM reports
         WHERE status IN ('received', 'accepted', 'in_progress') AND deadline < ? AND grid_id IS NOT NULL
         GROUP BY grid_id",
    )
    .bind(format_time(now))
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|(g, n)| (g, n as u32))
    .collect();
    // The last 30 days' reports with a place, by the index on received_at.
    let since = format_time(now - time::Duration::days(HOTSPOT_DAYS));
    let rows: Vec<(String, String, String, f64, f64, String)> = sqlx::query_as(
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
    Ok(grids
        .into_iter()
        .map(|(grid,)| {
            let hot = by_grid.get(&grid).map_or(0, |s| hotspots(s).len() as u32);
            let s = Signals {
                overdue: overdue.get(&grid).copied().unwrap_or(0),
                hotspots: hot,
                satisfaction: None,
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
    let judged: Vec<(String, Color, Vec<String>)> = signals(&state.db, scope, now)
        .await?
        .into_iter()
        .map(|(grid, s)| {
            let (color, reasons) = rules.judge(s);
            (grid, color, reasons)
        })
        .collect();
    let (_turn, mut tx) = state.begin_write().await?;
    let mut out = vec![];
    for (grid, color, reasons) in judged {
        // The last recorded colour, and since when the grid has had it (the first of its run of that colour).
        let last: Option<(String, String)> = sqlx::query_as(
            "SELECT color, reasons FROM warning_history WHERE grid_id = ? ORDER BY at DESC, rowid DESC LIMIT 1",
        )
        .bind(&grid)
        .fetch_optional(&mut *tx)
        .await?;
        let reasons_json = serde_json::to_string(&reasons).map_err(anyhow::Error::from)?;
        if last.as_ref() != Some(&(color.code().to_owned(), reasons_json.clone())) {
            sqlx::query(
                "INSERT INTO warning_history (grid_id, color, reasons, at) VALUES (?, ?, ?, ?)",
            )
            .bind(&grid)
            .bind(color.code())
            .bind(&reasons_json)
            .bind(format_time(now))
            .execute(&mut *tx)
            .await?;
        }
        let (since,): (String,) = sqlx::query_as(
            "SELECT coalesce(min(at), ?3) FROM warning_history
             WHERE grid_id = ?1 AND at > coalesce(
                 (SELECT max(at) FROM warning_history WHERE grid_id = ?1 AND color <> ?2), '')",
        )
        .bind(&grid)
        .bind(color.code())
        .bind(format_time(now))
        .fetch_one(&mut *tx)
        .await?;
        out.push(Warning {
            grid_id: grid,
            color,
            reasons,
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
    let grid: Option<(String,)> = sqlx::query_as(
        "SELECT street FROM grids WHERE id = ?1 AND (?2 IS NULL OR street = ?2) AND (?3 IS NULL OR id = ?3)",
    )
    .bind(&params.grid_id)
    .bind(&scope.street)
    .bind(&scope.grid)
    .fetch_optional(&state.db)
    .await?;
    grid.ok_or(Error::NotFound)?;
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT color, reasons, at FROM warning_history WHERE grid_id = ? ORDER BY at, rowid",
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
