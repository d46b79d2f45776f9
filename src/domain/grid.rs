//! 网格 grids: polygons owned by grid workers; a report inside one becomes that grid's task.
use serde::{Deserialize, Serialize};

use super::GeoPoint;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Grid {
    pub id: String,
    pub name: String,
    /// 社区, the community the grid belongs to.
    #[serde(default)]
    pub community: String,
    /// 街道, the sub-district above the community.
    #[serde(default)]
    pub street: String,
    /// The boundary, as a ring of points (the closing point may be left out): the outer ring of the grid's first
    /// part.
    #[serde(default)]
    pub polygon: Vec<GeoPoint>,
    /// Any further rings: holes, and the rings of further parts of a grid drawn as a MultiPolygon. A point is in
    /// the grid when it lies inside an odd number of all its rings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_rings: Vec<Vec<GeoPoint>>,
    /// Seeded demo data rather than a real district grid.
    #[serde(default)]
    pub demo: bool,
    /// No longer in the district's grid file: kept for its tasks, never routed to.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

impl Grid {
    /// Whether the point lies inside the grid (even-odd rule over all its rings, so holes and several parts count
    /// right; a point on an edge may fall either side).
    pub fn contains(&self, point: GeoPoint) -> bool {
        std::iter::once(&self.polygon)
            .chain(&self.more_rings)
            .filter(|ring| ring_contains(ring, point))
            .count()
            % 2
            == 1
    }

    /// The first grid still in service that contains the point, if any.
    pub fn containing(grids: &[Grid], point: GeoPoint) -> Option<&Grid> {
        grids.iter().find(|g| !g.retired && g.contains(point))
    }

    /// The average of the boundary's points: good enough to tell which small grid is nearest.
    pub fn centre(&self) -> Option<GeoPoint> {
        let n = self.polygon.len() as f64;
        (n > 0.0).then(|| {
            let (lat, lon) = self
                .polygon
                .iter()
                .fold((0.0, 0.0), |(a, b), p| (a + p.lat, b + p.lon));
            GeoPoint::new(lat / n, lon / n)
        })
    }

    /// Where a report at `point` goes: the grid containing it, else the nearest one (`true`: by nearness,
    /// for an admin to check).
    pub fn route(grids: &[Grid], point: GeoPoint) -> Option<(&Grid, bool)> {
        if let Some(g) = Grid::containing(grids, point) {
            return Some((g, false));
        }
        grids
            .iter()
            .filter(|g| !g.retired)
            .filter_map(|g| Some((g, g.centre()?.distance_m(&point))))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(g, _)| (g, true))
    }
}

/// Whether the point lies inside one ring (even-odd rule).
fn ring_contains(ring: &[GeoPoint], point: GeoPoint) -> bool {
    if ring.len() < 3 {
        return false;
    }
    let mut inside = false;
    let mut j = ring.len() - 1;
    for i in 0..ring.len() {
        let (a, b) = (ring[i], ring[j]);
        if (a.lat > point.lat) != (b.lat > point.lat) {
            let lon_at = a.lon + (point.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat);
            if point.lon < lon_at {
                inside = !inside;
            }
        }
        j = i;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(id: &str, lat: f64, lon: f64, size: f64) -> Grid {
        Grid {
            id: id.into(),
            name: id.into(),
            polygon: vec![
                GeoPoint::new(lat, lon),
                GeoPoint::new(lat, lon + size),
                GeoPoint::new(lat + size, lon + size),
                GeoPoint::new(lat + size, lon),
            ],
            ..Grid::default()
        }
    }

    #[test]
    fn contains_points_inside_and_not_outside() {
        let g = square("a", 30.0, 104.0, 0.1);
        assert!(g.contains(GeoPoint::new(30.05, 104.05)));
        assert!(!g.contains(GeoPoint::new(30.15, 104.05)));
        assert!(!g.contains(GeoPoint::new(30.05, 103.99)));
    }

    #[test]
    fn concave_polygon_excludes_its_notch() {
        // An L shape: the top-right quarter is cut away.
        let g = Grid {
            id: "l".into(),
            name: "l".into(),
            polygon: vec![
                GeoPoint::new(0.0, 0.0),
                GeoPoint::new(0.0, 2.0),
                GeoPoint::new(1.0, 2.0),
                GeoPoint::new(1.0, 1.0),
                GeoPoint::new(2.0, 1.0),
                GeoPoint::new(2.0, 0.0),
            ],
            ..Grid::default()
        };
        assert!(g.contains(GeoPoint::new(0.5, 1.5)));
        assert!(g.contains(GeoPoint::new(1.5, 0.5)));
        assert!(!g.contains(GeoPoint::new(1.5, 1.5)));
    }

    #[test]
    fn degenerate_polygon_contains_nothing() {
        let mut g = square("a", 0.0, 0.0, 1.0);
        g.polygon.truncate(2);
        assert!(!g.contains(GeoPoint::new(0.5, 0.5)));
    }

    #[test]
    fn routing_falls_back_to_the_nearest_grid_and_says_so() {
        let grids = vec![
            square("west", 30.0, 104.0, 0.1),
            square("east", 30.0, 104.1, 0.1),
        ];
        let (g, nearest) = Grid::route(&grids, GeoPoint::new(30.05, 104.05)).unwrap();
        assert_eq!((g.id.as_str(), nearest), ("west", false));
        let (g, nearest) = Grid::route(&grids, GeoPoint::new(30.05, 104.5)).unwrap();
        assert_eq!((g.id.as_str(), nearest), ("east", true));
        assert!(Grid::route(&[], GeoPoint::new(0.0, 0.0)).is_none());
    }

    #[test]
    fn containing_picks_the_grid_under_the_point() {
        let grids = vec![
            square("west", 30.0, 104.0, 0.1),
            square("east", 30.0, 104.1, 0.1),
        ];
        let hit = Grid::containing(&grids, GeoPoint::new(30.05, 104.15));
        assert_eq!(hit.map(|g| g.id.as_str()), Some("east"));
        assert!(Grid::containing(&grids, GeoPoint::new(31.0, 104.15)).is_none());
    }

    #[test]
    fn a_hole_is_outside_and_a_second_part_inside() {
        let mut g = square("a", 0.0, 0.0, 4.0);
        let hole = square("", 1.0, 1.0, 1.0).polygon;
        let island = square("", 10.0, 10.0, 1.0).polygon;
        g.more_rings = vec![hole, island];
        assert!(g.contains(GeoPoint::new(0.5, 0.5)));
        assert!(!g.contains(GeoPoint::new(1.5, 1.5)), "in the hole");
        assert!(g.contains(GeoPoint::new(10.5, 10.5)), "in the second part");
        assert!(!g.contains(GeoPoint::new(5.5, 5.5)));
    }

    #[test]
    fn a_retired_grid_gets_no_new_reports_even_when_nearest() {
        let mut old = square("old", 30.0, 104.0, 0.1);
        old.retired = true;
        let grids = vec![old, square("new", 30.0, 104.5, 0.1)];
        let (g, nearest) = Grid::route(&grids, GeoPoint::new(30.05, 104.05)).unwrap();
        assert_eq!((g.id.as_str(), nearest), ("new", true));
    }
}
