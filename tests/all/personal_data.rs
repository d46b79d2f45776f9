//! A rider's own data and retention: the export holds what the server keeps about them and reads back; erasing
//! the account leaves the reports and the figures but no name or phone number anywhere in the database file;
//! retention makes closed reports anonymous at its edge and removes their photos after theirs.
use std::io::Read;
use suishoupai::server::db;

use serde_json::{json, Value};
use suishoupai::domain::{Report, Role};
use suishoupai::server::personal::{apply_retention, Retention};

use crate::common::{jpeg, new_id, report_body, report_body_at, sha256, TestServer};

const NAME: &str = "骑手独一无二";
const PHONE: &str = "13912345678";

/// A rider with a phone number, enrolled: their token and id.
async fn rider(server: &TestServer) -> (String, String) {
    let new = suishoupai::server::accounts::NewUser {
        id: None,
        role: Role::Rider,
        name: NAME.into(),
        grid_id: None,
        station_id: None,
        department_id: None,
        street: None,
        phone: Some(PHONE.into()),
    };
    let user = suishoupai::server::accounts::create_user(&server.db, new)
        .await
        .unwrap();
    let code = suishoupai::server::accounts::issue_code(
        &server.db,
        &user.id,
        std::time::Duration::from_secs(600),
    )
    .await
    .unwrap();
    (server.enrolled_with(&code).await.token, user.id)
}

/// A report with a photo by `token`, accepted and resolved by the grid's worker, judged 不满意 with a comment.
async fn resolved_report(server: &TestServer, token: &str, seed: u8) -> (String, String) {
    let photo = jpeg(seed, 3000);
    let sha = sha256(&photo);
    assert_eq!(server.put_photo(token, &photo).await.status(), 201);
    // Each at its own place: a report of an open hazard would join it.
    let id = server
        .file_report(token, &report_body_at(&[&sha], f64::from(seed) * 100.0))
        .await
        .id;
    let worker = server.grid_worker_of("demo-grid-07").await;
    for (kind, extra) in [
        ("accept", json!({})),
        ("resolve", json!({"note": "已修好"})),
    ] {
        let now: Report = server
            .get_as(&worker, &format!("/api/v1/reports/{id}"))
            .await
            .json()
            .await
            .unwrap();
        let mut body = json!({"report_id": id, "kind": kind, "expected_version": now.version});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let res = server
            .put_as(
                &worker,
                &format!("/api/v1/task-actions/{}", new_id()),
                &body,
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    let res = server
        .put_as(
            token,
            &format!("/api/v1/verdicts/{}", new_id()),
            &json!({"report_id": id, "verdict": "unsatisfied", "comment": "还是坏的"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    (id, sha)
}

#[tokio::test]
async fn a_rider_downloads_what_the_server_keeps_about_them() {
    let server = TestServer::start().await;
    let (token, user_id) = rider(&server).await;
    let (report, sha) = resolved_report(&server, &token, 1).await;
    let res = server.get_as(&token, "/api/v1/me/data").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut text = String::new();
    zip.by_name("data.json")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let data: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(data["account"]["id"], user_id.as_str());
    assert_eq!(data["account"]["name"], NAME);
    assert_eq!(data["account"]["phone"], PHONE);
    assert_eq!(data["reports"][0]["id"], report.as_str());
    assert_eq!(
        data["points"].as_array().unwrap().len(),
        2,
        "accepted and resolved: {data}"
    );
    assert_eq!(data["verdicts"][0]["comment"], "还是坏的");
    let mut photo = vec![];
    zip.by_name(&format!("photos/{sha}.jpeg"))
        .unwrap()
        .read_to_end(&mut photo)
        .unwrap();
    assert_eq!(sha256(&photo), sha);
    assert_eq!(server.get("/api/v1/me/data").await.status(), 401);
}

#[tokio::test]
async fn erasing_the_account_keeps_the_reports_and_figures_but_no_name_or_phone_number() {
    let server = TestServer::start().await;
    let (token, _) = rider(&server).await;
    let (report, _) = resolved_report(&server, &token, 2).await;
    let admin = server.enrolled(Role::Admin, "管理员").await.token;
    let today = crate::common::beijing_today();
    let stats_url = format!(
        "/api/v1/stats?from={}&to={}&by=grid",
        today - time::Duration::days(1),
        today
    );
    let before: Value = server
        .get_as(&admin, &stats_url)
        .await
        .json()
        .await
        .unwrap();
    // Staff accounts are the district's to revoke.
    let worker = server.grid_worker_of("demo-grid-07").await;
    assert_eq!(
        server
            .client
            .delete(server.url("/api/v1/me"))
            .bearer_auth(&worker)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    let res = server
        .client
        .delete(server.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        server.get_as(&token, "/api/v1/me").await.status(),
        401,
        "the token is gone"
    );
    let kept: Report = server
        .get_as(&admin, &format!("/api/v1/reports/{report}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(kept.reporter_name, "已注销用户");
    assert!(
        kept.timeline.iter().all(|s| s.by.as_deref() != Some(NAME)),
        "{:?}",
        kept.timeline
    );
    let after: Value = server
        .get_as(&admin, &stats_url)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["total"], before["total"], "the figures stay");

    // Nothing of the person is left in the database file.
    let file = server.database_bytes().await;
    let holds = |needle: &str| file.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(!holds(NAME), "the name is still in the database file");
    assert!(
        !holds(PHONE),
        "the phone number is still in the database file"
    );
}

#[tokio::test]
async fn retention_makes_closed_reports_anonymous_at_its_edge_and_removes_old_photos() {
    let server = TestServer::start().await;
    let (token, _) = rider(&server).await;
    let (old, _) = resolved_report(&server, &token, 3).await;
    let (young, _) = resolved_report(&server, &token, 4).await;
    let now = time::OffsetDateTime::now_utc();
    let months_ago = |m: u32, secs: i64| {
        suishoupai::server::personal::months_before(now, m) + time::Duration::seconds(secs)
    };
    let set_closed = |id: String, at: time::OffsetDateTime| {
        let db = server.db.clone();
        async move {
            db::query("UPDATE reports SET closed_at = ? WHERE id = ?")
                .bind(suishoupai::domain::timestamp::format_time(at))
                .bind(id)
                .execute(&db)
                .await
                .unwrap();
        }
    };
    // One second past 24 months, and one second short of it.
    set_closed(old.clone(), months_ago(24, -1)).await;
    set_closed(young.clone(), months_ago(24, 1)).await;
    let done = apply_retention(&server.state, Retention::default(), now)
        .await
        .unwrap();
    assert_eq!(done.anonymized, 1);
    assert_eq!(
        done.photos_removed, 2,
        "both are past the 12 months of photos"
    );
    let admin = server.enrolled(Role::Admin, "管理员").await.token;
    let read = |id: String| {
        let (server, admin) = (&server, admin.clone());
        async move {
            server
                .get_as(&admin, &format!("/api/v1/reports/{id}"))
                .await
                .json::<Report>()
                .await
                .unwrap()
        }
    };
    assert_eq!(read(old.clone()).await.reporter_name, "匿名");
    assert_eq!(read(young.clone()).await.reporter_name, NAME);
    assert!(read(old.clone())
        .await
        .timeline
        .iter()
        .all(|s| s.by.as_deref() != Some(NAME)));
    assert_eq!(
        read(old.clone()).await.submitted.description,
        report_body(&[])["description"].as_str().unwrap(),
        "the words stay unless the policy asks"
    );
    // Run again: nothing more to do.
    let again = apply_retention(&server.state, Retention::default(), now)
        .await
        .unwrap();
    assert_eq!(again, Default::default());
    // The photos are unlinked, and the hourly removal deletes their bytes.
    let (linked,): (i64,) = db::query_as("SELECT count(*) FROM report_photos")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(linked, 0);
    let removed = suishoupai::server::photos::remove_unused(&server.state, i64::MAX / 2)
        .await
        .unwrap();
    assert!(removed >= 1);
}

#[tokio::test]
async fn phone_numbers_are_sealed_in_the_database_file_yet_admins_read_them_and_duplicates_are_caught(
) {
    let server = TestServer::start().await;
    rider(&server).await;
    let accounts = suishoupai::server::accounts::list_accounts(&server.db)
        .await
        .unwrap();
    assert!(
        accounts.iter().any(|a| a.phone.as_deref() == Some(PHONE)),
        "the admin's list shows the number"
    );
    let file = server.database_bytes().await;
    assert!(
        !file.windows(PHONE.len()).any(|w| w == PHONE.as_bytes()),
        "a copied database file alone reveals no phone number"
    );
    // Onboarding a file with the same number is refused, naming it.
    let csv = format!("role,name,grid,station,phone\nrider,重复号码,,,{PHONE}\n");
    let err = suishoupai::server::district::users::import_users(
        &server.db,
        csv.as_bytes(),
        std::time::Duration::from_secs(3600),
        "test",
        true,
    )
    .await
    .expect_err("refused");
    assert!(
        format!("{err}").contains("already an existing user's"),
        "{err}"
    );
}

#[tokio::test]
async fn retention_drops_the_reporters_words_where_the_policy_asks_and_a_replay_still_replays() {
    let server = TestServer::start().await;
    let (token, _) = rider(&server).await;
    let (id, body) = (new_id(), report_body(&[]));
    assert_eq!(server.put_report(&token, &id, &body).await.status(), 201);
    db::query("UPDATE reports SET status = 'resolved', closed_at = '2020-01-01T00:00:00.000Z' WHERE id = ?")
        .bind(&id)
        .execute(&server.db)
        .await
        .unwrap();
    let rules = Retention {
        drop_notes: true,
        ..Retention::default()
    };
    let done = apply_retention(&server.state, rules, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(done.anonymized, 1);
    let admin = server.enrolled(Role::Admin, "管理员").await.token;
    let kept: Report = server
        .get_as(&admin, &format!("/api/v1/reports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(kept.submitted.description, "");
    assert_eq!(kept.submitted.category, "manhole_cover", "the hazard stays");
    assert_eq!(
        server.put_report(&token, &id, &body).await.status(),
        200,
        "a replay of the original"
    );
}
