//! Reference data that every phone keeps offline: categories, 暖心驿站 stations, 网格 grids.
use anyhow::Context;
use axum::extract::State;
use axum::Json;
use sqlx::SqlitePool;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::Unauthorized;
use super::{AppState, Result};
use crate::domain::{Amenity, Category, GeoPoint, Grid, Station};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(categories))
        .routes(routes!(stations))
        .routes(routes!(grids))
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

pub async fn list_categories(db: &SqlitePool) -> Result<Vec<Category>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name_zh, name_en FROM categories ORDER BY sort_order, code")
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name_zh, name_en)| Category {
            code,
            name_zh,
            name_en,
        })
        .collect())
}

type StationRow = (String, String, String, f64, f64, String, String, bool);

pub async fn list_stations(db: &SqlitePool) -> Result<Vec<Station>> {
    let rows: Vec<StationRow> = sqlx::query_as(
        "SELECT id, name, address, lat, lon, hours, amenities, demo FROM stations ORDER BY id",
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(id, name, address, lat, lon, hours, amenities, demo)| {
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
            })
        })
        .collect()
}

pub async fn list_grids(db: &SqlitePool) -> Result<Vec<Grid>> {
    let rows: Vec<(String, String, String, bool)> =
        sqlx::query_as("SELECT id, name, polygon, demo FROM grids ORDER BY id")
            .fetch_all(db)
            .await?;
    rows.into_iter()
        .map(|(id, name, polygon, demo)| {
            let polygon: Vec<GeoPoint> =
                serde_json::from_str(&polygon).with_context(|| format!("polygon of grid {id}"))?;
            Ok(Grid {
                id,
                name,
                polygon,
                demo,
            })
        })
        .collect()
}
