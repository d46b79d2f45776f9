//! Pieces more than one page shows; pages import these, never each other.
mod grid_map;
mod joined_reports;
mod report_detail;
mod reports_export;
mod stored_photo;
mod sync_bar;

pub use grid_map::{GridMap, MapPoint, MapShape, PointKind};
pub use joined_reports::JoinedReports;
pub use report_detail::{NotOnPhone, ReportDetail};
pub use reports_export::{download, ReportsExport};
pub use stored_photo::StoredPhoto;
pub use sync_bar::SyncBar;
