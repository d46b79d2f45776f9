//! A storm of reports at one spot (a flooded underpass, a street light dark for a week) stays cheap: each report
//! names at most ten possible duplicates, so neither a report's JSON nor the change feed grows with the reports
//! around it.

use serde_json::json;
use suishoupai::domain::{GeoPoint, Report, Role};

use crate::common::{report_body, TestServer};

#[tokio::test]
async fn six_hundred_reports_at_one_spot_each_stay_small_and_so_does_the_feed() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await.token;
    // The district office sees every report with its possible duplicates.
    let admin = server.enrolled(Role::Admin, "区里").await.token;
    let mut filed = Vec::new();
    for _ in 0..600 {
        filed.push(server.file_report(&rider, &report_body(&[])).await.id);
    }
    let last = server
        .get_as(&admin, &format!("/api/v1/reports/{}", filed[599]))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        last.len() < 2_000,
        "the 600th report is {} bytes",
        last.len()
    );
    let last: Report = serde_json::from_str(&last).unwrap();
    let latest: Vec<String> = filed[589..599].iter().rev().cloned().collect();
    assert_eq!(last.possible_duplicates, latest, "the latest ten, no more");
    assert!(last.hotspot, "the spot is still a recurring hotspot");

    // The district's full pull: every report once, each as small as the first.
    let mut cursor: Option<String> = None;
    let (mut bytes, mut reports) = (0, 0);
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/changes?limit=500&cursor={c}"),
            None => "/api/v1/changes?limit=500".to_owned(),
        };
        let page = server.get_as(&admin, &path).await.text().await.unwrap();
        bytes += page.len();
        let page: serde_json::Value = serde_json::from_str(&page).unwrap();
        reports += page["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["kind"] == "report")
            .count();
        cursor = Some(page["next_cursor"].as_str().unwrap().to_owned());
        if page["has_more"] != true {
            break;
        }
    }
    assert_eq!(reports, 600);
    assert!(
        bytes < 600 * 2_000 + 200_000,
        "the full pull of 600 reports is {bytes} bytes"
    );
}

#[tokio::test]
async fn a_report_49_m_away_is_a_possible_duplicate_and_one_51_m_away_is_not() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await.token;
    let admin = server.enrolled(Role::Admin, "区里").await.token;
    let first = server.file_report(&rider, &report_body(&[])).await;
    let here = GeoPoint::new(30.885, 104.255);
    let per_degree_lon = GeoPoint::METRES_PER_DEGREE * here.lat.to_radians().cos();
    for (lat, lon) in [
        (here.lat + 49.0 / GeoPoint::METRES_PER_DEGREE, here.lon),
        (here.lat, here.lon - 49.0 / per_degree_lon),
        (here.lat + 51.0 / GeoPoint::METRES_PER_DEGREE, here.lon),
        (here.lat, here.lon + 51.0 / per_degree_lon),
    ] {
        let there = GeoPoint::new(lat, lon);
        let mut body = report_body(&[]);
        body["lat"] = json!(lat);
        body["lon"] = json!(lon);
        let id = server.file_report(&rider, &body).await.id;
        let near: Report = server
            .read_as(&admin, &format!("/api/v1/reports/{id}"))
            .await;
        let metres = here.distance_m(&there);
        assert_eq!(
            near.possible_duplicates.contains(&first.id),
            metres <= 50.0,
            "{metres:.1} m away"
        );
    }
}

#[tokio::test]
async fn loading_a_report_reads_its_listed_duplicates_by_id_not_its_whole_grid() {
    let server = TestServer::start().await;
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(&format!(
        "EXPLAIN QUERY PLAN {}",
        suishoupai::server::reports::LOAD_REPORT_SQL
    ))
    .bind("r1")
    .fetch_all(&server.db)
    .await
    .unwrap();
    let steps: Vec<&str> = plan.iter().map(|p| p.3.as_str()).collect();
    assert!(
        steps
            .iter()
            .all(|s| !s.starts_with("SCAN r") && !s.contains("reports_by_grid")),
        "{steps:#?}"
    );
}
