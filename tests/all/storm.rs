//! A storm of reports at one spot (a flooded underpass, a street light dark for a week) stays one task: a report of
//! the same category within 50 m of an open report of its grid from the 7 days before joins that report's group.
//! Each report and the change feed stay small however many reports stand around it, and points stay exactly once.

use serde_json::{json, Value};
use suishoupai::domain::{GeoPoint, Report, ReportStatus, Role};
use suishoupai::server::db;

use crate::common::{jpeg, report_body, report_body_at, sha256, TestServer};

/// Every change the caller's feed brings, and its bytes.
async fn full_pull(server: &TestServer, token: &str) -> (Vec<Value>, usize) {
    let mut cursor: Option<String> = None;
    let (mut changes, mut bytes) = (Vec::new(), 0);
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/changes?limit=500&cursor={c}"),
            None => "/api/v1/changes?limit=500".to_owned(),
        };
        let page = server.get_as(token, &path).await.text().await.unwrap();
        bytes += page.len();
        let page: Value = serde_json::from_str(&page).unwrap();
        changes.extend(page["changes"].as_array().unwrap().iter().cloned());
        cursor = Some(page["next_cursor"].as_str().unwrap().to_owned());
        if page["has_more"] != true {
            return (changes, bytes);
        }
    }
}

#[tokio::test]
async fn six_hundred_reports_at_one_spot_are_one_task_and_stay_small() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await.token;
    let worker = server.grid_worker_of("demo-grid-07").await;
    let mut filed = Vec::new();
    for _ in 0..600 {
        filed.push(server.file_report(&rider, &report_body(&[])).await.id);
    }

    // One task, saying how many joined it; each of the others closed into it.
    let read = |id: &str| {
        let (server, worker, path) = (&server, &worker, format!("/api/v1/reports/{id}"));
        async move { server.get_as(worker, &path).await.text().await.unwrap() }
    };
    let first = read(&filed[0]).await;
    assert!(first.len() < 2_000, "the task is {} bytes", first.len());
    let first: Report = serde_json::from_str(&first).unwrap();
    assert_eq!(first.status, ReportStatus::Received);
    assert_eq!(first.joined, 599);
    assert!(
        first.hotspot,
        "the group's task shows the recurring hotspot"
    );
    let last = read(&filed[599]).await;
    assert!(
        last.len() < 2_000,
        "the 600th report is {} bytes",
        last.len()
    );
    let last: Report = serde_json::from_str(&last).unwrap();
    assert_eq!(last.status, ReportStatus::Rejected);
    assert_eq!(last.duplicate_of.as_deref(), Some(filed[0].as_str()));
    assert_eq!(last.possible_duplicates, [filed[0].clone()]);

    // The worker's feed: the spot's 600 reports once each, one of them open, each as small as the first.
    let (changes, bytes) = full_pull(&server, &worker).await;
    let at_spot: Vec<&Value> = changes
        .iter()
        .filter(|c| filed.iter().any(|id| c["id"] == id.as_str()))
        .collect();
    assert_eq!(at_spot.len(), 600);
    let open = at_spot
        .iter()
        .filter(|c| c["data"]["status"] == "received")
        .count();
    assert_eq!(open, 1, "one task for the worker");
    assert!(
        bytes < 600 * 2_000,
        "the worker's full pull is {bytes} bytes"
    );

    // The reporter of a joined report follows the group's task.
    let path = format!("/api/v1/reports/{}", filed[0]);
    assert_eq!(server.get_as(&rider, &path).await.status(), 200);
}

#[tokio::test]
async fn the_worker_pages_through_the_joined_reports_and_only_those_handling_it_may() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await.token;
    let other = server.enrolled(Role::Rider, "小张").await.token;
    let worker = server.grid_worker_of("demo-grid-07").await;
    let elsewhere = server.grid_worker_of("demo-grid-01").await;
    let group = server.file_report(&rider, &report_body(&[])).await.id;
    let photo = jpeg(9, 800);
    assert_eq!(server.put_photo(&other, &photo).await.status(), 201);
    let mut joined = Vec::new();
    for i in 0..45 {
        let token = if i % 2 == 0 { &rider } else { &other };
        let sha = sha256(&photo);
        let photos: &[&str] = if i % 2 == 0 { &[] } else { &[&sha] };
        joined.push(server.file_report(token, &report_body(photos)).await.id);
    }
    let mut seen = Vec::new();
    let mut path = format!("/api/v1/reports/{group}/joined?limit=20");
    loop {
        let page: Value = server.read_as(&worker, &path).await;
        assert_eq!(page["count"], 45);
        for r in page["reports"].as_array().unwrap() {
            seen.push(r["id"].as_str().unwrap().to_owned());
            assert!(r["reporter_name"] == "小李" || r["reporter_name"] == "小张");
        }
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/reports/{group}/joined?limit=20&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, joined, "each once, in the order they came");
    let one: Value = server
        .read_as(&worker, &format!("/api/v1/reports/{group}/joined?limit=2"))
        .await;
    assert_eq!(one["reports"][1]["photos"], json!([sha256(&photo)]));
    for limit in ["0", "101", "2147483648", "ten"] {
        let res = server
            .get_as(
                &worker,
                &format!("/api/v1/reports/{group}/joined?limit={limit}"),
            )
            .await;
        assert_eq!(res.status(), 422, "limit={limit}");
    }

    let path = format!("/api/v1/reports/{group}/joined");
    assert_eq!(
        server.get_as(&rider, &path).await.status(),
        403,
        "its reporter"
    );
    assert_eq!(
        server.get_as(&elsewhere, &path).await.status(),
        404,
        "another grid's worker"
    );
}

#[tokio::test]
async fn a_joined_report_that_adds_a_photo_earns_its_points_once() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await.token;
    let other = server.enrolled(Role::Rider, "小张").await.token;
    server.file_report(&rider, &report_body(&[])).await;
    let photo = jpeg(5, 800);
    assert_eq!(server.put_photo(&other, &photo).await.status(), 201);
    let body = report_body(&[&sha256(&photo)]);
    let id = crate::common::new_id();
    for _ in 0..3 {
        let res = server.put_report(&other, &id, &body).await;
        assert!(res.status().is_success());
        let r: Report = res.json().await.unwrap();
        assert_eq!(r.points_awarded, 2, "a photo the group lacked, once");
    }
    let (rows,): (i64,) = db::query_as("SELECT COUNT(*) FROM points WHERE report_id = ?")
        .bind(&id)
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    // A joined report without a new photo earns nothing.
    let plain = server.file_report(&other, &report_body(&[])).await;
    assert_eq!(plain.points_awarded, 0);
}

#[tokio::test]
async fn a_report_just_outside_the_distance_or_the_window_or_of_another_kind_starts_its_own_group()
{
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
        let mut body = report_body(&[]);
        body["lat"] = json!(lat);
        body["lon"] = json!(lon);
        let id = server.file_report(&rider, &body).await.id;
        let near: Report = server
            .read_as(&admin, &format!("/api/v1/reports/{id}"))
            .await;
        let metres = here.distance_m(&GeoPoint::new(lat, lon));
        assert_eq!(
            near.duplicate_of.as_ref() == Some(&first.id),
            metres <= 50.0,
            "{metres:.1} m away"
        );
        assert_eq!(near.status.is_open(), metres > 50.0, "{metres:.1} m away");
    }

    let mut light = report_body(&[]);
    light["category"] = json!("street_light");
    assert_eq!(
        server.file_report(&rider, &light).await.status,
        ReportStatus::Received,
        "another kind of hazard"
    );

    // Eight days on, the same spot is a new group.
    db::query("UPDATE reports SET received_at = '2020-01-01T00:00:00.000Z' WHERE id = ?")
        .bind(&first.id)
        .execute(&server.db)
        .await
        .unwrap();
    let later = server
        .file_report(&rider, &report_body_at(&[], -10.0))
        .await;
    assert_eq!(later.status, ReportStatus::Received);
    assert_eq!(later.duplicate_of, None);
}

#[tokio::test]
async fn loading_a_report_reads_its_listed_duplicates_by_id_not_its_whole_grid() {
    // SQLite's query plan (PostgreSQL's is in BENCHMARKS.md).
    if crate::common::on_postgres() {
        return;
    }
    let server = TestServer::start().await;
    let plan: Vec<(i64, i64, i64, String)> = db::query_as(format!(
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reports_of_one_hazard_arriving_together_through_two_instances_are_one_task() {
    let first = TestServer::start().await;
    // Two instances on one database on PostgreSQL; SQLite has the one.
    let second = match crate::common::on_postgres() {
        true => Some(first.second_instance().await),
        false => None,
    };
    let bases = [
        first.base.clone(),
        second.as_ref().unwrap_or(&first).base.clone(),
    ];
    let mut riders = Vec::new();
    for i in 0..8 {
        riders.push(first.enrolled(Role::Rider, &format!("骑手{i}")).await.token);
    }
    // 24 reports of one spot, all sent at once, every other one through the second instance.
    let mut puts = tokio::task::JoinSet::new();
    for (i, token) in riders.into_iter().enumerate() {
        for n in 0..3 {
            let (client, base, token) = (
                first.client.clone(),
                bases[(i + n) % 2].clone(),
                token.clone(),
            );
            puts.spawn(async move {
                let url = format!("{base}/api/v1/reports/{}", crate::common::new_id());
                let res = client
                    .put(url)
                    .bearer_auth(&token)
                    .json(&report_body(&[]))
                    .send();
                res.await.unwrap().status().as_u16()
            });
        }
    }
    while let Some(status) = puts.join_next().await {
        assert_eq!(status.unwrap(), 201);
    }
    let (reports, heads): (i64, i64) =
        db::query_as("SELECT count(*), count(*) FILTER (WHERE duplicate_of IS NULL) FROM reports")
            .fetch_one(&first.db)
            .await
            .unwrap();
    assert_eq!(reports, 24);
    assert_eq!(heads, 1, "one task, every other report joined to it");
}
