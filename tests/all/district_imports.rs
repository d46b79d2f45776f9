//! The district loads its own grids, stations, departments and 两张清单 from files: a faulty file changes nothing
//! and names each fault; a good one applies whole, retires what it leaves out, reaches phones through the change
//! feed and leaves one audit-log entry; export and import again changes nothing.
use serde_json::{json, Value};
use suishoupai::domain::Role;
use suishoupai::server::db;
use suishoupai::server::district::{
    audit_log, export_kind, import_kind, Changes, ImportError, Kind,
};

use crate::common::{new_id, report_body, TestServer};

/// A square grid feature, `size` degrees wide, south-west corner at (`lat`, `lon`).
fn square(id: &str, lat: f64, lon: f64, size: f64) -> Value {
    let ring = json!([
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat]
    ]);
    feature(id, json!({"type": "Polygon", "coordinates": [ring]}))
}

fn feature(id: &str, geometry: Value) -> Value {
    json!({
        "type": "Feature",
        "properties": {"id": id, "name": format!("{id}网格"), "community": "华严社区", "street": "大弯街道"},
        "geometry": geometry,
    })
}

fn collection(features: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"type": "FeatureCollection", "features": features})).unwrap()
}

/// Two grids side by side over the demo report's spot (30.885 N, 104.255 E): west and east of 104.255.
fn two_grids() -> Vec<Value> {
    vec![
        square("g-west", 30.86, 104.215, 0.04),
        square("g-east", 30.86, 104.255, 0.04),
    ]
}

pub(crate) async fn import(
    server: &TestServer,
    kind: Kind,
    bytes: &[u8],
    name: &str,
) -> Result<Changes, ImportError> {
    import_kind(&server.db, kind, bytes, name, "test", false).await
}

/// The faults of a refused file, as text.
pub(crate) async fn refused(
    server: &TestServer,
    kind: Kind,
    bytes: &[u8],
    name: &str,
) -> Vec<String> {
    match import(server, kind, bytes, name).await {
        Err(ImportError::Refused(faults)) => faults.iter().map(ToString::to_string).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Everything a grids import could change, to compare before and after a refused one.
async fn grid_rows(server: &TestServer) -> Vec<(String, String, Option<String>, i64)> {
    db::query_as("SELECT id, name, retired_at, change_seq FROM grids ORDER BY id")
        .fetch_all(&server.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn each_fault_of_a_grids_file_is_named_and_nothing_changes() {
    let server = TestServer::start().await;
    let before = grid_rows(&server).await;
    let logged = audit_log(&server.db, 100).await.unwrap().len();
    let not_closed = {
        let mut f = square("g-open", 30.86, 104.215, 0.04);
        f["geometry"]["coordinates"][0]
            .as_array_mut()
            .unwrap()
            .pop();
        f["geometry"]["coordinates"][0]
            .as_array_mut()
            .unwrap()
            .push(json!([104.216, 30.861]));
        f
    };
    let bowtie = feature(
        "g-bowtie",
        json!({"type": "Polygon", "coordinates": [[[104.3, 30.8], [104.34, 30.84], [104.34, 30.8], [104.3, 30.84], [104.3, 30.8]]]}),
    );
    let swapped = {
        let ring = json!([
            [30.9, 104.4],
            [30.94, 104.4],
            [30.94, 104.44],
            [30.9, 104.44],
            [30.9, 104.4]
        ]);
        feature(
            "g-swapped",
            json!({"type": "Polygon", "coordinates": [ring]}),
        )
    };
    let cases: Vec<(&str, Vec<Value>, &str)> = vec![
        (
            "not closed",
            vec![not_closed],
            "feature 1 (id \"g-open\"): the outer ring is not closed",
        ),
        (
            "self-intersecting",
            vec![bowtie],
            "feature 1 (id \"g-bowtie\"): exterior ring has a self-intersection",
        ),
        ("swapped", vec![swapped], "look swapped"),
        (
            "outside China",
            vec![square("g-paris", 48.85, 2.35, 0.01)],
            "feature 1 (id \"g-paris\"): the outer ring has [2.35, 48.85], outside China",
        ),
        (
            "duplicate id",
            vec![
                square("g-1", 30.80, 104.10, 0.01),
                square("g-1", 30.80, 104.20, 0.01),
            ],
            "feature 2 (id \"g-1\"): duplicate id \"g-1\" (also at feature 1 (id \"g-1\"))",
        ),
        (
            "overlap",
            vec![
                square("g-a", 30.80, 104.10, 0.04),
                square("g-b", 30.82, 104.12, 0.04),
            ],
            "feature 2 (id \"g-b\"): overlaps grid \"g-a\"",
        ),
        (
            "a point",
            vec![feature(
                "g-pt",
                json!({"type": "Point", "coordinates": [104.2, 30.8]}),
            )],
            "must be a Polygon or MultiPolygon, not Point",
        ),
    ];
    for (what, features, expected) in cases {
        let faults = refused(&server, Kind::Grids, &collection(features), "grids.geojson").await;
        assert!(
            faults.iter().any(|f| f.contains(expected)),
            "{what}: {faults:?}"
        );
    }
    let mut nameless = square("g-x", 30.80, 104.10, 0.01);
    nameless["properties"] = json!({"id": "g-x", "name": ""});
    let faults = refused(
        &server,
        Kind::Grids,
        &collection(vec![nameless]),
        "grids.geojson",
    )
    .await;
    assert_eq!(
        faults,
        ["feature 1 (id \"g-x\"): the properties name, community, street are missing or empty"]
    );
    let faults = refused(
        &server,
        Kind::Grids,
        b"{\"type\": \"Feature\"}",
        "grids.geojson",
    )
    .await;
    assert_eq!(faults, ["file: not a GeoJSON FeatureCollection"]);
    // One bad feature among good ones: still nothing applies.
    let mut mixed = two_grids();
    mixed.push(square("g-paris", 48.85, 2.35, 0.01));
    let faults = refused(&server, Kind::Grids, &collection(mixed), "grids.geojson").await;
    assert_eq!(faults.len(), 1, "{faults:?}");
    assert_eq!(
        grid_rows(&server).await,
        before,
        "a refused file changed nothing"
    );
    assert_eq!(
        audit_log(&server.db, 100).await.unwrap().len(),
        logged,
        "nothing logged"
    );
}

#[tokio::test]
async fn slivers_along_a_shared_edge_are_not_overlaps() {
    let server = TestServer::start().await;
    // East grid starts 1 m (0.00001°) inside the west one: a digitising sliver, well under the tolerance.
    let file = collection(vec![
        square("g-west", 30.86, 104.215, 0.04),
        square("g-east", 30.86, 104.25499, 0.04),
    ]);
    let changes = import(&server, Kind::Grids, &file, "grids.geojson")
        .await
        .unwrap();
    assert_eq!(changes.added, ["g-west", "g-east"]);
}

#[tokio::test]
async fn a_grid_left_out_is_retired_its_open_tasks_kept_and_new_reports_go_to_the_new_polygons() {
    let server = TestServer::start().await;
    let changes = import(
        &server,
        Kind::Grids,
        &collection(two_grids()),
        "grids.geojson",
    )
    .await
    .unwrap();
    // The demo grids are not in the district's file: retired, not deleted.
    assert_eq!(changes.added, ["g-west", "g-east"]);
    assert_eq!(changes.retired.len(), 8, "{changes:?}");

    let rider = server.enrolled(Role::Rider, "骑手").await;
    let first = new_id();
    let res = server
        .put_report(&rider.token, &first, &report_body(&[]))
        .await;
    assert_eq!(res.status(), 201);
    let grid: (Option<String>,) = db::query_as("SELECT grid_id FROM reports WHERE id = ?")
        .bind(&first)
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(
        grid.0.as_deref(),
        Some("g-east"),
        "routed by the imported polygons at once"
    );

    // The district redraws: g-east is gone, g-west now covers the spot.
    let file = collection(vec![square("g-west", 30.86, 104.215, 0.08)]);
    let changes = import(&server, Kind::Grids, &file, "grids.geojson")
        .await
        .unwrap();
    assert_eq!(
        (changes.updated.as_slice(), changes.retired.as_slice()),
        (&["g-west".to_owned()][..], &["g-east".to_owned()][..])
    );
    let kept: (Option<String>, String, bool) =
        db::query_as("SELECT grid_id, status, needs_reassignment FROM reports WHERE id = ?")
            .bind(&first)
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!(
        kept,
        (Some("g-east".into()), "received".into(), true),
        "the open task stays, flagged"
    );
    let grids: Vec<Value> = server
        .get_as(&rider.token, "/api/v1/grids")
        .await
        .json()
        .await
        .unwrap();
    let east = grids
        .iter()
        .find(|g| g["id"] == "g-east")
        .expect("a retired grid is still listed");
    assert_eq!(east["retired"], true);
    assert_eq!(east["street"], "大弯街道");

    let second = new_id();
    assert_eq!(
        server
            .put_report(&rider.token, &second, &report_body(&[]))
            .await
            .status(),
        201
    );
    let grid: (Option<String>,) = db::query_as("SELECT grid_id FROM reports WHERE id = ?")
        .bind(&second)
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(grid.0.as_deref(), Some("g-west"));

    // Each import is one audit-log entry saying what changed.
    let log: Vec<_> = audit_log(&server.db, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.actor == "test")
        .collect();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[0].action.as_str(), log[0].actor.as_str()),
        ("import grids", "test")
    );
    let summary: Value = serde_json::from_str(&log[0].summary).unwrap();
    assert_eq!(summary["retired"], json!(["g-east"]));
    assert_eq!(summary["updated"], json!(["g-west"]));
}

#[tokio::test]
async fn export_then_import_changes_nothing_for_every_kind() {
    let server = TestServer::start().await;
    let multi = feature(
        "g-multi",
        json!({"type": "MultiPolygon", "coordinates": [
            [[[104.40, 30.80], [104.44, 30.80], [104.44, 30.84], [104.40, 30.84], [104.40, 30.80]],
             [[104.41, 30.81], [104.41, 30.82], [104.42, 30.82], [104.42, 30.81], [104.41, 30.81]]],
            [[[104.50, 30.80], [104.52, 30.80], [104.52, 30.82], [104.50, 30.80]]]
        ]}),
    );
    let mut grids = two_grids();
    grids.push(multi);
    import(&server, Kind::Grids, &collection(grids), "grids.geojson")
        .await
        .unwrap();
    let departments = String::from_utf8(export_kind(&server.db, Kind::Departments).await.unwrap())
        .unwrap()
        + "wuye,物业管理科\n";
    import(&server, Kind::Departments, departments.as_bytes(), "d.csv")
        .await
        .unwrap();
    let categories = "code,name_zh,name_en,department,respond_minutes,respond_urgent_minutes,resolve_hours_1,resolve_hours_2,resolve_hours_3\n\
        manhole_cover,井盖缺失或破损,Missing or broken manhole cover,chengguan,60,15,12,48,120\n\
        flooding,积水内涝,Flooding,shuiwu,,,,,\n";
    import(&server, Kind::Categories, categories.as_bytes(), "c.csv")
        .await
        .unwrap();
    let stations = "id,name,address,lat,lon,hours,amenities\n\
        qbj-01,暖心驿站·大弯,青白江区大弯中路10号,30.866,104.222,00:00-24:00,charging;water\n\
        qbj-02,\"暖心驿站·红阳, 二号\",青白江区红阳路1号,30.87,104.23,08:00-20:00,\n";
    import(&server, Kind::Stations, stations.as_bytes(), "s.csv")
        .await
        .unwrap();

    for (kind, name) in [
        (Kind::Grids, "grids.geojson"),
        (Kind::Departments, "d.csv"),
        (Kind::Categories, "c.csv"),
        (Kind::Stations, "s.csv"),
    ] {
        let exported = export_kind(&server.db, kind).await.unwrap();
        let changes = import(&server, kind, &exported, name).await.unwrap();
        assert!(
            changes.added.is_empty()
                && changes.updated.is_empty()
                && changes.retired.is_empty()
                && changes.unchanged > 0,
            "{kind:?}: {changes:?}\n{}",
            String::from_utf8_lossy(&exported)
        );
    }
    let exported =
        String::from_utf8(export_kind(&server.db, Kind::Categories).await.unwrap()).unwrap();
    assert!(exported.contains("manhole_cover,井盖缺失或破损,Missing or broken manhole cover,chengguan,60,15,12,48,120"), "{exported}");
}

#[tokio::test]
async fn the_qingdan_sets_each_categorys_deadline_and_its_department_must_exist() {
    let server = TestServer::start().await;
    let header = "code,name_zh,name_en,department,respond_minutes,respond_urgent_minutes,resolve_hours_1,resolve_hours_2,resolve_hours_3\n";
    let file = format!("{header}manhole_cover,井盖缺失或破损,Manhole cover,chengguan,60,10,12,48,120\nroad_damage,道路破损,Road damage,,abc,,,,\n");
    let faults = refused(&server, Kind::Categories, file.as_bytes(), "c.csv").await;
    assert_eq!(faults.len(), 1, "{faults:?}");
    assert!(
        faults[0]
            .starts_with("row 3 (code \"road_damage\"): respond_minutes must be a whole number"),
        "{faults:?}"
    );
    let file = format!("{header}manhole_cover,井盖缺失或破损,Manhole cover,wuye,60,10,12,48,120\n");
    let faults = refused(&server, Kind::Categories, file.as_bytes(), "c.csv").await;
    assert_eq!(faults, ["row 2 (code \"manhole_cover\"): no department \"wuye\" (import it with the departments first)"]);

    // The demo 清单 names other departments: they cannot be left out while it does.
    let faults = refused(
        &server,
        Kind::Departments,
        "code,name\nchengguan,区综合行政执法局\nwuye,物业管理科\n".as_bytes(),
        "d.csv",
    )
    .await;
    assert!(faults.contains(&"department \"shuiwu\": missing from the file, but the category \"flooding\" names it (import the categories without it first)".to_owned()), "{faults:?}");
    let departments = String::from_utf8(export_kind(&server.db, Kind::Departments).await.unwrap())
        .unwrap()
        + "wuye,物业管理科\n";
    import(&server, Kind::Departments, departments.as_bytes(), "d.csv")
        .await
        .unwrap();
    let changes = import(&server, Kind::Categories, file.as_bytes(), "c.csv")
        .await
        .unwrap();
    assert_eq!(changes.updated, ["manhole_cover"]);
    assert!(changes.retired.contains(&"road_damage".to_owned()));

    // The demo report is urgent manhole_cover: 10 minutes to respond, from the 清单.
    let rider = server.enrolled(Role::Rider, "骑手").await;
    let res = server
        .put_report(&rider.token, &new_id(), &report_body(&[]))
        .await;
    assert_eq!(res.status(), 201);
    let report: Value = res.json().await.unwrap();
    let parse =
        |k: &str| suishoupai::domain::timestamp::parse_time(report[k].as_str().unwrap()).unwrap();
    assert_eq!(
        (parse("deadline") - parse("received_at")).whole_minutes(),
        10
    );
    // A retired category takes no new reports, and is listed last, marked.
    let mut body = report_body(&[]);
    body["category"] = json!("road_damage");
    let res = server.put_report(&rider.token, &new_id(), &body).await;
    assert_eq!(res.status(), 422);
    let categories: Vec<Value> = server
        .get_as(&rider.token, "/api/v1/categories")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(categories[0]["code"], "manhole_cover");
    assert_eq!(categories[0]["department"], "wuye");
    assert_eq!(categories.last().unwrap()["retired"], true);
}

#[tokio::test]
async fn station_files_are_checked_row_by_row_in_csv_and_geojson() {
    let server = TestServer::start().await;
    let before: Vec<(String, Option<String>)> =
        db::query_as("SELECT id, retired_at FROM stations ORDER BY id")
            .fetch_all(&server.db)
            .await
            .unwrap();
    let bad = "id,name,address,lat,lon,hours,amenities\n\
        qbj-01,暖心驿站·大弯,大弯中路10号,104.222,30.866,00:00-24:00,charging\n\
        qbj-02,暖心驿站·红阳,红阳路1号,30.87,104.23,8点到20点,sauna\n\
        qbj-01,暖心驿站·重复,某路,30.87,104.23,08:00-20:00,\n";
    let faults = refused(&server, Kind::Stations, bad.as_bytes(), "s.csv").await;
    assert!(
        faults[0].starts_with(
            "row 2 (id \"qbj-01\"): lat 104.222, lon 30.866: latitude and longitude look swapped"
        ),
        "{faults:?}"
    );
    assert!(
        faults
            .iter()
            .any(|f| f.starts_with("row 3 (id \"qbj-02\"): the hours \"8点到20点\"")),
        "{faults:?}"
    );
    assert!(
        faults
            .iter()
            .any(|f| f.starts_with("row 3 (id \"qbj-02\"): unknown amenity \"sauna\"")),
        "{faults:?}"
    );
    assert!(
        faults
            .iter()
            .any(|f| f.starts_with("row 4 (id \"qbj-01\"): duplicate id")),
        "{faults:?}"
    );
    let faults = refused(&server, Kind::Stations, b"id,name\nx,y\n", "s.csv").await;
    assert!(
        faults[0].starts_with("row 1: the column \"address\" is missing"),
        "{faults:?}"
    );
    let after: Vec<(String, Option<String>)> =
        db::query_as("SELECT id, retired_at FROM stations ORDER BY id")
            .fetch_all(&server.db)
            .await
            .unwrap();
    assert_eq!(before, after);

    let geojson = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [104.222, 30.866]},
         "properties": {"id": "qbj-01", "name": "暖心驿站·大弯", "address": "大弯中路10号", "hours": "00:00-24:00", "amenities": ["charging", "water"]}}
    ]});
    let changes = import(
        &server,
        Kind::Stations,
        &serde_json::to_vec(&geojson).unwrap(),
        "s.geojson",
    )
    .await
    .unwrap();
    assert_eq!(changes.added, ["qbj-01"]);
    assert_eq!(changes.retired.len(), 22, "the demo stations");
    let rider = server.enrolled(Role::Rider, "骑手").await;
    let stations: Vec<Value> = server
        .get_as(&rider.token, "/api/v1/stations")
        .await
        .json()
        .await
        .unwrap();
    let live: Vec<&Value> = stations
        .iter()
        .filter(|s| s.get("retired").is_none())
        .collect();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0]["amenities"], json!(["charging", "water"]));
}

#[tokio::test]
async fn imports_reach_phones_through_the_change_feed() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "骑手").await;
    let page: Value = server
        .get_as(&rider.token, "/api/v1/changes")
        .await
        .json()
        .await
        .unwrap();
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    import(
        &server,
        Kind::Grids,
        &collection(two_grids()),
        "grids.geojson",
    )
    .await
    .unwrap();
    let departments = String::from_utf8(export_kind(&server.db, Kind::Departments).await.unwrap())
        .unwrap()
        + "wuye,物业管理科\n";
    import(&server, Kind::Departments, departments.as_bytes(), "d.csv")
        .await
        .unwrap();
    let page: Value = server
        .get_as(
            &rider.token,
            &format!("/api/v1/changes?cursor={cursor}&limit=5"),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut page = page;
    loop {
        for c in page["changes"].as_array().unwrap() {
            seen.push((
                c["kind"].as_str().unwrap().into(),
                c["id"].as_str().unwrap().into(),
            ));
        }
        if page["has_more"] != true {
            break;
        }
        let next = page["next_cursor"].as_str().unwrap().to_owned();
        page = server
            .get_as(
                &rider.token,
                &format!("/api/v1/changes?cursor={next}&limit=5"),
            )
            .await
            .json()
            .await
            .unwrap();
    }
    // Paged five at a time: every grid added or retired (the 8 demo ones) and the new department, each once.
    assert_eq!(
        seen.iter().filter(|(k, _)| k == "grid").count(),
        2 + 8,
        "{seen:?}"
    );
    assert!(seen.contains(&("grid".into(), "g-east".into())));
    assert!(seen.contains(&("department".into(), "wuye".into())));
    assert_eq!(seen.len(), 2 + 8 + 1, "{seen:?}");
}

#[tokio::test]
async fn the_admin_console_previews_applies_exports_and_reads_the_log_and_only_admins_may() {
    let server = TestServer::start().await;
    let admin = server.enrolled(Role::Admin, "管理员").await;
    let post = |token: String, body: Value| {
        let req = server
            .client
            .post(server.url("/api/v1/admin/imports"))
            .bearer_auth(token)
            .json(&body);
        async move { req.send().await.unwrap() }
    };
    let file = String::from_utf8(collection(two_grids())).unwrap();
    let body = |apply: bool| json!({"kind": "grids", "file_name": "grids.geojson", "content": file, "apply": apply});
    for role in [Role::Rider, Role::GridWorker, Role::StationStaff] {
        let other = server.enrolled(role, "别人").await;
        assert_eq!(
            post(other.token.clone(), body(true)).await.status(),
            403,
            "{role}"
        );
        let res = server.get_as(&other.token, "/api/v1/admin/audit").await;
        assert_eq!(res.status(), 403);
        assert_eq!(
            server
                .get_as(&other.token, "/api/v1/admin/exports/grids")
                .await
                .status(),
            403
        );
    }
    let before = grid_rows(&server).await;
    let preview: Value = post(admin.token.clone(), body(false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview["applied"], false);
    assert_eq!(preview["changes"]["added"], json!(["g-west", "g-east"]));
    assert_eq!(preview["changes"]["retired"].as_array().unwrap().len(), 8);
    assert_eq!(
        grid_rows(&server).await,
        before,
        "a preview changes nothing"
    );

    let mut broken = collection(two_grids());
    broken = String::from_utf8(broken)
        .unwrap()
        .replacen("104.255", "204.255", 1)
        .into_bytes();
    let res = post(admin.token.clone(), json!({"kind": "grids", "file_name": "g.geojson", "content": String::from_utf8(broken).unwrap(), "apply": true})).await;
    assert_eq!(res.status(), 422);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["error"]["code"], "file_refused");
    assert_eq!(
        err["error"]["details"]["faults"][0]["at"],
        "feature 1 (id \"g-west\")"
    );
    assert_eq!(grid_rows(&server).await, before);

    let applied: Value = post(admin.token.clone(), body(true))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(applied["applied"], true);
    let res = server
        .get_as(&admin.token, "/api/v1/admin/exports/grids")
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/geo+json");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("grids.geojson"));
    let exported: Value = res.json().await.unwrap();
    assert_eq!(exported["features"].as_array().unwrap().len(), 2);
    let unknown = server
        .get_as(&admin.token, "/api/v1/admin/exports/reports")
        .await;
    assert_eq!(unknown.status(), 404, "no such export");
    let res = server
        .get_as(&admin.token, "/api/v1/admin/exports/stations")
        .await;
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let log: Vec<Value> = server
        .get_as(&admin.token, "/api/v1/admin/audit")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (log[0]["action"].as_str(), log[0]["actor"].as_str()),
        (Some("import grids"), Some(admin.user.id.as_str()))
    );
    assert_eq!(log[0]["actor_name"], "管理员");

    // People: checked, then created with codes and the sheets to print.
    let csv = "role,name,grid,station,department,phone\nrider,骑手甲,,,,13900000001\ngrid_worker,网格员乙,g-west,,,\n";
    let req = |apply: bool| {
        server
            .client
            .post(server.url("/api/v1/admin/users/import"))
            .bearer_auth(&admin.token)
            .json(&json!({"content": csv, "apply": apply, "url": "https://qbj.example.cn"}))
    };
    let checked: Value = req(false).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        (checked["created"].as_u64(), checked["sheet_html"].is_null()),
        (Some(0), true)
    );
    let made: Value = req(true).send().await.unwrap().json().await.unwrap();
    assert_eq!(made["created"], 2);
    assert_eq!(
        made["sheet_html"]
            .as_str()
            .unwrap()
            .matches("<section class=\"card\">")
            .count(),
        2
    );
    let code = made["users"][0]["code"].as_str().unwrap();
    let res = server
        .post_json("/api/v1/enroll", &json!({"code": code}))
        .await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn every_fault_is_also_said_in_chinese_for_the_console() {
    let server = TestServer::start().await;
    let bowtie = feature(
        "g-bowtie",
        json!({"type": "Polygon", "coordinates": [[[104.3, 30.8], [104.34, 30.84], [104.34, 30.8], [104.3, 30.84], [104.3, 30.8]]]}),
    );
    let files: Vec<(Kind, Vec<u8>, &str)> = vec![
        (
            Kind::Grids,
            collection(vec![bowtie]),
            "第 1 个要素（id \"g-bowtie\"）：外环自相交（边线交叉）",
        ),
        (
            Kind::Grids,
            collection(vec![
                square("g-a", 30.80, 104.10, 0.04),
                square("g-b", 30.82, 104.12, 0.04),
            ]),
            "第 2 个要素（id \"g-b\"）：与网格“g-a”重叠",
        ),
        (
            Kind::Stations,
            b"id,name,address,lat,lon,hours,amenities\nq-1,,a,30.8,104.2,8-20,\n".to_vec(),
            "第 2 行（id \"q-1\"）：名称为空",
        ),
        (
            Kind::Departments,
            b"code,name\nA B,x\n".to_vec(),
            "第 2 行（code \"A B\"）：编码只能用小写字母",
        ),
        (
            Kind::Categories,
            b"code\nx\n".to_vec(),
            "第 1 行：缺少“name_zh”列",
        ),
    ];
    for (kind, bytes, expected) in files {
        let faults = match import(&server, kind, &bytes, "f").await {
            Err(ImportError::Refused(f)) => f,
            other => panic!("{kind:?}: expected a refusal, got {other:?}"),
        };
        let said: Vec<String> = faults
            .iter()
            .map(|f| format!("{}：{}", f.at_zh, f.problem_zh))
            .collect();
        assert!(
            said.iter().any(|s| s.starts_with(expected)),
            "{kind:?}: {said:?}"
        );
        assert!(faults
            .iter()
            .all(|f| !f.problem_zh.is_empty() && !f.at_zh.is_empty()));
    }
}
