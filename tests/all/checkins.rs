//! PROTOCOL.md, Check-ins at 暖心驿站: one test per rule.

use crate::common::{error_code, new_id, TestServer};
use serde_json::json;
use suishoupai::domain::change::ChangePage;
use suishoupai::domain::pass::{code_at, qr_text, secret_bytes, STEP_SECS};
use suishoupai::domain::timestamp::format_time;
use suishoupai::domain::{Checkin, Enrollment, Role};
use suishoupai::server::db;
use time::{Duration, OffsetDateTime};

struct Scene {
    server: TestServer,
    rider: Enrollment,
    staff: String,
}

async fn scene() -> Scene {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "骑手小李").await;
    let staff = server.enrolled(Role::StationStaff, "驿站张敏").await.token; // demo-station-01
    Scene {
        server,
        rider,
        staff,
    }
}

impl Scene {
    fn code(&self, at: OffsetDateTime) -> String {
        let secret = secret_bytes(self.rider.pass_secret.as_deref().unwrap()).unwrap();
        code_at(&secret, at.unix_timestamp())
    }

    /// What the staff phone reads from the rider's QR pass at `at`: it names the rider.
    fn qr(&self, at: OffsetDateTime) -> String {
        qr_text(&self.rider.user.id, &self.code(at))
    }

    /// The rider as if enrolled `days` ago (scans before enrollment are refused).
    async fn enrolled_days_ago(&self, days: i64) {
        db::query("UPDATE users SET created_at = created_at - ? WHERE id = ?")
            .bind(days * 86_400)
            .bind(&self.rider.user.id)
            .execute(&self.server.db)
            .await
            .unwrap();
    }

    async fn put(&self, token: &str, id: &str, body: &serde_json::Value) -> reqwest::Response {
        self.server
            .client
            .put(self.server.url(&format!("/api/v1/checkins/{id}")))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

fn body(pass: &str, at: OffsetDateTime) -> serde_json::Value {
    json!({"station_id": "demo-station-01", "rider_pass": pass, "scanned_at": format_time(at)})
}

#[tokio::test]
async fn a_typed_current_code_confirms_the_rider_and_a_replay_is_a_no_op() {
    let s = scene().await;
    let now = OffsetDateTime::now_utc();
    let id = new_id();
    let res = s.put(&s.staff, &id, &body(&s.code(now), now)).await;
    assert_eq!(res.status(), 201);
    let checkin: Checkin = res.json().await.unwrap();
    assert_eq!(
        (checkin.rider_id.as_str(), checkin.rider_name.as_str()),
        (s.rider.user.id.as_str(), "骑手小李")
    );
    assert_eq!(checkin.same_visit_as, None);
    let again = s.put(&s.staff, &id, &body(&s.code(now), now)).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Checkin>().await.unwrap(), checkin);
    let (n,): (i64,) = db::query_as("SELECT COUNT(*) FROM checkins")
        .fetch_one(&s.server.db)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn the_qr_text_works_too() {
    let s = scene().await;
    let now = OffsetDateTime::now_utc();
    let qr = qr_text(&s.rider.user.id, &s.code(now));
    assert_eq!(
        s.put(&s.staff, &new_id(), &body(&qr, now)).await.status(),
        201
    );
}

#[tokio::test]
async fn the_same_id_with_other_content_is_409() {
    let s = scene().await;
    let now = OffsetDateTime::now_utc();
    let id = new_id();
    s.put(&s.staff, &id, &body(&s.code(now), now)).await;
    let res = s
        .put(
            &s.staff,
            &id,
            &body(&s.code(now), now - Duration::seconds(5)),
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(error_code(res).await, "id_conflict");
}

#[tokio::test]
async fn expired_forged_and_revoked_passes_are_422_invalid_pass() {
    let s = scene().await;
    let now = OffsetDateTime::now_utc();
    let old = s.code(now - Duration::seconds(3 * STEP_SECS));
    let mut forged = s.code(now).into_bytes();
    forged[0] = if forged[0] == b'9' {
        b'0'
    } else {
        forged[0] + 1
    };
    let forged = String::from_utf8(forged).unwrap();
    for pass in [
        old.as_str(),
        forged.as_str(),
        "not a pass",
        "SSP1:someone-else:12345678",
    ] {
        let res = s.put(&s.staff, &new_id(), &body(pass, now)).await;
        assert_eq!(res.status(), 422, "{pass}");
        assert_eq!(error_code(res).await, "invalid_pass", "{pass}");
    }
    suishoupai::server::accounts::revoke_user(&s.server.db, &s.rider.user.id)
        .await
        .unwrap();
    let res = s.put(&s.staff, &new_id(), &body(&s.code(now), now)).await;
    assert_eq!(error_code(res).await, "invalid_pass");
}

#[tokio::test]
async fn a_check_in_may_arrive_days_after_the_scan_but_not_from_the_future() {
    let s = scene().await;
    s.enrolled_days_ago(10).await;
    let scanned = OffsetDateTime::now_utc() - Duration::days(3);
    assert_eq!(
        s.put(&s.staff, &new_id(), &body(&s.qr(scanned), scanned))
            .await
            .status(),
        201
    );
    let future = OffsetDateTime::now_utc() + Duration::minutes(30);
    let res = s
        .put(&s.staff, &new_id(), &body(&s.code(future), future))
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(error_code(res).await, "invalid_input");
}

#[tokio::test]
async fn only_staff_of_the_station_may_record_there() {
    let s = scene().await;
    let now = OffsetDateTime::now_utc();
    let mut elsewhere = body(&s.code(now), now);
    elsewhere["station_id"] = json!("demo-station-02");
    assert_eq!(s.put(&s.staff, &new_id(), &elsewhere).await.status(), 403);
    for role in [Role::Rider, Role::GridWorker] {
        let token = s.server.enrolled(role, "别人").await.token;
        assert_eq!(
            s.put(&token, &new_id(), &body(&s.code(now), now))
                .await
                .status(),
            403,
            "{role}"
        );
    }
}

#[tokio::test]
async fn the_same_rider_within_one_window_counts_once() {
    let s = scene().await;
    let now = OffsetDateTime::now_utc();
    let first: Checkin = s
        .put(&s.staff, &new_id(), &body(&s.code(now), now))
        .await
        .json()
        .await
        .unwrap();
    let res = s.put(&s.staff, &new_id(), &body(&s.code(now), now)).await;
    assert_eq!(res.status(), 201);
    let second: Checkin = res.json().await.unwrap();
    assert_eq!(second.same_visit_as.as_deref(), Some(first.id.as_str()));
    let (counted,): (i64,) =
        db::query_as("SELECT COUNT(*) FROM checkins WHERE same_visit_as IS NULL")
            .fetch_one(&s.server.db)
            .await
            .unwrap();
    assert_eq!(counted, 1);
}

#[tokio::test]
async fn the_feed_brings_check_ins_to_their_rider_and_their_station_only() {
    let s = scene().await;
    let now = OffsetDateTime::now_utc();
    let id = new_id();
    s.put(&s.staff, &id, &body(&s.code(now), now)).await;
    let checkins = |page: ChangePage| -> Vec<String> {
        page.changes
            .into_iter()
            .filter(|c| c.data.get("rider_name").is_some())
            .map(|c| c.id)
            .collect()
    };
    let feed = |token: String| {
        let server = &s.server;
        async move {
            server
                .get_as(&token, "/api/v1/changes?limit=500")
                .await
                .json::<ChangePage>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        checkins(feed(s.rider.token.clone()).await),
        vec![id.clone()]
    );
    assert_eq!(checkins(feed(s.staff.clone()).await), vec![id.clone()]);
    let other_rider = s.server.enrolled(Role::Rider, "小张").await.token;
    assert!(checkins(feed(other_rider).await).is_empty());
    let grid_worker = s.server.enrolled(Role::GridWorker, "网格员").await.token;
    assert!(checkins(feed(grid_worker).await).is_empty());
}

#[tokio::test]
async fn one_code_is_one_visit_across_scan_times_and_stations() {
    let s = scene().await;
    let now = OffsetDateTime::now_utc();
    let code = s.qr(now);
    let mut first = None;
    // The same code scanned half a minute either side at this station: one visit, the rest are second scans.
    for scanned in [
        now - Duration::seconds(STEP_SECS),
        now,
        now + Duration::seconds(STEP_SECS),
    ] {
        let res = s.put(&s.staff, &new_id(), &body(&code, scanned)).await;
        assert_eq!(res.status(), 201);
        let checkin: Checkin = res.json().await.unwrap();
        match &first {
            None => first = Some(checkin.id),
            Some(id) => assert_eq!(checkin.same_visit_as.as_ref(), Some(id)),
        }
    }
    // The same code at another station: spent.
    let elsewhere = s.server.staff_of("demo-station-02").await;
    let mut there = body(&code, now);
    there["station_id"] = json!("demo-station-02");
    let res = s.put(&elsewhere, &new_id(), &there).await;
    assert_eq!(res.status(), 422);
    assert_eq!(error_code(res).await, "invalid_pass");
    let (visits,): (i64,) =
        db::query_as("SELECT COUNT(*) FROM checkins WHERE same_visit_as IS NULL")
            .fetch_one(&s.server.db)
            .await
            .unwrap();
    assert_eq!(visits, 1);
}

#[tokio::test]
async fn scans_older_than_a_week_or_before_the_rider_existed_are_refused() {
    let s = scene().await;
    s.enrolled_days_ago(500).await;
    for days in [8, 400, 20_000] {
        let scanned = OffsetDateTime::now_utc() - Duration::days(days);
        let res = s
            .put(&s.staff, &new_id(), &body(&s.qr(scanned), scanned))
            .await;
        assert_eq!(res.status(), 422, "{days} days ago");
        assert_eq!(error_code(res).await, "invalid_input", "{days} days ago");
    }
    let fresh = scene().await;
    let before = OffsetDateTime::now_utc() - Duration::days(2);
    let res = fresh
        .put(&fresh.staff, &new_id(), &body(&fresh.qr(before), before))
        .await;
    assert_eq!(res.status(), 422, "a pass from before the rider enrolled");
    assert_eq!(error_code(res).await, "invalid_pass");
}

#[tokio::test]
async fn a_typed_code_is_checked_against_the_servers_clock_only() {
    let s = scene().await;
    s.enrolled_days_ago(10).await;
    // A typed code says nobody's name: sent late (the station was offline), it cannot be told from a guess.
    let late = OffsetDateTime::now_utc() - Duration::minutes(10);
    let res = s.put(&s.staff, &new_id(), &body(&s.code(late), late)).await;
    assert_eq!(res.status(), 422);
    assert_eq!(error_code(res).await, "invalid_pass");
    // The QR text of the same moment names the rider, and goes through.
    let res = s.put(&s.staff, &new_id(), &body(&s.qr(late), late)).await;
    assert_eq!(res.status(), 201);
    // A typed code of another time sent with a `scanned_at` of that time is refused too.
    let now = OffsetDateTime::now_utc();
    let res = s
        .put(
            &s.staff,
            &new_id(),
            &body(&s.code(now - Duration::minutes(5)), now),
        )
        .await;
    assert_eq!(error_code(res).await, "invalid_pass");
}

#[tokio::test]
async fn guessing_stops_after_a_few_failures_and_is_on_record() {
    let s = scene().await;
    let now = OffsetDateTime::now_utc();
    let right = s.code(now);
    let wrong = |i: u32| {
        let guess = format!(
            "{:08}",
            (right.parse::<u32>().unwrap() + 1 + i) % 100_000_000
        );
        body(&guess, now)
    };
    for i in 0..5 {
        let res = s.put(&s.staff, &new_id(), &wrong(i)).await;
        assert_eq!(error_code(res).await, "invalid_pass", "guess {i}");
    }
    let res = s.put(&s.staff, &new_id(), &wrong(5)).await;
    assert_eq!(res.status(), 429, "the sixth failure in an hour");
    assert!(res.headers().get("retry-after").is_some());
    // Even the right code waits now: the account is stopped, not the guess.
    let res = s.put(&s.staff, &new_id(), &body(&right, now)).await;
    assert_eq!(res.status(), 429);
    let (failures,): (i64,) = db::query_as("SELECT COUNT(*) FROM pass_failures WHERE typed")
        .fetch_one(&s.server.db)
        .await
        .unwrap();
    assert_eq!(failures, 5);
    // Other staff are not stopped by it.
    let colleague = s.server.staff_of("demo-station-01").await;
    let res = s.put(&colleague, &new_id(), &body(&right, now)).await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn a_typed_code_finds_its_rider_among_many() {
    let s = scene().await;
    for i in 0..300 {
        s.server.enrolled(Role::Rider, &format!("骑手{i}")).await;
    }
    let now = OffsetDateTime::now_utc();
    let res = s.put(&s.staff, &new_id(), &body(&s.code(now), now)).await;
    assert_eq!(res.status(), 201);
    let checkin: Checkin = res.json().await.unwrap();
    assert_eq!(checkin.rider_id, s.rider.user.id);
}
