//! Possible duplicates: open reports of the same category within 50 m received in the 7 days before a report.
use crate::server::db::{self, Backend, On, TurnKey};

use crate::domain::timestamp::format_time;
use crate::domain::warnings::{HOTSPOT_DAYS, HOTSPOT_RADIUS_M, HOTSPOT_REPORTS};
use crate::domain::{GeoPoint, ReportSubmission};
use crate::server::Result;

/// Reports of a category received in a time window within a distance of a place: ?1 the category, ?2 and ?3 the
/// window, ?4–?7 a box around the place (so an index narrows the rows), ?8 the report itself (left out), ?9 and ?10
/// the place's latitude and longitude, ?11 and ?12 the square of the metres in a degree of latitude and of longitude
/// there, ?13 the square of the distance (and ?14 how many, in the queries built on it). The distance is measured on
/// the local plane (at 50 m it differs from the great circle by less than a millimetre), in SQL, so a lookup reads no
/// more rows than it returns.
macro_rules! near_sql {
    () => {
        "SELECT id FROM reports WHERE category = ?1 AND received_at BETWEEN ?2 AND ?3
           AND lat BETWEEN ?4 AND ?5 AND lon BETWEEN ?6 AND ?7 AND id <> ?8
           AND (lat - ?9) * (lat - ?9) * ?11 + (lon - ?10) * (lon - ?10) * ?12 <= ?13"
    };
}
/// Reports of any status near a place, the first `?14` found (in no order: a count is all the hotspot rule
/// needs), through the R*Tree of report places — a number of rows read that does not grow with the reports of the
/// month, nor with those at the place. Its parameters as [`near_sql!`]'s.
const NEAR_SQL: &str = "
    SELECT r.id FROM report_places p JOIN reports r ON r.rowid = p.id
     WHERE p.max_lat >= ?4 AND p.min_lat <= ?5 AND p.max_lon >= ?6 AND p.min_lon <= ?7
       AND r.category = ?1 AND r.received_at BETWEEN ?2 AND ?3 AND r.id <> ?8
       AND (r.lat - ?9) * (r.lat - ?9) * ?11 + (r.lon - ?10) * (r.lon - ?10) * ?12 <= ?13
     LIMIT ?14";
/// [`NEAR_SQL`] on PostgreSQL: through the GiST index of report places (`reports_by_place`).
const NEAR_SQL_POSTGRES: &str = "
    SELECT r.id FROM reports r
     WHERE box(point(r.lat, r.lon), point(r.lat, r.lon)) && box(point(?4, ?6), point(?5, ?7))
       AND r.lat IS NOT NULL AND r.lon IS NOT NULL
       AND r.category = ?1 AND r.received_at BETWEEN ?2 AND ?3 AND r.id <> ?8
       AND (r.lat - ?9) * (r.lat - ?9) * ?11 + (r.lon - ?10) * (r.lon - ?10) * ?12 <= ?13
     LIMIT ?14";

/// [`near_sql!`] for open reports only, the latest `?14` (the newest are the likeliest to be the same hazard),
/// through the index of open reports by category, time and place.
pub const POSSIBLE_DUPLICATES_SQL: &str = concat!(
    near_sql!(),
    " AND status IN ('received', 'accepted', 'in_progress') ORDER BY received_at DESC LIMIT ?14"
);

/// How near, how recent and which states make another report a possible duplicate.
const DUPLICATE_RADIUS_M: f64 = 50.0;
const DUPLICATE_WINDOW: time::Duration = time::Duration::days(7);
/// A report names at most this many possible duplicates (the latest): a storm of reports at one spot must not
/// make each report carry every earlier one.
const MOST_POSSIBLE_DUPLICATES: i64 = 10;

/// The ids of at most `most` reports that `sql` (for the backend of `on`) finds (its parameters as in [`NEAR_SQL`])
/// within `metres` of `report`'s place in the window `since`–`until`.
#[allow(clippy::too_many_arguments)]
async fn within(
    on: On<'_>,
    sql: fn(Backend) -> &'static str,
    id: &str,
    report: &ReportSubmission,
    since: &str,
    until: &str,
    metres: f64,
    most: i64,
) -> Result<Vec<String>> {
    let (Some(lat), Some(lon)) = (report.lat, report.lon) else {
        return Ok(vec![]);
    };
    let (per_degree_lat, per_degree_lon) = metres_per_degree(lat);
    let (dlat, dlon) = reach(lat, metres);
    let rows: Vec<(String,)> = db::query_as(sql(on.backend()))
        .bind(&report.category)
        .bind(since)
        .bind(until)
        .bind(lat - dlat)
        .bind(lat + dlat)
        .bind(lon - dlon)
        .bind(lon + dlon)
        .bind(id)
        .bind(lat)
        .bind(lon)
        .bind(per_degree_lat * per_degree_lat)
        .bind(per_degree_lon * per_degree_lon)
        .bind(metres * metres)
        .bind(most)
        .fetch_all(on)
        .await?;
    Ok(rows.into_iter().map(|(other,)| other).collect())
}

/// The metres in a degree of latitude and in one of longitude at latitude `lat`.
fn metres_per_degree(lat: f64) -> (f64, f64) {
    let per_degree_lat = GeoPoint::METRES_PER_DEGREE;
    (
        per_degree_lat,
        per_degree_lat * lat.to_radians().cos().abs().max(0.01),
    )
}

/// The degrees of latitude and of longitude around a place at latitude `lat` that hold every point within `metres`
/// of it: the box holds the circle (with a margin), an index narrows by it, the distance decides.
fn reach(lat: f64, metres: f64) -> (f64, f64) {
    let (per_degree_lat, per_degree_lon) = metres_per_degree(lat);
    (metres / per_degree_lat * 1.1, metres / per_degree_lon * 1.1)
}

/// The side of the squares of [`neighbourhood`], in degrees (about 100 m).
const SQUARE_DEGREES: f64 = 0.001;

/// The squares (of [`SQUARE_DEGREES`]) that the neighbourhood of a report's place `lat`, `lon` overlaps — as far as a possible
/// duplicate or a hotspot's report may be — as writers' turn keys of `kind`. A report within that reach of another
/// lies in one of the other's squares and in one of its own: two reports of one hazard always share one, and their
/// writers take turns, so the second finds the first.
pub fn neighbourhood(kind: i32, lat: f64, lon: f64) -> Vec<TurnKey> {
    let (dlat, dlon) = reach(lat, DUPLICATE_RADIUS_M.max(HOTSPOT_RADIUS_M));
    let square = |degrees: f64| (degrees / SQUARE_DEGREES).floor() as i64;
    let mut keys = Vec::new();
    for i in square(lat - dlat)..=square(lat + dlat) {
        for j in square(lon - dlon)..=square(lon + dlon) {
            let mixed = i.wrapping_mul(73_856_093) ^ j.wrapping_mul(19_349_663);
            keys.push(TurnKey(kind, mixed as i32));
        }
    }
    keys
}

/// Open reports of the same category within 50 m, received in the 7 days up to this one: the latest
/// [`MOST_POSSIBLE_DUPLICATES`], through `reports_open_by_category`.
pub async fn possible_duplicates(
    on: impl Into<On<'_>>,
    id: &str,
    report: &ReportSubmission,
    received_at: &str,
) -> Result<Vec<String>> {
    let Some(received) = crate::domain::timestamp::parse_time(received_at) else {
        return Ok(vec![]);
    };
    let since = format_time(received - DUPLICATE_WINDOW);
    within(
        on.into(),
        |_| POSSIBLE_DUPLICATES_SQL,
        id,
        report,
        &since,
        received_at,
        DUPLICATE_RADIUS_M,
        MOST_POSSIBLE_DUPLICATES,
    )
    .await
}

/// Whether a report makes its place a recurring hotspot (重大顽疾): with it, three or more reports of its category
/// within 50 m in the 30 days up to it — resolved, rejected or open (a problem that keeps coming back is one even
/// after each report of it was dealt with).
pub async fn is_recurring(
    on: impl Into<On<'_>>,
    id: &str,
    report: &ReportSubmission,
    received_at: &str,
) -> Result<bool> {
    let Some(received) = crate::domain::timestamp::parse_time(received_at) else {
        return Ok(false);
    };
    let since = format_time(received - time::Duration::days(HOTSPOT_DAYS));
    // Only whether there are enough others: the lookup stops at that many.
    let others = HOTSPOT_REPORTS.saturating_sub(1);
    let near = within(
        on.into(),
        |backend| backend.pick(NEAR_SQL, NEAR_SQL_POSTGRES),
        id,
        report,
        &since,
        received_at,
        HOTSPOT_RADIUS_M,
        others as i64,
    )
    .await?;
    Ok(near.len() >= others)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Two reports as near as a duplicate or a hotspot's report may be share a turn, wherever on the map.
        #[test]
        fn reports_within_reach_share_a_turn(
            lat in -80.0f64..80.0, lon in -179.0f64..179.0, bearing in 0.0f64..360.0, metres in 0.0f64..=50.0,
        ) {
            let (per_lat, per_lon) = metres_per_degree(lat);
            let other_lat = lat + metres * bearing.to_radians().cos() / per_lat;
            let other_lon = lon + metres * bearing.to_radians().sin() / per_lon;
            let mine = neighbourhood(2, lat, lon);
            let theirs = neighbourhood(2, other_lat, other_lon);
            // A handful of turns at China's latitudes (a degree of longitude narrows towards the poles).
            if lat.abs() <= 55.0 {
                prop_assert!(mine.len() <= 9, "{} squares", mine.len());
            }
            prop_assert!(mine.iter().any(|k| theirs.contains(k)), "{mine:?} / {theirs:?}");
        }
    }

    #[test]
    fn reports_far_apart_take_turns_of_their_own() {
        let here = neighbourhood(2, 30.885, 104.255);
        let a_kilometre_north =
            neighbourhood(2, 30.885 + 1_000.0 / GeoPoint::METRES_PER_DEGREE, 104.255);
        assert!(here.iter().all(|k| !a_kilometre_north.contains(k)));
    }
}
