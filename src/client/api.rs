//! Talking to our own server's JSON API (same origin, `/api/v1`), with failures sorted the way the phone reacts.
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

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
        /// Seconds from `Retry-After`, when the server sent it.
        retry_after: Option<u32>,
    },
    /// A 2xx whose body was not what the protocol says.
    #[error("unexpected response: {0}")]
    Decode(String),
}

impl ApiFailure {
    /// The protocol's error code, when the server sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiFailure::Status { body: Some(b), .. } => Some(&b.error.code),
            _ => None,
        }
    }

    /// The token was refused: missing, unknown or revoked.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiFailure::Status { status: 401, .. })
            && self.code() != Some("invalid_code")
    }
}

/// The origin the app talks to (shown in settings).
pub fn server_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

fn with_token(req: RequestBuilder, token: Option<&str>) -> RequestBuilder {
    let req = req.header("Accept", "application/json");
    match token {
        Some(token) => req.header("Authorization", &format!("Bearer {token}")),
        None => req,
    }
}

/// `GET /api/v1{path}` decoded as `T`.
pub async fn get_json<T: DeserializeOwned>(
    path: &str,
    token: Option<&str>,
) -> Result<T, ApiFailure> {
    let res = with_token(Request::get(&format!("{API_BASE}{path}")), token)
        .send()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    decode(res).await
}

/// `POST /api/v1{path}` with a JSON body, the answer decoded as `T`.
pub async fn post_json<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    token: Option<&str>,
) -> Result<T, ApiFailure> {
    let req = with_token(Request::post(&format!("{API_BASE}{path}")), token)
        .json(body)
        .map_err(|e| ApiFailure::Decode(e.to_string()))?;
    let res = req
        .send()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    decode(res).await
}

async fn decode<T: DeserializeOwned>(res: Response) -> Result<T, ApiFailure> {
    if !res.ok() {
        let retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.trim().parse().ok());
        let body = res.json::<ErrorBody>().await.ok();
        return Err(ApiFailure::Status {
            status: res.status(),
            body,
            retry_after,
        });
    }
    res.json::<T>()
        .await
        .map_err(|e| ApiFailure::Decode(e.to_string()))
}
