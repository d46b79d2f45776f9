//! 红黄绿 over the API: a grid turns red for its overdue tasks, yellow for a recurring hotspot, green again when
//! the work is done — each colour with its reasons, each change kept — and each caller sees only their grids.
use serde_json::Value;
use suishoupai::domain::Role;
use suishoupai::server::db;

use crate::common::{new_id, report_body, TestServer};

async fn colours(server: &TestServer, token: &str) -> Vec<Value> {
    let res = server.get_as(token, "/api/v1/warnings").await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn of<'a>(warnings: &'a [Value], grid: &str) -> &'a Value {
    warnings
        .iter()
        .find(|w| w["grid_id"] == grid)
        .unwrap_or_else(|| panic!("{grid} in {warnings:?}"))
}

/// A rider's report at (lat, lon); its id.
async fn report_at(server: &TestServer, rider: &str, lat: f64, lon: f64) -> String {
    let id = new_id();
    let mut body = report_body(&[]);
    body["lat"] = lat.into();
    body["lon"] = lon.into();
    assert_eq!(server.put_report(rider, &id, &body).await.status(), 201);
    id
}

#[tokio::test]
async fn a_grid_goes_red_for_overdue_tasks_yellow_for_a_hotspot_and_green_when_done_and_the_history_keeps_it(
) {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "骑手").await.token;
    let admin = server.enrolled(Role::Admin, "管理员").await.token;
    let all = colours(&server, &admin).await;
    assert!(all
        .iter()
        .all(|w| w["color"] == "green" && w["reasons"] == serde_json::json!([])));

    // demo-grid-01: three open tasks past their deadline. demo-grid-07: the same hazard three times within 50 m.
    let mut late = vec![];
    for i in 0..3 {
        late.push(report_at(&server, &rider, 30.845 + i as f64 * 0.002, 104.175).await);
    }
    db::query(
        "UPDATE reports SET deadline = '2026-01-01T00:00:00.000Z' WHERE grid_id = 'demo-grid-01'",
    )
    .execute(&server.db)
    .await
    .unwrap();
    for metres in [0.0, 20.0, 40.0] {
        report_at(&server, &rider, 30.885 + metres / 111_000.0, 104.255).await;
    }
    let now = colours(&server, &admin).await;
    assert_eq!(of(&now, "demo-grid-01")["color"], "red");
    assert_eq!(
        of(&now, "demo-grid-01")["reasons"],
        serde_json::json!(["3 项逾期"])
    );
    assert_eq!(of(&now, "demo-grid-07")["color"], "yellow");
    assert_eq!(
        of(&now, "demo-grid-07")["reasons"],
        serde_json::json!(["1 处反复出现"])
    );
    assert_eq!(of(&now, "demo-grid-02")["color"], "green");
    let red_since = of(&now, "demo-grid-01")["since"].clone();

    // Reading again changes nothing and keeps the time the colour began.
    let again = colours(&server, &admin).await;
    assert_eq!(of(&again, "demo-grid-01")["since"], red_since);

    // Two of the three resolved: yellow, then green when the last is.
    db::query("UPDATE reports SET status = 'resolved', deadline = NULL WHERE id IN (?, ?)")
        .bind(&late[0])
        .bind(&late[1])
        .execute(&server.db)
        .await
        .unwrap();
    assert_eq!(
        of(&colours(&server, &admin).await, "demo-grid-01")["color"],
        "yellow"
    );
    db::query("UPDATE reports SET status = 'resolved', deadline = NULL WHERE id = ?")
        .bind(&late[2])
        .execute(&server.db)
        .await
        .unwrap();
    assert_eq!(
        of(&colours(&server, &admin).await, "demo-grid-01")["color"],
        "green"
    );
    let history: Vec<Value> = server
        .get_as(&admin, "/api/v1/warnings/history?grid_id=demo-grid-01")
        .await
        .json()
        .await
        .unwrap();
    let path: Vec<&str> = history
        .iter()
        .map(|c| c["color"].as_str().unwrap())
        .collect();
    assert_eq!(
        path,
        ["green", "red", "yellow", "green"],
        "降级转化: {history:?}"
    );
    assert_eq!(history[1]["at"], red_since);
    assert_eq!(history[2]["reasons"], serde_json::json!(["1 项逾期"]));
}

#[tokio::test]
async fn each_caller_sees_only_their_grids() {
    let server = TestServer::start().await;
    let admin = server.enrolled(Role::Admin, "管理员").await.token;
    let grids = colours(&server, &admin).await.len();
    assert_eq!(grids, 8);
    let worker = server.grid_worker_of("demo-grid-07").await;
    let theirs = colours(&server, &worker).await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["grid_id"], "demo-grid-07");
    let other = server
        .get_as(&worker, "/api/v1/warnings/history?grid_id=demo-grid-01")
        .await;
    assert_eq!(other.status(), 404, "another grid's history");
    let official = server.official_of("大同街道").await;
    let street: Vec<String> = colours(&server, &official)
        .await
        .iter()
        .map(|w| w["grid_id"].as_str().unwrap().to_owned())
        .collect();
    let (n,): (i64,) = db::query_as("SELECT count(*) FROM grids WHERE street = '大同街道'")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(street.len() as i64, n);
    for role in [Role::Rider, Role::StationStaff, Role::DepartmentStaff] {
        let token = server.enrolled(role, "别人").await.token;
        assert_eq!(
            server.get_as(&token, "/api/v1/warnings").await.status(),
            403,
            "{role}"
        );
    }
}

/// The `hotspot` field of a report as its reporter reads it.
async fn hotspot(server: &TestServer, token: &str, id: String) -> Option<Value> {
    let res = server.get_as(token, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap().get("hotspot").cloned()
}

#[tokio::test]
async fn the_third_report_of_one_hazard_within_50_m_in_30_days_is_flagged_a_recurring_hotspot() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "骑手").await.token;
    let first = report_at(&server, &rider, 30.885, 104.255).await;
    // 60 m south: a different place (and over 50 m from each report below).
    let far = report_at(&server, &rider, 30.885 - 60.0 / 111_000.0, 104.255).await;
    // The first, resolved since, still counts: the problem came back.
    db::query("UPDATE reports SET status = 'resolved' WHERE id = ?")
        .bind(&first)
        .execute(&server.db)
        .await
        .unwrap();
    let second = report_at(&server, &rider, 30.885 + 30.0 / 111_000.0, 104.255).await;
    assert_eq!(hotspot(&server, &rider, first.clone()).await, None);
    assert_eq!(hotspot(&server, &rider, far).await, None);
    assert_eq!(hotspot(&server, &rider, second.clone()).await, None);
    let third = report_at(&server, &rider, 30.885 + 10.0 / 111_000.0, 104.255).await;
    assert_eq!(
        hotspot(&server, &rider, third).await,
        Some(Value::Bool(true))
    );

    // Reports older than 30 days do not count.
    db::query("UPDATE reports SET received_at = '2020-01-01T00:00:00.000Z' WHERE id IN (?, ?)")
        .bind(&first)
        .bind(&second)
        .execute(&server.db)
        .await
        .unwrap();
    let later = report_at(&server, &rider, 30.885 + 5.0 / 111_000.0, 104.255).await;
    assert_eq!(hotspot(&server, &rider, later).await, None);
}

#[tokio::test]
async fn the_map_shows_open_tasks_overdue_ones_marked_and_the_hotspot_where_its_reports_are() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "骑手").await.token;
    let official = server.enrolled(Role::Official, "区领导").await.token;
    let mut ids = vec![];
    for metres in [0.0, 20.0, 40.0] {
        ids.push(report_at(&server, &rider, 30.885 + metres / 111_000.0, 104.255).await);
    }
    let late = report_at(&server, &rider, 30.845, 104.175).await;
    db::query("UPDATE reports SET deadline = '2026-01-01T00:00:00.000Z' WHERE id = ?")
        .bind(&late)
        .execute(&server.db)
        .await
        .unwrap();
    let done = report_at(&server, &rider, 30.846, 104.175).await;
    db::query("UPDATE reports SET status = 'resolved' WHERE id = ?")
        .bind(&done)
        .execute(&server.db)
        .await
        .unwrap();

    let res = server.get_as(&official, "/api/v1/warnings/map").await;
    assert_eq!(res.status(), 200);
    let map: Value = res.json().await.unwrap();
    let tasks = map["tasks"].as_array().unwrap();
    let ids_shown: Vec<&str> = tasks.iter().map(|t| t["id"].as_str().unwrap()).collect();
    // The three of one hazard are one task (the later two joined the first).
    assert_eq!(
        ids_shown,
        [late.as_str(), ids[0].as_str()],
        "open ones only"
    );
    assert_eq!(tasks[0]["overdue"], true, "the overdue first");
    assert_eq!(
        (tasks[1]["hotspot"].clone(), tasks[1]["overdue"].clone()),
        (Value::Bool(true), Value::Bool(false))
    );
    let hotspots = map["hotspots"].as_array().unwrap();
    assert_eq!(hotspots.len(), 1);
    assert_eq!(hotspots[0]["grid_id"], "demo-grid-07");
    assert_eq!(hotspots[0]["reports"], 3);
    let lat = hotspots[0]["lat"].as_f64().unwrap();
    assert!(
        (lat - (30.885 + 20.0 / 111_000.0)).abs() < 1e-9,
        "the middle of the three: {lat}"
    );

    // The reasons come with their numbers too, for a phone in English.
    let warnings = colours(&server, &official).await;
    assert_eq!(
        of(&warnings, "demo-grid-07")["causes"],
        serde_json::json!([{"kind": "hotspots", "count": 1}])
    );

    // A 街道 other than the grids' shows none of it; a rider may not look.
    let res = server
        .get_as(
            &official,
            "/api/v1/warnings/map?street=%E4%B8%8D%E5%AD%98%E5%9C%A8",
        )
        .await;
    let other: Value = res.json().await.unwrap();
    assert_eq!(other["tasks"], serde_json::json!([]));
    assert_eq!(other["hotspots"], serde_json::json!([]));
    assert_eq!(
        server.get_as(&rider, "/api/v1/warnings/map").await.status(),
        403
    );
}

#[tokio::test]
async fn the_demo_history_lives_its_days_in_order_and_its_poor_grid_goes_red_then_yellow_then_green(
) {
    use suishoupai::server::demo_history::{generate, IMPROVING_GRID};
    let server = TestServer::start().await;
    let admin = server.enrolled(Role::Admin, "管理员").await.token;
    // A running server has judged the grids already (now, all green): the days written after are still lived
    // in order, each compared with the colour known that day.
    colours(&server, &admin).await;
    let now = time::OffsetDateTime::now_utc();
    let written = generate(&server.state, 90, 7, now).await.unwrap();
    assert!(written.reports > 500, "{written:?}");
    let res = server
        .get_as(
            &admin,
            &format!("/api/v1/warnings/history?grid_id={IMPROVING_GRID}"),
        )
        .await;
    let history: Vec<Value> = res.json().await.unwrap();
    let colours: Vec<&str> = history
        .iter()
        .map(|c| c["color"].as_str().unwrap())
        .collect();
    assert_eq!(colours.first(), Some(&"red"), "{colours:?}");
    let first_green = colours
        .iter()
        .position(|c| *c == "green")
        .expect("it turns green");
    assert!(
        colours[..first_green].contains(&"yellow"),
        "through yellow: {colours:?}"
    );
    let turned_green = &history[first_green]["at"];
    let day_before = suishoupai::domain::timestamp::format_time(now - time::Duration::days(1));
    assert!(
        turned_green.as_str().unwrap() < day_before.as_str(),
        "green within the history, not only now: {turned_green}"
    );
    // Its last month is mostly green: red no more.
    let last_month = time::OffsetDateTime::now_utc() - time::Duration::days(30);
    for change in &history {
        let at = suishoupai::domain::timestamp::parse_time(change["at"].as_str().unwrap()).unwrap();
        if at > last_month {
            assert_ne!(change["color"], "red", "{change}");
        }
    }
    // Every report's times are in order, and none is in the future.
    let disorder: (i64,) = db::query_as(
        "SELECT count(*) FROM reports WHERE responded_at < received_at OR closed_at < responded_at OR received_at > ?",
    )
    .bind(suishoupai::domain::timestamp::format_time(now))
    .fetch_one(&server.db)
    .await
    .unwrap();
    assert_eq!(disorder.0, 0);
    // Verdicts were given; a first 不满意 reopened its task, never a second.
    let (verdicts, reopened, twice): (i64, i64, i64) = db::query_as(
        "SELECT (SELECT count(*) FROM verdicts), (SELECT count(*) FROM reports WHERE reopened = 1),
                (SELECT count(*) FROM reports WHERE reopened > 1)",
    )
    .fetch_one(&server.db)
    .await
    .unwrap();
    assert!(
        verdicts > 300 && reopened > 0 && twice == 0,
        "{verdicts} {reopened} {twice}"
    );
    // A second run would double the district's past: refused.
    assert!(generate(&server.state, 90, 7, now).await.is_err());
}
