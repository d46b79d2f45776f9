//! Fetching the reference data (categories, stations, grids) and keeping the phone's copy of it.
use super::api::{get_json, ApiFailure};
use super::now_rfc3339;
use crate::domain::ReferenceData;

/// Fetches all reference data from the server; the copy is stamped with the phone's time.
pub async fn fetch() -> Result<ReferenceData, ApiFailure> {
    Ok(ReferenceData {
        categories: get_json("/categories").await?,
        stations: get_json("/stations").await?,
        grids: get_json("/grids").await?,
        fetched_at: Some(now_rfc3339()),
    })
}
