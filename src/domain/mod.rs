//! Rules and types shared by the phone and the server: no I/O, compiled for both targets, tested natively.
pub mod api_error;
pub mod category;
pub mod change;
pub mod checkin;
pub mod concern;
pub mod district;
pub mod enrollment_code;
pub mod figures;
pub mod geo;
pub mod grid;
pub mod map;
pub mod pass;
pub mod photo;
pub mod qr;
pub mod reference;
pub mod report;
pub mod retry;
pub mod station;
pub mod task;
pub mod timestamp;
pub mod user;
pub mod verdict;
pub mod warnings;

pub use api_error::{ApiError, ErrorBody};
pub use category::Category;
pub use checkin::{Checkin, CheckinSubmission};
pub use geo::GeoPoint;
pub use grid::Grid;
pub use reference::ReferenceData;
pub use report::{Report, ReportStatus, ReportSubmission, TimelineEntry};
pub use station::{Amenity, Station};
pub use user::{EnrollRequest, Enrollment, Place, PlaceFault, Role, User};

/// Reads a whole number written either way JSON allows: `170` or `170.0` (JSON Schema counts both as an
/// integer, so clients generated from the OpenAPI document may send either); `170.5` is refused.
pub fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    struct Whole;
    impl serde::de::Visitor<'_> for Whole {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number")
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::custom("too large"))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i64, E> {
            // Within ±2^53 every whole number is an f64; a JSON parser may land one unit in the last place beside it
            // (`-1845943186461385.0` read as `…384.8`), which still means that whole number.
            let whole = v.round();
            if (v - whole).abs() <= v.abs() * f64::EPSILON && whole.abs() <= 9_007_199_254_740_992.0
            {
                Ok(whole as i64)
            } else {
                Err(E::custom(format!("{v} is not a whole number")))
            }
        }
    }
    d.deserialize_any(Whole)
}

/// The base path of every JSON endpoint (PROTOCOL.md, General).
pub const API_BASE: &str = "/api/v1";

/// The version of this build, shown in settings and reported by `GET /health`.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// `GET /api/v1/health` body.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    pub version: String,
    /// The server runs with demo data (and prints demo enrollment codes at start).
    #[serde(default)]
    pub demo: bool,
    /// When the newest scheduled backup was written whole (`serve --backup-dir`); none yet: left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_backup_at: Option<String>,
}
