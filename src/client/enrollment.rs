//! Enrolling this phone: a typed or scanned one-time code for a token, kept in the store.
use super::api::{get_json, post_json, ApiFailure};
use crate::domain::{enrollment_code, EnrollRequest, Enrollment, Health};

#[derive(Debug, Clone, PartialEq)]
pub enum EnrollFailure {
    /// Not a code at all (checked on the phone, no request made).
    BadFormat,
    Api(ApiFailure),
}

/// A short description of this device for the admin's token list.
pub fn device_name() -> String {
    let agent = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    agent.chars().take(100).collect()
}

pub async fn enroll(typed_code: &str) -> Result<Enrollment, EnrollFailure> {
    let code = enrollment_code::normalize(typed_code);
    if !enrollment_code::is_well_formed(&code) {
        return Err(EnrollFailure::BadFormat);
    }
    let body = EnrollRequest {
        code,
        device_name: device_name(),
    };
    post_json("/enroll", &body, None)
        .await
        .map_err(EnrollFailure::Api)
}

/// Whether the server runs with demo data (so the enroll screen can say where the demo codes are).
pub async fn server_is_demo() -> bool {
    get_json::<Health>("/health", None)
        .await
        .map(|h| h.demo)
        .unwrap_or(false)
}
