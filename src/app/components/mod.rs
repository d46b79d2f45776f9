//! Pieces more than one page shows; pages import these, never each other.
mod report_detail;
mod stored_photo;
mod sync_bar;

pub use report_detail::ReportDetail;
pub use stored_photo::StoredPhoto;
pub use sync_bar::SyncBar;
