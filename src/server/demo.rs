//! `--demo`: seeds the category catalog, 22 demo 暖心驿站 and 8 demo 网格 around Qingbaijiang (30.88 N, 104.25 E),
//! and one demo account per role. Seeding is idempotent: rows that exist are left as they are.
use std::time::Duration;

use sqlx::SqlitePool;

use super::accounts::{self, NewUser};
use crate::domain::{Role, User};

use crate::domain::category::INITIAL_CATALOG;
use crate::domain::{Amenity, GeoPoint};

/// What a seeding run added (zero everywhere on a restart).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    pub categories: u64,
    pub stations: u64,
    pub grids: u64,
}

/// The demo area: a 4 × 2 block of grids over the district centre.
const SOUTH: f64 = 30.84;
const WEST: f64 = 104.17;
const CELL_LAT: f64 = 0.04;
const CELL_LON: f64 = 0.04;

const GRID_NAMES: [&str; 8] = [
    "大弯街道南网格",
    "红阳片区网格",
    "华严片区网格",
    "青江片区网格",
    "大弯街道北网格",
    "大同街道网格",
    "弥牟镇网格",
    "凤凰湖片区网格",
];

const STATION_PLACES: [(&str, &str); 22] = [
    ("大弯", "大弯中路"),
    ("红阳", "红阳路"),
    ("华严", "华严路"),
    ("青江", "青江中路"),
    ("凤凰", "凤凰大道"),
    ("团结", "团结路"),
    ("新河", "新河路"),
    ("龙王", "龙王路"),
    ("祥福", "祥福路"),
    ("弥牟", "弥牟大道"),
    ("大同", "大同路"),
    ("同华", "同华大道"),
    ("福洪", "福洪路"),
    ("清泉", "清泉路"),
    ("人和", "人和路"),
    ("姚渡", "姚渡路"),
    ("城厢", "城厢大道"),
    ("产业城", "欧洲产业城大道"),
    ("铁路港", "香岛大道"),
    ("凤凰湖", "凤凰湖路"),
    ("绣川河", "绣川路"),
    ("怡湖", "怡湖路"),
];

const HOURS: [&str; 4] = ["00:00-24:00", "08:00-20:00", "09:00-21:00", "07:30-22:00"];

pub async fn seed(db: &SqlitePool) -> anyhow::Result<Seeded> {
    let mut tx = db.begin().await?;
    let mut seeded = Seeded::default();
    for (i, (code, zh, en)) in INITIAL_CATALOG.iter().enumerate() {
        seeded.categories += sqlx::query(
            "INSERT OR IGNORE INTO categories (code, name_zh, name_en, sort_order, demo, change_seq)
             VALUES (?, ?, ?, ?, 1, (SELECT seq + 1 FROM feed_counter))",
        )
        .bind(code)
        .bind(zh)
        .bind(en)
        .bind(i as i64)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        bump_feed_counter(&mut tx).await?;
    }
    for (i, name) in GRID_NAMES.iter().enumerate() {
        let polygon = serde_json::to_string(&grid_cell(i))?;
        seeded.grids += sqlx::query(
            "INSERT OR IGNORE INTO grids (id, name, polygon, demo) VALUES (?, ?, ?, 1)",
        )
        .bind(format!("demo-grid-{:02}", i + 1))
        .bind(*name)
        .bind(polygon)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    for (i, (place, road)) in STATION_PLACES.iter().enumerate() {
        let at = station_point(i);
        let amenities: Vec<&str> = station_amenities(i).iter().map(|a| a.code()).collect();
        seeded.stations += sqlx::query(
            "INSERT OR IGNORE INTO stations (id, name, address, lat, lon, hours, amenities, demo, change_seq)
             VALUES (?, ?, ?, ?, ?, ?, ?, 1, (SELECT seq + 1 FROM feed_counter))",
        )
        .bind(format!("demo-station-{:02}", i + 1))
        .bind(format!("暖心驿站·{place}"))
        .bind(format!("成都市青白江区{road}{}号（演示地址）", 10 + i * 7))
        .bind(at.lat)
        .bind(at.lon)
        .bind(HOURS[i % HOURS.len()])
        .bind(serde_json::to_string(&amenities)?)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        bump_feed_counter(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(seeded)
}

/// Moves the feed counter past every row that took `seq + 1` (a no-op after an ignored insert).
async fn bump_feed_counter(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE feed_counter SET seq = MAX(seq, COALESCE((SELECT MAX(change_seq) FROM categories), 0),
                                             COALESCE((SELECT MAX(change_seq) FROM stations), 0))",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A demo account: `(id, role, name, grid, station)`.
type DemoAccount = (
    &'static str,
    Role,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

pub const DEMO_ACCOUNTS: [DemoAccount; 4] = [
    ("demo-rider", Role::Rider, "骑手小李", None, None),
    (
        "demo-grid-worker",
        Role::GridWorker,
        "网格员王芳",
        Some("demo-grid-06"),
        None,
    ),
    (
        "demo-station-staff",
        Role::StationStaff,
        "驿站张敏",
        None,
        Some("demo-station-01"),
    ),
    ("demo-admin", Role::Admin, "管理员老陈", None, None),
];

/// Creates the demo accounts that are missing and issues each live one a fresh code (earlier unused codes lapse).
pub async fn seed_accounts(db: &SqlitePool, ttl: Duration) -> anyhow::Result<Vec<(User, String)>> {
    let mut codes = Vec::new();
    for (id, role, name, grid, station) in DEMO_ACCOUNTS {
        let account = match accounts::find_account(db, id).await? {
            Some(account) => account,
            None => {
                let new = NewUser {
                    id: Some(id.to_owned()),
                    role,
                    name: name.to_owned(),
                    grid_id: grid.map(str::to_owned),
                    station_id: station.map(str::to_owned),
                    phone: None,
                };
                accounts::create_user(db, new).await?;
                accounts::find_account(db, id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("demo account {id} vanished"))?
            }
        };
        if account.revoked_at.is_none() {
            codes.push((account.user, accounts::issue_code(db, id, ttl).await?));
        }
    }
    Ok(codes)
}

/// Grid `i` of the 4 × 2 block, west to east, south row first.
fn grid_cell(i: usize) -> Vec<GeoPoint> {
    let (row, col) = ((i / 4) as f64, (i % 4) as f64);
    let (s, w) = (SOUTH + row * CELL_LAT, WEST + col * CELL_LON);
    vec![
        GeoPoint::new(s, w),
        GeoPoint::new(s, w + CELL_LON),
        GeoPoint::new(s + CELL_LAT, w + CELL_LON),
        GeoPoint::new(s + CELL_LAT, w),
    ]
}

/// Stations spread over the demo area on a 5 × 5 lattice, a little off the grid lines.
fn station_point(i: usize) -> GeoPoint {
    let (row, col) = ((i % 5) as f64, (i / 5) as f64);
    GeoPoint::new(SOUTH + 0.006 + row * 0.017, WEST + 0.007 + col * 0.033)
}

fn station_amenities(i: usize) -> Vec<Amenity> {
    let mut list = vec![Amenity::Water, Amenity::RestArea];
    if i % 5 != 3 {
        list.insert(0, Amenity::Charging);
    }
    if i.is_multiple_of(2) {
        list.push(Amenity::Microwave);
    }
    if !i.is_multiple_of(3) {
        list.push(Amenity::Toilet);
    }
    if i % 4 == 1 {
        list.push(Amenity::FirstAid);
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Grid;

    fn grids() -> Vec<Grid> {
        (0..GRID_NAMES.len())
            .map(|i| Grid {
                id: i.to_string(),
                name: GRID_NAMES[i].into(),
                polygon: grid_cell(i),
                demo: true,
            })
            .collect()
    }

    #[test]
    fn every_demo_station_lies_in_exactly_one_demo_grid() {
        let grids = grids();
        for i in 0..STATION_PLACES.len() {
            let p = station_point(i);
            let n = grids.iter().filter(|g| g.contains(p)).count();
            assert_eq!(n, 1, "station {i} at {p:?} is in {n} grids");
        }
    }

    #[test]
    fn the_demo_area_covers_the_district_centre() {
        let centre = GeoPoint::new(30.88, 104.25);
        assert!(Grid::containing(
            &grids(),
            GeoPoint::new(centre.lat + 0.001, centre.lon + 0.001)
        )
        .is_some());
    }
}
