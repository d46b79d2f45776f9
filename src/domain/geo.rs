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

#[cfg(test)]
mod tests {
    use super::*;

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
