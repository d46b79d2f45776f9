//! The error body of PROTOCOL.md: `{"error": {"code", "message", "details"?}}`, read by the phone, written by the server.
use serde::{Deserialize, Serialize};

/// The protocol's error codes, written by the server and switched on by the phone: one spelling for both.
pub mod code {
    pub const NOT_FOUND: &str = "not_found";
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const FORBIDDEN: &str = "forbidden";
    pub const INVALID_CODE: &str = "invalid_code";
    pub const RATE_LIMITED: &str = "rate_limited";
    pub const MALFORMED_REQUEST: &str = "malformed_request";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    pub const TOO_LARGE: &str = "too_large";
    pub const INVALID_INPUT: &str = "invalid_input";
    pub const INTERNAL: &str = "internal";
    pub const ID_CONFLICT: &str = "id_conflict";
    pub const VERSION_CONFLICT: &str = "version_conflict";
    pub const ACTION_NOT_ALLOWED: &str = "action_not_allowed";
    pub const PHOTO_MISSING: &str = "photo_missing";
    pub const PHOTO_QUOTA: &str = "photo_quota";
    pub const HASH_MISMATCH: &str = "hash_mismatch";
    pub const INVALID_PASS: &str = "invalid_pass";
    /// A district file with faults: nothing was changed; `details.faults` names each.
    pub const FILE_REFUSED: &str = "file_refused";
    pub const ALREADY_RATED: &str = "already_rated";
    pub const NOT_RESOLVED: &str = "not_resolved";
}

/// The whole error body as it travels on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ApiError,
}

/// One error: a stable snake_case `code` that clients switch on, a human-readable message, optional details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl ErrorBody {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ErrorBody {
            error: ApiError {
                code: code.to_owned(),
                message: message.into(),
                details: None,
            },
        }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.error.details = Some(details);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_left_out_when_absent() {
        let body = ErrorBody::new("not_found", "没有这个资源");
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "not_found", "message": "没有这个资源"}})
        );
    }

    #[test]
    fn round_trips_with_details() {
        let body = ErrorBody::new("invalid_input", "bad")
            .with_details(serde_json::json!({"lat": "out of range"}));
        let text = serde_json::to_string(&body).unwrap();
        assert_eq!(serde_json::from_str::<ErrorBody>(&text).unwrap(), body);
    }
}
