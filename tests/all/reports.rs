//! PROTOCOL.md, Reports: one test per rule, and a report id that stays unique forever.

use crate::common::{error_code, jpeg, new_id, report_body, sha256, TestServer};
use serde_json::json;
use suishoupai::domain::{Report, ReportStatus, Role};
use suishoupai::server::db;

async fn rider_with_photo(server: &TestServer) -> (String, String) {
    let rider = server.enrolled(Role::Rider, "骑手小李").await;
    let photo = jpeg(9, 2000);
    assert_eq!(server.put_photo(&rider.token, &photo).await.status(), 201);
    (rider.token, sha256(&photo))
}

#[tokio::test]
async fn a_first_put_is_201_with_the_report_routed_to_its_grid() {
    let server = TestServer::start().await;
    let (token, photo) = rider_with_photo(&server).await;
    let id = new_id();
    let res = server
        .put_report(&token, &id, &report_body(&[&photo]))
        .await;
    assert_eq!(res.status(), 201);
    let report: Report = res.json().await.unwrap();
    assert_eq!(report.id, id);
    assert_eq!(report.version, 1);
    assert_eq!(report.status, ReportStatus::Received);
    assert_eq!(report.level, 1);
    assert_eq!(report.reporter_name, "骑手小李");
    assert_eq!(
        report.grid_id.as_deref(),
        Some("demo-grid-07"),
        "30.885 N 104.255 E lies in demo grid 07"
    );
    assert_eq!(report.timeline.len(), 1);
    assert_eq!(report.submitted.photos, vec![photo]);
    assert!(report.submitted.urgent);
}

#[tokio::test]
async fn the_same_id_and_content_again_is_a_200_replay_and_nothing_new() {
    let server = TestServer::start().await;
    let (token, photo) = rider_with_photo(&server).await;
    let id = new_id();
    let body = report_body(&[&photo]);
    let first: Report = server
        .put_report(&token, &id, &body)
        .await
        .json()
        .await
        .unwrap();
    let res = server.put_report(&token, &id, &body).await;
    assert_eq!(res.status(), 200);
    let again: Report = res.json().await.unwrap();
    assert_eq!(again, first);
    let (count,): (i64,) = db::query_as("SELECT COUNT(*) FROM reports")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn a_replay_with_the_time_written_differently_is_still_a_replay() {
    let server = TestServer::start().await;
    let (token, photo) = rider_with_photo(&server).await;
    let id = new_id();
    let body = json!({
        "category": "street_light", "description": "", "lat": 30.88, "lon": 104.25,
        "photos": [photo], "captured_at": "2026-01-01T08:00:00Z"
    });
    assert_eq!(server.put_report(&token, &id, &body).await.status(), 201);
    let mut same = body.clone();
    same["captured_at"] = json!("2026-01-01T16:00:00+08:00");
    assert_eq!(server.put_report(&token, &id, &same).await.status(), 200);
}

#[tokio::test]
async fn the_same_id_with_different_content_is_409_id_conflict_and_changes_nothing() {
    let server = TestServer::start().await;
    let (token, photo) = rider_with_photo(&server).await;
    let id = new_id();
    let first: Report = server
        .put_report(&token, &id, &report_body(&[&photo]))
        .await
        .json()
        .await
        .unwrap();
    let mut different = report_body(&[&photo]);
    different["description"] = json!("改过的描述");
    let res = server.put_report(&token, &id, &different).await;
    assert_eq!(res.status(), 409);
    assert_eq!(error_code(res).await, "id_conflict");
    let now: Report = server
        .get_as(&token, &format!("/api/v1/reports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now, first);
}

#[tokio::test]
async fn another_users_report_id_is_409_and_reveals_nothing() {
    let server = TestServer::start().await;
    let (token, photo) = rider_with_photo(&server).await;
    let intruder = server.enrolled(Role::Rider, "小张").await;
    let id = new_id();
    let body = report_body(&[&photo]);
    server.put_report(&token, &id, &body).await;
    let res = server.put_report(&intruder.token, &id, &body).await;
    assert_eq!(res.status(), 409);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("id_conflict") && !text.contains("骑手小李"),
        "{text}"
    );
    assert_eq!(
        server
            .get_as(&intruder.token, &format!("/api/v1/reports/{id}"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_photo_not_uploaded_yet_is_422_photo_missing_with_the_list() {
    let server = TestServer::start().await;
    let (token, photo) = rider_with_photo(&server).await;
    let absent = sha256(b"never uploaded");
    let res = server
        .put_report(&token, &new_id(), &report_body(&[&photo, &absent]))
        .await;
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "photo_missing");
    assert_eq!(body["error"]["details"]["missing"], json!([absent]));
    let (count,): (i64,) = db::query_as("SELECT COUNT(*) FROM reports")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing was stored");
}

#[tokio::test]
async fn invalid_fields_are_422_invalid_input_with_per_field_messages() {
    let server = TestServer::start().await;
    let (token, photo) = rider_with_photo(&server).await;
    let future = suishoupai::domain::timestamp::format_time(
        time::OffsetDateTime::now_utc() + time::Duration::minutes(11),
    );
    let cases: Vec<(&str, serde_json::Value)> = vec![
        ("category", json!({"category": "ufo"})),
        ("lat", json!({"lat": 95.0})),
        ("lon", json!({"lon": 200.0})),
        ("description", json!({"photos": [], "description": ""})),
        ("description", json!({"description": "长".repeat(2001)})),
        (
            "photos",
            json!({"photos": [&photo, "1".repeat(64), "2".repeat(64), "3".repeat(64)]}),
        ),
        ("captured_at", json!({"captured_at": "last tuesday"})),
        ("captured_at", json!({"captured_at": future})),
    ];
    for (field, patch) in cases {
        let mut body = report_body(&[&photo]);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = server.put_report(&token, &new_id(), &body).await;
        assert_eq!(res.status(), 422, "{field}: {patch}");
        let err: serde_json::Value = res.json().await.unwrap();
        assert_eq!(err["error"]["code"], "invalid_input", "{field}");
        assert!(err["error"]["details"][field].is_string(), "{field}: {err}");
    }
}

#[tokio::test]
async fn wrong_types_and_bad_ids_are_refused_without_a_5xx() {
    let server = TestServer::start().await;
    let (token, photo) = rider_with_photo(&server).await;
    let mut wrong = report_body(&[&photo]);
    wrong["lat"] = json!("thirty");
    assert_eq!(
        server.put_report(&token, &new_id(), &wrong).await.status(),
        400
    );
    for id in ["not-a-uuid", "..%2F..%2Fetc", "0"] {
        let res = server.put_report(&token, id, &report_body(&[&photo])).await;
        assert!(res.status().is_client_error(), "{id}: {}", res.status());
    }
}

#[tokio::test]
async fn without_gps_an_address_is_enough_and_admins_see_it_unrouted() {
    let server = TestServer::start().await;
    let (token, _) = rider_with_photo(&server).await;
    let body = json!({
        "category": "flooding", "description": "地下通道积水", "address": "大弯中路地下通道",
        "photos": [], "captured_at": "2026-01-01T08:00:00Z"
    });
    let res = server.put_report(&token, &new_id(), &body).await;
    assert_eq!(res.status(), 201);
    let report: Report = res.json().await.unwrap();
    assert_eq!(report.grid_id, None);
    assert_eq!(
        report.submitted.address.as_deref(),
        Some("大弯中路地下通道")
    );
}

#[tokio::test]
async fn outside_every_grid_the_nearest_grid_gets_it_flagged() {
    let server = TestServer::start().await;
    let (token, photo) = rider_with_photo(&server).await;
    let mut body = report_body(&[&photo]);
    body["lat"] = json!(30.95);
    body["lon"] = json!(104.40);
    let id = new_id();
    let report: Report = server
        .put_report(&token, &id, &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        report.grid_id.as_deref(),
        Some("demo-grid-08"),
        "the north-east corner is nearest"
    );
    let (flag,): (bool,) = db::query_as("SELECT grid_by_nearest FROM reports WHERE id = ?")
        .bind(&id)
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert!(flag);
}

#[tokio::test]
async fn station_staff_may_not_report() {
    let server = TestServer::start().await;
    let staff = server.enrolled(Role::StationStaff, "张敏").await;
    let res = server
        .put_report(&staff.token, &new_id(), &report_body(&[]))
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_report_is_seen_by_its_reporter_its_grid_and_admins_only() {
    let server = TestServer::start().await;
    let (token, photo) = rider_with_photo(&server).await;
    let id = new_id();
    server
        .put_report(&token, &id, &report_body(&[&photo]))
        .await;
    let path = format!("/api/v1/reports/{id}");
    let own_grid = server.grid_worker_of("demo-grid-07").await;
    let other_grid = server.grid_worker_of("demo-grid-01").await;
    let admin = server.enrolled(Role::Admin, "老陈").await.token;
    let other_rider = server.enrolled(Role::Rider, "小张").await.token;
    let staff = server.enrolled(Role::StationStaff, "张敏").await.token;
    for (who, token, want) in [
        ("reporter", &token, 200),
        ("grid worker of its grid", &own_grid, 200),
        ("admin", &admin, 200),
        ("grid worker of another grid", &other_grid, 404),
        ("another rider", &other_rider, 404),
        ("station staff", &staff, 404),
    ] {
        assert_eq!(server.get_as(token, &path).await.status(), want, "{who}");
    }
    assert_eq!(
        server
            .get_as(&token, &format!("/api/v1/reports/{}", new_id()))
            .await
            .status(),
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_puts_of_one_report_create_one_row() {
    let server = TestServer::start().await;
    let (token, photo) = rider_with_photo(&server).await;
    let id = new_id();
    let body = report_body(&[&photo]);
    let mut puts = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let req = server
            .client
            .put(server.url(&format!("/api/v1/reports/{id}")))
            .bearer_auth(&token)
            .json(&body);
        puts.spawn(async move { req.send().await.map(|r| r.status().as_u16()) });
    }
    let mut statuses = Vec::new();
    while let Some(done) = puts.join_next().await {
        statuses.push(done.unwrap().unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [vec![200; 9], vec![201]].concat(),
        "one creation, nine replays"
    );
    let (count,): (i64,) = db::query_as("SELECT COUNT(*) FROM reports")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn a_phone_back_after_30_days_offline_delivers_its_old_reports_once() {
    use suishoupai::server::photos::remove_unused;
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "久别骑手").await.token;
    // 30 days ago the phone enrolled, took the photo and uploaded it — then lost its signal before the report.
    let photo = jpeg(30, 3000);
    let hash = sha256(&photo);
    assert_eq!(server.put_photo(&rider, &photo).await.status(), 201);
    let month_ago = time::OffsetDateTime::now_utc() - time::Duration::days(30);
    let then = month_ago.unix_timestamp();
    for sql in [
        "UPDATE tokens SET created_at = ?",
        "UPDATE photos SET created_at = ?",
    ] {
        db::query(sql).bind(then).execute(&server.db).await.unwrap();
    }
    // Meanwhile the server removed the photo no report used.
    let now = suishoupai::server::accounts::unix_now();
    assert_eq!(remove_unused(&server.state, now).await.unwrap(), 1);

    // Back online: the month-old token still works; the phone asks for its photo, uploads it again, sends.
    let mut body = report_body(&[&hash]);
    body["captured_at"] = json!(suishoupai::domain::timestamp::format_time(month_ago));
    let id = new_id();
    let head = server
        .client
        .head(server.url(&format!("/api/v1/photos/{hash}")))
        .bearer_auth(&rider)
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.status(),
        404,
        "the photo went while the phone was away"
    );
    let too_soon = server.put_report(&rider, &id, &body).await;
    assert_eq!(error_code(too_soon).await, "photo_missing");
    assert_eq!(server.put_photo(&rider, &photo).await.status(), 201);
    let first = server.put_report(&rider, &id, &body).await;
    assert_eq!(first.status(), 201);
    let report: Report = first.json().await.unwrap();
    assert_eq!(report.submitted.captured_at, body["captured_at"]);
    // The answer was lost; the phone sends it again (and again): still one report, with its photo.
    for _ in 0..2 {
        assert_eq!(server.put_report(&rider, &id, &body).await.status(), 200);
    }
    let (n,): (i64,) = db::query_as("SELECT COUNT(*) FROM reports")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let (photos,): (i64,) = db::query_as("SELECT COUNT(*) FROM report_photos WHERE sha256 = ?")
        .bind(&hash)
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(photos, 1);
}
