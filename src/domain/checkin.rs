//! Check-ins at 暖心驿站: what station staff submit and what the server confirms.
use serde::{Deserialize, Serialize};

/// The body of `PUT /checkins/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct CheckinSubmission {
    pub station_id: String,
    /// What staff read from the rider's pass: the QR text or the typed code.
    #[cfg_attr(
        not(target_arch = "wasm32"),
        schema(example = "SSP1:0193a1b2-0000-7000-8000-000000000001:12345678")
    )]
    pub rider_pass: String,
    /// When staff read the pass (RFC 3339).
    #[cfg_attr(not(target_arch = "wasm32"), schema(format = DateTime))]
    pub scanned_at: String,
}

/// A confirmed check-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
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
