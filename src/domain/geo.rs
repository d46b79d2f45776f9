//! Points on the ground and distances between them (WGS 84 degrees, metres).
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

const EARTH_RADIUS_M: f64 = 6_371_008.8;

impl GeoPoint {
    /// Metres in a degree of latitude (and of longitude at the equator).
    pub const METRES_PER_DEGREE: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

    pub const fn new(lat: f64, lon: f64) -> Self {
        GeoPoint { lat, lon }
    }

    /// Whether both coordinates are finite and inside their ranges.
    pub fn is_valid(&self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
    }

    /// Great-circle (haversine) distance in metres.
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.lon - self.lon).to_radians();
        let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }
}

impl GeoPoint {
    /// The initial bearing towards `other`, in degrees clockwise from north (0–360).
    pub fn bearing_deg(&self, other: &GeoPoint) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlon = (other.lon - self.lon).to_radians();
        let y = dlon.sin() * lat2.cos();
        let x = lat1.cos() * lat2.sin() - lat1.sin() * lat2.cos() * dlon.cos();
        (y.atan2(x).to_degrees() + 360.0) % 360.0
    }
}

/// One of the eight compass points for a bearing: 0 north, 1 north-east … 7 north-west.
pub fn compass_point(bearing_deg: f64) -> usize {
    (((bearing_deg % 360.0 + 360.0) % 360.0 + 22.5) / 45.0) as usize % 8
}

/// A `geo:` URI that opens the phone's map app at a place (Android; iOS Safari ignores it).
pub fn geo_uri(lat: f64, lon: f64) -> String {
    format!("geo:{lat},{lon}?q={lat},{lon}")
}

/// The map apps riders and grid workers in China use, and the coordinates each one reads: 高德 (Amap) and 腾讯
/// (Tencent) GCJ-02, 百度 (Baidu) BD-09; Apple Maps and `geo:` WGS-84, like our data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapApp {
    Amap,
    Baidu,
    Tencent,
    Apple,
    /// Whatever map app the phone opens for `geo:` (Android).
    Other,
}

/// Links that open each map app at `at` (WGS-84) with `name` as its label, the coordinates converted to the ones
/// that app reads and its coordinate type said in the link. `ios`: Apple Maps instead of `geo:`, which iOS ignores.
pub fn map_links(at: GeoPoint, name: &str, ios: bool) -> Vec<(MapApp, String)> {
    let name = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let gcj = wgs84_to_gcj02(at);
    let bd = gcj02_to_bd09(gcj);
    let (lat, lon) = (at.lat, at.lon);
    let last = if ios {
        (
            MapApp::Apple,
            format!("https://maps.apple.com/?ll={lat},{lon}&q={name}"),
        )
    } else {
        (MapApp::Other, geo_uri(lat, lon))
    };
    vec![
        (
            MapApp::Amap,
            format!(
                "https://uri.amap.com/marker?position={:.6},{:.6}&name={name}&coordinate=gaode&callnative=1&src=suishoupai",
                gcj.lon, gcj.lat
            ),
        ),
        (
            MapApp::Baidu,
            format!(
                "https://api.map.baidu.com/marker?location={:.6},{:.6}&title={name}&content={name}&coord_type=bd09ll&output=html&src=webapp.suishoupai",
                bd.lat, bd.lon
            ),
        ),
        (
            MapApp::Tencent,
            format!(
                "https://apis.map.qq.com/uri/v1/marker?marker=coord:{:.6},{:.6};title:{name};addr:{name}&coord_type=2&referer=suishoupai",
                gcj.lat, gcj.lon
            ),
        ),
        last,
    ]
}

/// Outside mainland China's box GCJ-02 is WGS-84 itself.
fn outside_china(p: GeoPoint) -> bool {
    !(72.004..=137.8347).contains(&p.lon) || !(0.8293..=55.8271).contains(&p.lat)
}

/// WGS-84 → GCJ-02 (国测局, "Mars" coordinates) by the published transformation (Krasovsky ellipsoid).
pub fn wgs84_to_gcj02(p: GeoPoint) -> GeoPoint {
    use std::f64::consts::PI;
    if outside_china(p) {
        return p;
    }
    const A: f64 = 6_378_245.0;
    const EE: f64 = 0.006_693_421_622_965_943;
    let (x, y) = (p.lon - 105.0, p.lat - 35.0);
    let wave = |a: f64, b: f64| {
        (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0 + a + b
    };
    let dlat = -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + wave(
            (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0,
            (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0,
        );
    let dlon = 300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + wave(
            (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0,
            (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0,
        );
    let rad = p.lat / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    GeoPoint::new(
        p.lat + dlat * 180.0 / (A * (1.0 - EE) / (magic * sqrt_magic) * PI),
        p.lon + dlon * 180.0 / (A / sqrt_magic * rad.cos() * PI),
    )
}

/// GCJ-02 → BD-09 (百度).
pub fn gcj02_to_bd09(p: GeoPoint) -> GeoPoint {
    let x_pi = std::f64::consts::PI * 3000.0 / 180.0;
    let z = (p.lon * p.lon + p.lat * p.lat).sqrt() + 0.00002 * (p.lat * x_pi).sin();
    let theta = p.lat.atan2(p.lon) + 0.000003 * (p.lon * x_pi).cos();
    GeoPoint::new(z * theta.sin() + 0.006, z * theta.cos() + 0.0065)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: GeoPoint, lat: f64, lon: f64) {
        assert!(
            (a.lat - lat).abs() < 1e-9 && (a.lon - lon).abs() < 1e-9,
            "{a:?} is not ({lat}, {lon})"
        );
    }

    #[test]
    fn conversions_match_the_published_points() {
        // The reference points of the widely used coordtransform libraries (Tiananmen, 116.404 E 39.915 N).
        close(
            wgs84_to_gcj02(GeoPoint::new(39.915, 116.404)),
            39.91640428150164,
            116.41024449916938,
        );
        close(
            gcj02_to_bd09(GeoPoint::new(39.915, 116.404)),
            39.92133699351021,
            116.41036949371029,
        );
        // Outside China nothing moves.
        close(
            wgs84_to_gcj02(GeoPoint::new(40.7128, -74.006)),
            40.7128,
            -74.006,
        );
    }

    #[test]
    fn each_app_gets_its_own_coordinates_and_says_which() {
        let at = GeoPoint::new(30.9, 104.19);
        let links = map_links(at, "井盖 A&B", false);
        let gcj = wgs84_to_gcj02(at);
        let bd = gcj02_to_bd09(gcj);
        let of = |app| &links.iter().find(|(a, _)| *a == app).unwrap().1;
        assert!(of(MapApp::Amap).contains(&format!("position={:.6},{:.6}", gcj.lon, gcj.lat)));
        assert!(of(MapApp::Amap).contains("coordinate=gaode"));
        assert!(of(MapApp::Baidu).contains(&format!("location={:.6},{:.6}", bd.lat, bd.lon)));
        assert!(of(MapApp::Baidu).contains("coord_type=bd09ll"));
        assert!(of(MapApp::Tencent).contains(&format!("coord:{:.6},{:.6}", gcj.lat, gcj.lon)));
        assert_eq!(of(MapApp::Other), "geo:30.9,104.19?q=30.9,104.19");
        // The name cannot break out of its parameter.
        assert!(of(MapApp::Amap).contains("name=%E4%BA%95%E7%9B%96%20A%26B&"));
        // The offset in Chengdu is a few hundred metres: worth converting.
        assert!(at.distance_m(&gcj) > 100.0);
        let ios = map_links(at, "x", true);
        assert_eq!(ios.last().unwrap().0, MapApp::Apple);
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = GeoPoint::new(30.0, 104.0).distance_m(&GeoPoint::new(31.0, 104.0));
        assert!((d - 111_195.0).abs() < 100.0, "{d}");
    }

    #[test]
    fn distance_is_symmetric_and_zero_to_itself() {
        let a = GeoPoint::new(30.88, 104.25);
        let b = GeoPoint::new(30.90, 104.27);
        assert_eq!(a.distance_m(&a), 0.0);
        assert!((a.distance_m(&b) - b.distance_m(&a)).abs() < 1e-6);
    }

    #[test]
    fn bearings_point_the_right_way() {
        let here = GeoPoint::new(30.88, 104.25);
        assert_eq!(
            compass_point(here.bearing_deg(&GeoPoint::new(30.90, 104.25))),
            0
        );
        assert_eq!(
            compass_point(here.bearing_deg(&GeoPoint::new(30.88, 104.27))),
            2
        );
        assert_eq!(
            compass_point(here.bearing_deg(&GeoPoint::new(30.86, 104.25))),
            4
        );
        assert_eq!(
            compass_point(here.bearing_deg(&GeoPoint::new(30.88, 104.23))),
            6
        );
        assert_eq!(
            compass_point(here.bearing_deg(&GeoPoint::new(30.90, 104.273))),
            1
        );
        assert_eq!(compass_point(359.0), 0);
    }

    #[test]
    fn validity_rejects_out_of_range_and_nan() {
        assert!(GeoPoint::new(30.88, 104.25).is_valid());
        assert!(!GeoPoint::new(91.0, 0.0).is_valid());
        assert!(!GeoPoint::new(0.0, -180.5).is_valid());
        assert!(!GeoPoint::new(f64::NAN, 0.0).is_valid());
    }
}
