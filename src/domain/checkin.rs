//! Check-ins at 暖心驿站: what station staff submit and what the server confirms.
use serde::{Deserialize, Serialize};

/// The body of `PUT /checkins/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinSubmission {
    pub station_id: String,
    /// What staff read from the rider's pass: the QR text or the typed code.
    pub rider_pass: String,
    pub scanned_at: String,
}

/// A confirmed check-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkin {
    pub id: String,
    pub station_id: String,
    pub rider_id: String,
    pub rider_name: String,
    pub scanned_at: String,
    pub received_at: String,
    pub version: i64,
    /// Set when the same rider already checked in at this station within the same window: this visit is that
    /// one and is not counted again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_visit_as: Option<String>,
}
