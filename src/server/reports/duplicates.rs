//! Possible duplicates: open reports of the same category within 50 m received in the 7 days before a report.
use sqlx::SqlitePool;

use crate::domain::timestamp::format_time;
use crate::domain::warnings::{HOTSPOT_DAYS, HOTSPOT_RADIUS_M, HOTSPOT_REPORTS};
use crate::domain::{GeoPoint, ReportSubmission};
use crate::server::Result;

/// Open reports of a category received in a time window inside a box of latitude and longitude: ?1 the category,
/// ?2 and ?3 the window, ?4–?7 the box, ?8 the report itself (left out).
pub const POSSIBLE_DUPLICATES_SQL: &str = "
    SELECT id, lat, lon FROM reports WHERE category = ?1 AND received_at BETWEEN ?2 AND ?3
      AND lat BETWEEN ?4 AND ?5 AND lon BETWEEN ?6 AND ?7 AND id <> ?8
      AND status IN ('received', 'accepted', 'in_progress') ORDER BY received_at";

/// How near, how recent and which states make another report a possible duplicate.
const DUPLICATE_RADIUS_M: f64 = 50.0;
const DUPLICATE_WINDOW: time::Duration = time::Duration::days(7);

/// The ids of the reports that `sql` finds in a box around `report`'s place in the window `since`–`until` (its
/// parameters as in [`POSSIBLE_DUPLICATES_SQL`], each row `id, lat, lon`), then within `metres` of it by distance.
async fn within(
    db: &SqlitePool,
    sql: &str,
    id: &str,
    report: &ReportSubmission,
    since: &str,
    until: &str,
    metres: f64,
) -> Result<Vec<String>> {
    let (Some(lat), Some(lon)) = (report.lat, report.lon) else {
        return Ok(vec![]);
    };
    // Degrees of latitude and longitude that hold `metres` here (with a margin; the distance decides).
    let dlat = metres / 111_000.0 * 1.1;
    let dlon = dlat / lat.to_radians().cos().abs().max(0.01);
    let rows: Vec<(String, f64, f64)> = sqlx::query_as(sql)
        .bind(&report.category)
        .bind(since)
        .bind(until)
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
        .filter(|(_, lat, lon)| here.distance_m(&GeoPoint::new(*lat, *lon)) <= metres)
        .map(|(other, _, _)| other)
        .collect())
}

/// Open reports of the same category within 50 m, received in the 7 days up to this one: those in a box around the
/// place (through `reports_open_by_category`), then by distance.
pub async fn possible_duplicates(
    db: &SqlitePool,
    id: &str,
    report: &ReportSubmission,
    received_at: &str,
) -> Result<Vec<String>> {
    let Some(received) = crate::domain::timestamp::parse_time(received_at) else {
        return Ok(vec![]);
    };
    let since = format_time(received - DUPLICATE_WINDOW);
    within(
        db,
        POSSIBLE_DUPLICATES_SQL,
        id,
        report,
        &since,
        received_at,
        DUPLICATE_RADIUS_M,
    )
    .await
}

/// Whether a report makes its place a recurring hotspot (重大顽疾): with it, three or more reports of its category
/// within 50 m in the 30 days up to it — resolved, rejected or open (a problem that keeps coming back is one even
/// after each report of it was dealt with).
pub async fn is_recurring(
    db: &SqlitePool,
    id: &str,
    report: &ReportSubmission,
    received_at: &str,
) -> Result<bool> {
    let Some(received) = crate::domain::timestamp::parse_time(received_at) else {
        return Ok(false);
    };
    let since = format_time(received - time::Duration::days(HOTSPOT_DAYS));
    let near = within(
        db,
        "SELECT id, lat, lon FROM reports WHERE category = ?1 AND received_at BETWEEN ?2 AND ?3
           AND lat BETWEEN ?4 AND ?5 AND lon BETWEEN ?6 AND ?7 AND id <> ?8",
        id,
        report,
        &since,
        received_at,
        HOTSPOT_RADIUS_M,
    )
    .await?;
    Ok(near.len() + 1 >= HOTSPOT_REPORTS)
}
