//! Drawing the district from our own polygons (no map tiles): a projection that fits a set of points into a
//! picture, keeping distances east–west and north–south in proportion at that latitude.
use super::GeoPoint;

/// Longitude and latitude to picture coordinates (x east, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    west: f64,
    north: f64,
    /// Picture units per degree of latitude; a degree of longitude is this times cos(latitude).
    scale: f64,
    lon_factor: f64,
    pad: f64,
}

impl Projection {
    /// Fits `points` into `width` × `height` with `pad` units around them; `None` without points.
    pub fn fit(
        points: impl IntoIterator<Item = GeoPoint>,
        width: f64,
        height: f64,
        pad: f64,
    ) -> Option<Projection> {
        let (mut south, mut north, mut west, mut east) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in points {
            south = south.min(p.lat);
            north = north.max(p.lat);
            west = west.min(p.lon);
            east = east.max(p.lon);
        }
        if south > north {
            return None;
        }
        let lon_factor = ((south + north) / 2.0).to_radians().cos();
        let span_x = ((east - west) * lon_factor).max(1e-9);
        let span_y = (north - south).max(1e-9);
        let scale = ((width - 2.0 * pad) / span_x).min((height - 2.0 * pad) / span_y);
        Some(Projection {
            west,
            north,
            scale,
            lon_factor,
            pad,
        })
    }

    pub fn project(&self, p: GeoPoint) -> (f64, f64) {
        (
            self.pad + (p.lon - self.west) * self.lon_factor * self.scale,
            self.pad + (self.north - p.lat) * self.scale,
        )
    }

    /// An SVG path of closed rings (`M x y L … Z` each).
    pub fn path<'a>(&self, rings: impl IntoIterator<Item = &'a Vec<GeoPoint>>) -> String {
        let mut d = String::new();
        for ring in rings {
            for (i, p) in ring.iter().enumerate() {
                let (x, y) = self.project(*p);
                d.push_str(&format!("{}{x:.1} {y:.1} ", if i == 0 { "M" } else { "L" }));
            }
            if !ring.is_empty() {
                d.push_str("Z ");
            }
        }
        d.trim_end().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_square_fits_the_picture_north_up_and_in_proportion() {
        // 0.04° square at 30.86 N: 0.04 × cos(30.88°) ≈ 0.0343 wide, 0.04 high.
        let ring = vec![
            GeoPoint::new(30.84, 104.17),
            GeoPoint::new(30.84, 104.21),
            GeoPoint::new(30.88, 104.21),
            GeoPoint::new(30.88, 104.17),
        ];
        let p = Projection::fit(ring.iter().copied(), 400.0, 400.0, 10.0).unwrap();
        let (x0, y0) = p.project(ring[0]);
        let (x2, y2) = p.project(ring[2]);
        assert!(
            (y0 - 390.0).abs() < 1e-6 && (y2 - 10.0).abs() < 1e-6,
            "north is up: {y0} {y2}"
        );
        let ratio = (x2 - x0) / (y0 - y2);
        assert!(
            (ratio - 30.86f64.to_radians().cos()).abs() < 1e-3,
            "{ratio}"
        );
        assert_eq!(p.path([&ring]).matches('L').count(), 3);
        assert!(p.path([&ring]).ends_with('Z'));
        assert!(Projection::fit(std::iter::empty(), 10.0, 10.0, 1.0).is_none());
    }
}
