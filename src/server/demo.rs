//! `--demo`: imports the demo district's files in `demo/` — departments, the 两张清单, 8 网格 around Qingbaijiang
//! (30.88 N, 104.25 E) and 22 暖心驿站 — and makes one demo account per role. Idempotent: a kind that already
//! has rows is left as it is.
use crate::server::db::{self, Db};
use std::time::Duration;

use super::accounts::{self, NewUser};
use crate::domain::{Place, Role, User};

use super::district::{self, Kind};

/// What a seeding run added (zero everywhere on a restart).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    pub categories: u64,
    pub stations: u64,
    pub grids: u64,
}

/// The demo district's files (also the examples of each import format).
const DEMO_FILES: [(Kind, &str, &[u8]); 4] = [
    (
        Kind::Departments,
        "departments.csv",
        include_bytes!("../../demo/departments.csv"),
    ),
    (
        Kind::Categories,
        "categories.csv",
        include_bytes!("../../demo/categories.csv"),
    ),
    (
        Kind::Grids,
        "grids.geojson",
        include_bytes!("../../demo/grids.geojson"),
    ),
    (
        Kind::Stations,
        "stations.csv",
        include_bytes!("../../demo/stations.csv"),
    ),
];

/// Imports each demo file whose kind has nothing loaded yet (a district's own data is never touched), and marks
/// what it added as demo data.
pub async fn seed(db: &Db) -> anyhow::Result<Seeded> {
    let mut seeded = Seeded::default();
    for (kind, name, bytes) in DEMO_FILES {
        let table = kind.name();
        let (rows,): (i64,) = db::query_as(format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(db)
            .await?;
        if rows > 0 {
            continue;
        }
        let changes = district::import_kind(db, kind, bytes, name, "--demo", false)
            .await
            .map_err(|e| anyhow::anyhow!("demo/{name}: {e}"))?;
        if kind != Kind::Departments {
            db::query(format!("UPDATE {table} SET demo = TRUE"))
                .execute(db)
                .await?;
        }
        let added = changes.added.len() as u64;
        match kind {
            Kind::Categories => seeded.categories = added,
            Kind::Grids => seeded.grids = added,
            Kind::Stations => seeded.stations = added,
            Kind::Departments | Kind::ConcernTopics => {}
        }
    }
    Ok(seeded)
}

/// A demo account: `(id, role, name, the place its role belongs to)`.
type DemoAccount = (&'static str, Role, &'static str, Option<&'static str>);

pub const DEMO_ACCOUNTS: [DemoAccount; 6] = [
    ("demo-rider", Role::Rider, "骑手小李", None),
    (
        "demo-grid-worker",
        Role::GridWorker,
        "网格员王芳",
        Some("demo-grid-06"),
    ),
    (
        "demo-station-staff",
        Role::StationStaff,
        "驿站张敏",
        Some("demo-station-01"),
    ),
    (
        "demo-department-staff",
        Role::DepartmentStaff,
        "城管队员刘强",
        Some("chengguan"),
    ),
    ("demo-official", Role::Official, "区领导周主任", None),
    ("demo-admin", Role::Admin, "管理员老陈", None),
];

/// Creates the demo accounts that are missing and issues each live one a fresh code (earlier unused codes lapse).
pub async fn seed_accounts(db: &Db, ttl: Duration) -> anyhow::Result<Vec<(User, String)>> {
    let mut codes = Vec::new();
    for (id, role, name, place) in DEMO_ACCOUNTS {
        let account = match accounts::find_account(db, id).await? {
            Some(account) => account,
            None => {
                let at = |p: Place| {
                    place
                        .filter(|_| role.place().is_some_and(|(own, _)| own == p))
                        .map(str::to_owned)
                };
                let new = NewUser {
                    id: Some(id.to_owned()),
                    role,
                    name: name.to_owned(),
                    grid_id: at(Place::Grid),
                    station_id: at(Place::Station),
                    department_id: at(Place::Department),
                    street: at(Place::Street),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::GeoPoint;
    use crate::server::district::grids::parse_grids;

    #[test]
    fn every_demo_station_lies_in_exactly_one_demo_grid() {
        let grids: Vec<crate::domain::Grid> = parse_grids(DEMO_FILES[2].2)
            .unwrap()
            .into_iter()
            .map(|g| {
                let (polygon, more_rings) = g.rings();
                crate::domain::Grid {
                    id: g.id,
                    polygon,
                    more_rings,
                    ..Default::default()
                }
            })
            .collect();
        let stations = String::from_utf8(DEMO_FILES[3].2.to_vec()).unwrap();
        let mut n = 0;
        for line in stations.lines().skip(1) {
            let cols: Vec<&str> = line.split(',').collect();
            let p = GeoPoint::new(cols[3].parse().unwrap(), cols[4].parse().unwrap());
            let inside = grids.iter().filter(|g| g.contains(p)).count();
            assert_eq!(inside, 1, "{} at {p:?} is in {inside} grids", cols[0]);
            n += 1;
        }
        assert_eq!(n, 22);
        // The district centre is covered.
        assert!(crate::domain::Grid::containing(&grids, GeoPoint::new(30.881, 104.251)).is_some());
    }
}
