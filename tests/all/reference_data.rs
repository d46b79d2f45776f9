//! Reference data from SQLite: the demo catalog, stations and grids as PROTOCOL.md shapes them.

use crate::common::TestServer;
use suishoupai::domain::{Category, GeoPoint, Grid, Health, Role, Station};

#[tokio::test]
async fn health_answers_without_a_token() {
    let server = TestServer::start().await;
    let res = server.get("/api/v1/health").await;
    assert_eq!(res.status(), 200);
    let health: Health = res.json().await.unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn categories_are_the_catalog_of_the_brief_in_order() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await;
    let res = server.get_as(&rider.token, "/api/v1/categories").await;
    assert_eq!(res.status(), 200);
    let raw: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        raw[0],
        serde_json::json!({"code": "road_damage", "name_zh": "道路破损", "name_en": "Road damage", "department": "zhujian"})
    );
    let categories: Vec<Category> = serde_json::from_value(raw).unwrap();
    let names: Vec<&str> = categories.iter().map(|c| c.name_zh.as_str()).collect();
    assert_eq!(names.len(), 11);
    assert!(names.contains(&"井盖缺失或破损"));
    assert!(names.contains(&"电动车违规充电"));
    assert_eq!(names.last(), Some(&"其他"));
}

#[tokio::test]
async fn twenty_two_demo_stations_inside_the_district() {
    let server = TestServer::start().await;
    let staff = server.enrolled(Role::StationStaff, "张敏").await;
    let stations: Vec<Station> = server
        .get_as(&staff.token, "/api/v1/stations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stations.len(), 22);
    let centre = GeoPoint::new(30.88, 104.25);
    for s in &stations {
        assert!(s.demo, "{} should be marked demo", s.id);
        assert!(s.name.contains("暖心驿站"), "{}", s.name);
        assert!(!s.address.is_empty() && !s.amenities.is_empty());
        let d = centre.distance_m(&GeoPoint::new(s.lat, s.lon));
        assert!(
            d < 12_000.0,
            "{} is {d:.0} m from the district centre",
            s.id
        );
        let (open, close) = s.hours.split_once('-').expect("hours as HH:MM-HH:MM");
        assert_eq!((open.len(), close.len()), (5, 5), "{}", s.hours);
    }
}

#[tokio::test]
async fn demo_grids_are_polygons_that_tile_the_stations() {
    let server = TestServer::start().await;
    let worker = server.enrolled(Role::GridWorker, "王芳").await;
    let grids: Vec<Grid> = server
        .get_as(&worker.token, "/api/v1/grids")
        .await
        .json()
        .await
        .unwrap();
    assert!((6..=10).contains(&grids.len()), "{} grids", grids.len());
    assert!(grids.iter().all(|g| g.demo && g.polygon.len() >= 3));
    let stations: Vec<Station> = server
        .get_as(&worker.token, "/api/v1/stations")
        .await
        .json()
        .await
        .unwrap();
    for s in &stations {
        let p = GeoPoint::new(s.lat, s.lon);
        assert!(
            Grid::containing(&grids, p).is_some(),
            "{} lies in no grid",
            s.id
        );
    }
}
