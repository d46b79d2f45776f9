//! Talking to our own server's JSON API (same origin, `/api/v1`), with failures sorted the way the phone reacts.
use gloo_net::http::Request;
use serde::de::DeserializeOwned;

use crate::domain::{ErrorBody, API_BASE};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiFailure {
    /// No answer at all: offline, DNS, connection refused or reset.
    #[error("network: {0}")]
    Network(String),
    /// The server answered with an error status (and, when it could, the protocol's error body).
    #[error("status {status}")]
    Status {
        status: u16,
        body: Option<ErrorBody>,
    },
    /// A 2xx whose body was not what the protocol says.
    #[error("unexpected response: {0}")]
    Decode(String),
}

/// The origin the app talks to (shown in settings).
pub fn server_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// `GET /api/v1{path}` decoded as `T`.
pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiFailure> {
    let res = Request::get(&format!("{API_BASE}{path}"))
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    if !res.ok() {
        let body = res.json::<ErrorBody>().await.ok();
        return Err(ApiFailure::Status {
            status: res.status(),
            body,
        });
    }
    res.json::<T>()
        .await
        .map_err(|e| ApiFailure::Decode(e.to_string()))
}
