//! Onboarding a district's people from one CSV: every row checked first, all created with a code each or none,
//! sheets to print, codes reissued for those who did not make it, a grid worker moved.
use std::time::Duration;
use suishoupai::server::db;

use serde_json::{json, Value};
use suishoupai::domain::{Place, Role};
use suishoupai::server::district::users::{
    import_users, onboarding_sheet, reissue_unenrolled, Onboarded,
};
use suishoupai::server::district::{audit_log, ImportError};

use crate::common::TestServer;

const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);

async fn users(server: &TestServer) -> i64 {
    let (n,): (i64,) = db::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&server.db)
        .await
        .unwrap();
    n
}

async fn enroll(server: &TestServer, code: &str) -> u16 {
    server
        .post_json(
            "/api/v1/enroll",
            &json!({"code": code, "device_name": "onboarding day"}),
        )
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_file_with_any_faulty_row_creates_nobody_and_names_every_fault() {
    let server = TestServer::start().await;
    db::query("INSERT INTO users (id, name, role, phone, pass_secret, created_at) VALUES ('u0', '老骑手', 'rider', '13800000000', 'ab', 0)")
        .execute(&server.db)
        .await
        .unwrap();
    let before = users(&server).await;
    let file = "role,name,grid,station,department,phone\n\
        rider,骑手一,,,,13900000001\n\
        courier,骑手二,,,,\n\
        grid_worker,网格员甲,no-such-grid,,,\n\
        rider,骑手三,demo-grid-01,,,\n\
        station_staff,驿站乙,,,,\n\
        rider,骑手四,,,,13900000001\n\
        rider,骑手五,,,,138 0000 0000\n\
        rider,骑手六,,,,12345\n\
        rider,,,,,\n\
        department_staff,城管甲,,,,\n\
        department_staff,城管乙,,,no-such-department,\n\
        rider,骑手七,,,chengguan,\n";
    let refused = match import_users(&server.db, file.as_bytes(), WEEK, "test", false).await {
        Err(ImportError::Refused(f)) => f,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let faults: Vec<String> = refused.iter().map(ToString::to_string).collect();
    let said_zh: Vec<String> = refused
        .iter()
        .map(|f| format!("{}：{}", f.at_zh, f.problem_zh))
        .collect();
    assert_eq!(
        said_zh[1],
        "第 4 行（网格员甲）：没有在用的网格“no-such-grid”"
    );
    assert_eq!(said_zh[2], "第 5 行（骑手三）：骑手不填网格");
    assert_eq!(
        said_zh[4],
        "第 7 行（骑手四）：手机号 13900000001 已经是第 2 行的"
    );
    assert_eq!(
        faults,
        [
            "row 3 (骑手二): unknown role \"courier\" (rider, grid_worker, station_staff, department_staff, official, admin)",
            "row 4 (网格员甲): no grid \"no-such-grid\" in service",
            "row 5 (骑手三): a rider has no grid",
            "row 6 (驿站乙): a station_staff needs a station",
            "row 7 (骑手四): the phone 13900000001 is already row 2's",
            "row 8 (骑手五): the phone 13800000000 is already an existing user's",
            "row 9 (骑手六): the phone \"12345\" is not an 11-digit mobile number",
            "row 10 (no name): the name is empty",
            "row 11 (城管甲): a department_staff needs a department",
            "row 12 (城管乙): no department \"no-such-department\" in service",
            "row 13 (骑手七): a rider has no department",
        ]
    );
    assert_eq!(users(&server).await, before, "nobody was created");
}

#[tokio::test]
async fn department_staff_belong_to_a_department_and_an_official_to_one_street_or_the_district() {
    let server = TestServer::start().await;
    let file = "role,name,grid,station,department,street,phone\n\
        department_staff,城管队员,,,chengguan,,\n\
        official,街道领导,,,,大同街道,\n\
        official,区领导,,,,,\n";
    let made = import_users(&server.db, file.as_bytes(), WEEK, "test", false)
        .await
        .unwrap();
    let places: Vec<_> = made.iter().map(|m| (m.role, m.place.as_deref())).collect();
    assert_eq!(
        places,
        [
            (Role::DepartmentStaff, Some("区综合行政执法局（城管）")),
            (Role::Official, Some("大同街道")),
            (Role::Official, None),
        ]
    );
    let staff = server.enrolled_with(&made[0].code).await;
    assert_eq!(staff.user.department_id.as_deref(), Some("chengguan"));
    let official = server.enrolled_with(&made[1].code).await;
    assert_eq!(official.user.street.as_deref(), Some("大同街道"));
    assert_eq!(official.user.department_id, None);

    let unknown_street =
        "role,name,grid,station,department,street,phone\nofficial,领导,,,,没有这个街道,\n";
    match import_users(&server.db, unknown_street.as_bytes(), WEEK, "test", false).await {
        Err(ImportError::Refused(f)) => assert_eq!(
            f[0].to_string(),
            "row 2 (领导): no street \"没有这个街道\" in service"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn fifty_riders_and_their_workers_get_a_code_each_that_enrolls_and_a_sheet_of_cards() {
    let server = TestServer::start().await;
    let mut file = String::from("role,name,grid,station,phone\n");
    for i in 0..50 {
        file.push_str(&format!("rider,骑手{i:02},,,139{i:08}\n"));
    }
    file.push_str("grid_worker,网格员甲,demo-grid-07,,\nstation_staff,驿站乙,,demo-station-03,\n");
    let made = import_users(&server.db, file.as_bytes(), WEEK, "test", false)
        .await
        .unwrap();
    assert_eq!(made.len(), 52);
    assert_eq!(
        (made[50].role, made[50].place.as_deref()),
        (Role::GridWorker, Some("弥牟镇网格"))
    );
    let staff = &made[51];
    assert_eq!(
        (staff.role, staff.place.as_deref()),
        (Role::StationStaff, Some("暖心驿站·华严"))
    );
    // Codes differ, and one enrolls exactly once.
    let codes: std::collections::BTreeSet<&str> = made.iter().map(|m| m.code.as_str()).collect();
    assert_eq!(codes.len(), 52);
    assert_eq!(enroll(&server, &made[7].code).await, 201);
    assert_eq!(enroll(&server, &made[7].code).await, 401);
    let entry = audit_log(&server.db, 1).await.unwrap().remove(0);
    assert_eq!(entry.action, "import users");
    assert_eq!(
        serde_json::from_str::<Value>(&entry.summary).unwrap()["created"],
        52
    );

    let sheet = onboarding_sheet(&made, Some("https://qbj.example.cn"), WEEK).unwrap();
    assert_eq!(sheet.matches("<section class=\"card\">").count(), 52);
    assert_eq!(sheet.matches("<svg").count(), 52, "a QR code per card");
    let display = suishoupai::domain::enrollment_code::display(&made[0].code);
    assert!(sheet.contains(&format!("<p class=\"code\">{display}</p>")));
    assert!(sheet.contains("<h2>骑手00</h2>"));
    assert!(sheet.contains("网格员 · 弥牟镇网格"));
    assert!(sheet.contains("打开随手拍（https://qbj.example.cn）"));
    assert!(sheet.contains("@page { size: A4"));
}

#[tokio::test]
async fn codes_are_reissued_for_a_station_only_to_those_not_yet_enrolled() {
    let server = TestServer::start().await;
    let file = "role,name,grid,station,phone\n\
        station_staff,驿站甲,,demo-station-02,\n\
        station_staff,驿站乙,,demo-station-02,\n\
        station_staff,驿站丙,,demo-station-05,\n";
    let made: Vec<Onboarded> = import_users(&server.db, file.as_bytes(), WEEK, "test", false)
        .await
        .unwrap();
    assert_eq!(enroll(&server, &made[0].code).await, 201);
    let again = reissue_unenrolled(&server.db, Place::Station, "demo-station-02", WEEK, "test")
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["驿站乙"]
    );
    assert_eq!(
        enroll(&server, &made[1].code).await,
        401,
        "the old code stopped working"
    );
    assert_eq!(enroll(&server, &again[0].code).await, 201);
    assert_eq!(
        enroll(&server, &made[2].code).await,
        201,
        "another station's codes are untouched"
    );
}

#[tokio::test]
async fn a_grid_worker_moves_grid_and_the_old_grids_tasks_stay_with_it() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "骑手").await;
    let id = crate::common::new_id();
    assert_eq!(
        server
            .put_report(&rider.token, &id, &crate::common::report_body(&[]))
            .await
            .status(),
        201
    );
    let (old_grid,): (String,) = db::query_as("SELECT grid_id FROM reports WHERE id = ?")
        .bind(&id)
        .fetch_one(&server.db)
        .await
        .unwrap();
    let worker = server.enrolled(Role::GridWorker, "网格员").await;
    assert_eq!(worker.user.grid_id.as_deref(), Some("demo-grid-01"));
    suishoupai::server::accounts::move_to_grid(&server.db, &worker.user.id, "demo-grid-03")
        .await
        .unwrap();
    let me: Value = server
        .get_as(&worker.token, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["grid_id"], "demo-grid-03");
    let (grid,): (String,) = db::query_as("SELECT grid_id FROM reports WHERE id = ?")
        .bind(&id)
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(grid, old_grid);
    let err =
        suishoupai::server::accounts::move_to_grid(&server.db, &rider.user.id, "demo-grid-01")
            .await;
    assert!(err.is_err(), "a rider has no grid");
    let err =
        suishoupai::server::accounts::move_to_grid(&server.db, &worker.user.id, "nowhere").await;
    assert!(err.is_err());
}

#[tokio::test]
async fn the_console_lists_filters_revokes_moves_and_reissues_and_only_for_admins() {
    let server = TestServer::start().await;
    let admin = server.enrolled(Role::Admin, "管理员").await;
    let file = "role,name,grid,station,phone\n\
        rider,骑手甲,,,13900000001\n\
        grid_worker,网格员乙,demo-grid-02,,\n\
        station_staff,驿站丙,,demo-station-04,\n\
        station_staff,驿站丁,,demo-station-04,\n";
    let made = import_users(&server.db, file.as_bytes(), WEEK, "test", false)
        .await
        .unwrap();
    assert_eq!(enroll(&server, &made[0].code).await, 201);
    let post = |token: &str, path: &str, body: Value| {
        server
            .client
            .post(server.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
    };

    let rider = server.enrolled(Role::Rider, "别人").await;
    assert_eq!(
        server
            .get_as(&rider.token, "/api/v1/admin/users")
            .await
            .status(),
        403
    );
    let res = post(
        &rider.token,
        &format!("/api/v1/admin/users/{}/revoke", made[1].user_id),
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 403);

    let staff: Vec<Value> = server
        .get_as(&admin.token, "/api/v1/admin/users?station=demo-station-04")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = staff
        .iter()
        .map(|p| p["user"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["驿站丙", "驿站丁"]);
    assert!(staff
        .iter()
        .all(|p| p["enrolled"] == false && p.get("phone").is_none()));
    let riders: Vec<Value> = server
        .get_as(&admin.token, "/api/v1/admin/users?role=rider")
        .await
        .json()
        .await
        .unwrap();
    let first = riders
        .iter()
        .find(|p| p["user"]["name"] == "骑手甲")
        .unwrap();
    assert_eq!(first["enrolled"], true);
    assert!(
        !serde_json::to_string(&riders)
            .unwrap()
            .contains("13900000001"),
        "no phone number leaves"
    );

    // Move the grid worker; a rider cannot be moved, nor anyone to a grid that is not in service.
    let moved: Value = post(
        &admin.token,
        &format!("/api/v1/admin/users/{}/move", made[1].user_id),
        json!({"grid": "demo-grid-05"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(moved["user"]["grid_id"], "demo-grid-05");
    let res = post(
        &admin.token,
        &format!("/api/v1/admin/users/{}/move", made[0].user_id),
        json!({"grid": "demo-grid-05"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    let res = post(
        &admin.token,
        &format!("/api/v1/admin/users/{}/move", made[1].user_id),
        json!({"grid": "nowhere"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    let res = post(
        &admin.token,
        "/api/v1/admin/users/no-such-user/revoke",
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 404);
    let res = post(
        &admin.token,
        &format!("/api/v1/admin/users/{}/revoke", admin.user.id),
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422, "an admin cannot lock themselves out");
    assert_eq!(
        server.get_as(&admin.token, "/api/v1/me").await.status(),
        200
    );

    // New codes for the station's two, who never enrolled: the old ones stop working.
    let res = post(&admin.token, "/api/v1/admin/users/reissue", json!({}))
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "neither a grid nor a station");
    let again: Value = post(
        &admin.token,
        "/api/v1/admin/users/reissue",
        json!({"station": "demo-station-04"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(again["created"], 2);
    assert_eq!(
        again["sheet_html"]
            .as_str()
            .unwrap()
            .matches("<section class=\"card\">")
            .count(),
        2
    );
    assert_eq!(enroll(&server, &made[2].code).await, 401);
    assert_eq!(
        enroll(&server, again["users"][0]["code"].as_str().unwrap()).await,
        201
    );

    // Revoke the rider who enrolled: their phone's token stops at once.
    let token = {
        let (_, code) = server.user_with_code(Role::Rider, "将被停用").await;
        let res = server
            .post_json("/api/v1/enroll", &json!({"code": code}))
            .await;
        let body: Value = res.json().await.unwrap();
        (
            body["user"]["id"].as_str().unwrap().to_owned(),
            body["token"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(server.get_as(&token.1, "/api/v1/me").await.status(), 200);
    let revoked: Value = post(
        &admin.token,
        &format!("/api/v1/admin/users/{}/revoke", token.0),
        json!({}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(revoked["revoked"], true);
    assert_eq!(server.get_as(&token.1, "/api/v1/me").await.status(), 401);
}
