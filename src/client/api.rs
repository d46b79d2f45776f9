//! Talking to our own server's JSON API (same origin, `/api/v1`), with failures sorted the way the phone reacts.
use crate::domain::api_error::code;
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::domain::{ErrorBody, API_BASE};

/// How long any request may take before it counts as a network failure.
pub const TIMEOUT_MS: i32 = 20_000;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiFailure {
    /// No answer at all: offline, DNS, connection refused or reset, timed out.
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

    /// The server's own message, when it sent one.
    pub fn message(&self) -> Option<&str> {
        match self {
            ApiFailure::Status { body: Some(b), .. } => Some(&b.error.message),
            _ => None,
        }
    }

    /// The token was refused: missing, unknown or revoked.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiFailure::Status { status: 401, .. })
            && self.code() != Some(code::INVALID_CODE)
    }
}

/// The origin the app talks to (shown in settings).
pub fn server_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

fn prepare(req: RequestBuilder, token: Option<&str>) -> RequestBuilder {
    let req = req.header("Accept", "application/json");
    match token {
        Some(token) => req.header("Authorization", &format!("Bearer {token}")),
        None => req,
    }
}

/// Sends with a timeout: a request without an answer in time is aborted and counts as a network failure.
/// `finish` adds the body (or none) to the prepared builder.
async fn send(
    builder: RequestBuilder,
    finish: impl FnOnce(RequestBuilder) -> Result<Request, gloo_net::Error>,
) -> Result<Response, ApiFailure> {
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let req = finish(builder.abort_signal(signal.as_ref()))
        .map_err(|e| ApiFailure::Decode(e.to_string()))?;
    let window = web_sys::window();
    let timer = match (&controller, &window) {
        (Some(c), Some(w)) => {
            let c = c.clone();
            let abort = Closure::once_into_js(move || c.abort());
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                abort.unchecked_ref(),
                TIMEOUT_MS,
            )
            .ok()
        }
        _ => None,
    };
    let res = req
        .send()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()));
    if let (Some(id), Some(w)) = (timer, window) {
        w.clear_timeout_with_handle(id);
    }
    res
}

fn url(path: &str) -> String {
    format!("{API_BASE}{path}")
}

/// `GET /api/v1{path}` decoded as `T`.
pub async fn get_json<T: DeserializeOwned>(
    path: &str,
    token: Option<&str>,
) -> Result<T, ApiFailure> {
    let res = send(prepare(Request::get(&url(path)), token), |b| b.build()).await?;
    decode(res).await
}

/// `POST /api/v1{path}` with a JSON body, the answer decoded as `T`.
pub async fn post_json<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    token: Option<&str>,
) -> Result<T, ApiFailure> {
    let res = send(prepare(Request::post(&url(path)), token), |b| b.json(body)).await?;
    decode(res).await
}

/// `PUT /api/v1{path}` with a JSON body: the status and, on success, the decoded answer.
pub async fn put_json<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    token: Option<&str>,
) -> Result<(u16, T), ApiFailure> {
    let res = send(prepare(Request::put(&url(path)), token), |b| b.json(body)).await?;
    let status = res.status();
    Ok((status, decode(res).await?))
}

/// `DELETE /api/v1{path}`: the status of a success (else the failure).
pub async fn delete(path: &str, token: Option<&str>) -> Result<u16, ApiFailure> {
    let res = send(prepare(Request::delete(&url(path)), token), |b| b.build()).await?;
    let status = res.status();
    if !res.ok() {
        return decode::<()>(res).await.map(|_| status);
    }
    Ok(status)
}

/// `HEAD /api/v1{path}`: the status.
pub async fn head(path: &str, token: Option<&str>) -> Result<u16, ApiFailure> {
    let builder = RequestBuilder::new(&url(path)).method(gloo_net::http::Method::HEAD);
    let res = send(prepare(builder, token), |b| b.build()).await?;
    Ok(res.status())
}

/// `GET /api/v1{path}` as raw bytes.
pub async fn get_bytes(path: &str, token: Option<&str>) -> Result<Vec<u8>, ApiFailure> {
    let res = send(prepare(Request::get(&url(path)), token), |b| b.build()).await?;
    if !res.ok() {
        return decode::<()>(res).await.map(|_| Vec::new());
    }
    res.binary()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))
}

/// `PUT /api/v1{path}` with raw bytes.
pub async fn put_bytes(
    path: &str,
    bytes: &[u8],
    content_type: &str,
    token: Option<&str>,
) -> Result<(), ApiFailure> {
    let body = JsValue::from(js_sys::Uint8Array::from(bytes));
    let builder = prepare(Request::put(&url(path)), token).header("Content-Type", content_type);
    let res = send(builder, |b| b.body(body)).await?;
    decode::<serde_json::Value>(res)
        .await
        .map(|_| ())
        .or_else(|e| match e {
            ApiFailure::Decode(_) => Ok(()),
            other => Err(other),
        })
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
