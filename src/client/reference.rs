//! Fetching the reference data (categories, stations, grids, departments, concern
//! topics) and keeping the phone's copy of it.
use super::api::{get_json, ApiFailure};
use super::now_rfc3339;
use crate::domain::ReferenceData;

/// Fetches all reference data from the server; the copy is stamped with the phone's time.
pub async fn fetch(token: &str) -> Result<ReferenceData, ApiFailure> {
    Ok(ReferenceData {
        categories: get_json("/categories", Some(token)).await?,
        stations: get_json("/stations", Some(token)).await?,
        grids: get_json("/grids", Some(token)).await?,
        departments: get_json("/departments", Some(token)).await?,
        concern_topics: get_json("/concern-topics", Some(token)).await?,
        fetched_at: Some(now_rfc3339()),
    })
}
