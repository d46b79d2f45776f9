//! Reference data that every phone keeps offline: categories, 暖心驿站 stations, 网格 grids.
use crate::server::db::{self, Db};
use anyhow::Context;
use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::Unauthorized;
use super::{AppState, Result};
use crate::domain::category::Department;
use crate::domain::{Amenity, Category, GeoPoint, Grid, Station};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(categories))
        .routes(routes!(stations))
        .routes(routes!(grids))
        .routes(routes!(departments))
}

/// The report categories, in the order the phone offers them.
#[utoipa::path(get, path = "/categories", tag = "reference", operation_id = "categories", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every category", body = Vec<Category>,
         example = json!([{"code": "manhole_cover", "name_zh": "井盖缺失或破损", "name_en": "Missing or broken manhole cover"}])),
        (status = 401, response = Unauthorized),
    )
)]
async fn categories(State(state): State<AppState>) -> Result<Json<Vec<Category>>> {
    Ok(Json(list_categories(&state.db).await?))
}

/// The 暖心驿站 rest stations.
#[utoipa::path(get, path = "/stations", tag = "reference", operation_id = "stations", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every station", body = Vec<Station>),
        (status = 401, response = Unauthorized),
    )
)]
async fn stations(State(state): State<AppState>) -> Result<Json<Vec<Station>>> {
    Ok(Json(list_stations(&state.db).await?))
}

/// The 网格 grids with their boundaries.
#[utoipa::path(get, path = "/grids", tag = "reference", operation_id = "grids", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every grid", body = Vec<Grid>),
        (status = 401, response = Unauthorized),
    )
)]
async fn grids(State(state): State<AppState>) -> Result<Json<Vec<Grid>>> {
    Ok(Json(list_grids(&state.db).await?))
}

/// Every category, retired ones (kept for the names of their reports) marked and last.
/// The departments 部门联处 (吹哨报到) calls on.
#[utoipa::path(get, path = "/departments", tag = "reference", operation_id = "departments", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every department, retired ones marked", body = Vec<Department>,
         example = json!([{"code": "chengguan", "name": "区综合行政执法局（城管）"}])),
        (status = 401, response = Unauthorized),
    )
)]
async fn departments(State(state): State<AppState>) -> Result<Json<Vec<Department>>> {
    Ok(Json(list_departments(&state.db).await?))
}

/// Every category, retired ones (kept for the names of their reports) marked and last.
pub async fn list_categories(db: &Db) -> Result<Vec<Category>> {
    let rows: Vec<(String, String, String, Option<String>, bool)> = db::query_as(
        "SELECT code, name_zh, name_en, department, retired_at IS NOT NULL AS retired FROM categories
         ORDER BY retired, sort_order, code",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name_zh, name_en, department, retired)| Category {
            code,
            name_zh,
            name_en,
            department,
            retired,
        })
        .collect())
}

type StationRow = (String, String, String, f64, f64, String, String, bool, bool);

pub async fn list_stations(db: &Db) -> Result<Vec<Station>> {
    Ok(stations_of(db).await?)
}

/// Every station, retired ones marked, read through any connection (the pool, or an import's transaction).
pub async fn stations_of(db: impl Into<db::On<'_>>) -> anyhow::Result<Vec<Station>> {
    let rows: Vec<StationRow> = db::query_as(
        "SELECT id, name, address, lat, lon, hours, amenities, demo, retired_at IS NOT NULL
         FROM stations ORDER BY id",
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(
            |(id, name, address, lat, lon, hours, amenities, demo, retired)| {
                let codes: Vec<String> = serde_json::from_str(&amenities)
                    .with_context(|| format!("amenities of station {id}"))?;
                Ok(Station {
                    amenities: codes.iter().filter_map(|c| Amenity::from_code(c)).collect(),
                    id,
                    name,
                    address,
                    lat,
                    lon,
                    hours,
                    demo,
                    retired,
                })
            },
        )
        .collect()
}

/// A grid as kept.
#[derive(sqlx::FromRow)]
pub(crate) struct GridRow {
    pub id: String,
    pub name: String,
    pub community: String,
    pub street: String,
    pub polygon: String,
    pub more_rings: String,
    /// The GeoJSON geometry as imported (none for a grid from before imports).
    pub geometry: Option<String>,
    pub demo: bool,
    pub retired: bool,
}

/// Every grid as kept, by id.
pub(crate) const GRID_ROWS_SQL: &str =
    "SELECT id, name, community, street, polygon, more_rings, geometry, demo, retired_at IS NOT NULL AS retired
     FROM grids ORDER BY id";

impl GridRow {
    /// The outer ring and the other rings.
    pub(crate) fn rings(&self) -> Result<(Vec<GeoPoint>, Vec<Vec<GeoPoint>>)> {
        let polygon = serde_json::from_str(&self.polygon)
            .with_context(|| format!("polygon of grid {}", self.id))?;
        let more_rings = serde_json::from_str(&self.more_rings)
            .with_context(|| format!("rings of grid {}", self.id))?;
        Ok((polygon, more_rings))
    }
}

/// Every grid, retired ones (kept for their tasks) marked.
pub async fn list_grids(db: &Db) -> Result<Vec<Grid>> {
    let rows: Vec<GridRow> = db::query_as(GRID_ROWS_SQL).fetch_all(db).await?;
    rows.into_iter()
        .map(|r| {
            let (polygon, more_rings) = r.rings()?;
            Ok(Grid {
                id: r.id,
                name: r.name,
                community: r.community,
                street: r.street,
                polygon,
                more_rings,
                demo: r.demo,
                retired: r.retired,
            })
        })
        .collect()
}

/// The departments 部门联处 calls on, retired ones marked.
pub async fn list_departments(db: &Db) -> Result<Vec<Department>> {
    let rows: Vec<(String, String, bool)> =
        db::query_as("SELECT code, name, retired_at IS NOT NULL FROM departments ORDER BY code")
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name, retired)| Department {
            code,
            name,
            retired,
        })
        .collect())
}
