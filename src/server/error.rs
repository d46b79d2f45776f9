//! The one error type of the API and its mapping to status codes and the protocol's error body.
use crate::domain::api_error::code;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::domain::ErrorBody;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    /// No API route has this path (told apart from an unknown resource by its message only).
    #[error("no such endpoint")]
    NoRoute,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// No token, a malformed `Authorization` header, or a token that is unknown or revoked.
    #[error("unauthorized")]
    Unauthorized,
    /// Authenticated, but this role or this user may not do that.
    #[error("forbidden")]
    Forbidden,
    #[error("invalid enrollment code")]
    InvalidCode,
    /// A code whose check character fails: one character was typed wrong.
    #[error("mistyped enrollment code")]
    MistypedCode,
    #[error("rate limited")]
    RateLimited { retry_after: Duration },
    /// The body is not JSON or has the wrong types (400).
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("body too large")]
    TooLarge,
    /// Well-formed but invalid; per-field messages in `details` (422).
    #[error("invalid input")]
    Invalid(serde_json::Value),
    /// A rule of the protocol with its own code (`id_conflict`, `photo_missing`, `hash_mismatch`…).
    #[error("{code}")]
    Protocol {
        status: StatusCode,
        code: &'static str,
        message: &'static str,
        details: Option<serde_json::Value>,
    },
    /// A failure of ours: logged with its context, never shown to the client.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        // PostgreSQL's text cannot hold the NUL character (SQLite's can): a request carrying one is refused, as
        // one the server cannot read.
        if let sqlx::Error::Database(db) = &e {
            if db.code().as_deref() == Some(NUL_IN_TEXT) {
                return Error::Malformed(
                    "文字中不能有 NUL 字符 (text may not contain the NUL character)".into(),
                );
            }
        }
        Error::Internal(anyhow::Error::new(e).context("database"))
    }
}

/// PostgreSQL's SQLSTATE for a character its text encoding cannot hold (`character_not_in_repertoire`).
const NUL_IN_TEXT: &str = "22021";

impl Error {
    /// `422 invalid_input` naming one field.
    pub fn invalid(field: &str, message: &str) -> Error {
        Error::Invalid(serde_json::json!({ field: message }))
    }

    /// `422 photo_missing`: the listed photos are not uploaded (by this user).
    pub fn photo_missing(missing: &[String]) -> Error {
        Error::Protocol {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: code::PHOTO_MISSING,
            message: "请先上传照片 (upload the listed photos first)",
            details: Some(serde_json::json!({ "missing": missing })),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::NotFound | Error::NoRoute => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::Unauthorized | Error::InvalidCode | Error::MistypedCode => {
                StatusCode::UNAUTHORIZED
            }
            Error::Forbidden => StatusCode::FORBIDDEN,
            Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Malformed(_) => StatusCode::BAD_REQUEST,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Protocol { status, .. } => *status,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(&self) -> ErrorBody {
        match self {
            Error::NotFound => ErrorBody::new(code::NOT_FOUND, "没有这个资源 (no such resource)"),
            Error::NoRoute => ErrorBody::new(code::NOT_FOUND, NO_ROUTE_MESSAGE),
            Error::MethodNotAllowed => ErrorBody::new(
                code::METHOD_NOT_ALLOWED,
                "此地址不支持该请求方法 (method not allowed here)",
            ),
            Error::Unauthorized => ErrorBody::new(
                code::UNAUTHORIZED,
                "未登录或登录已失效，请重新输入登录码 (missing, invalid or revoked token)",
            ),
            Error::Forbidden => ErrorBody::new(
                code::FORBIDDEN,
                "无权进行此操作 (not allowed for this account)",
            ),
            Error::InvalidCode => ErrorBody::new(
                code::INVALID_CODE,
                "登录码无效、已使用或已过期 (unknown, used or expired code)",
            ),
            Error::MistypedCode => ErrorBody::new(
                code::INVALID_CODE,
                "登录码有一位输错了，请对照登录卡重输 (one character of the code is mistyped)",
            ),
            Error::RateLimited { retry_after } => ErrorBody::new(
                code::RATE_LIMITED,
                format!(
                    "请求过于频繁，请 {} 秒后再试 (too many requests)",
                    retry_after.as_secs()
                ),
            ),
            Error::Malformed(why) => ErrorBody::new(
                code::MALFORMED_REQUEST,
                format!("请求格式错误 (malformed request): {why}"),
            ),
            Error::UnsupportedMediaType(why) => ErrorBody::new(
                code::UNSUPPORTED_MEDIA_TYPE,
                format!("不支持的内容类型 (unsupported media type): {why}"),
            ),
            Error::TooLarge => ErrorBody::new(code::TOO_LARGE, "请求内容过大 (body too large)"),
            Error::Invalid(details) => {
                ErrorBody::new(code::INVALID_INPUT, "输入有误 (invalid input)")
                    .with_details(details.clone())
            }
            Error::Protocol {
                code,
                message,
                details,
                ..
            } => {
                let body = ErrorBody::new(code, *message);
                match details {
                    Some(d) => body.with_details(d.clone()),
                    None => body,
                }
            }
            Error::Internal(_) => ErrorBody::new(
                code::INTERNAL,
                "服务器内部错误，请稍后重试 (internal error, please retry later)",
            ),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let mut res = (self.status(), Json(self.body())).into_response();
        match &self {
            Error::RateLimited { retry_after } => {
                let secs = retry_after.as_secs().max(1).to_string();
                if let Ok(v) = HeaderValue::from_str(&secs) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            Error::Unauthorized => {
                res.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            // A quota, not a rate: worth another try in an hour, when unused photos may have been sent or removed.
            Error::Protocol { status, .. } if *status == StatusCode::TOO_MANY_REQUESTS => {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("3600"));
            }
            _ => {}
        }
        res
    }
}

/// The message of the 404 for a path no API route has.
pub const NO_ROUTE_MESSAGE: &str = "没有这个接口 (no such endpoint)";

/// Fallback for unknown API paths: a JSON 404, never the app's HTML.
pub async fn no_route() -> Error {
    Error::NoRoute
}

/// Turns the plain-text errors that come from outside our handlers (axum's path, query and body-limit rejections)
/// into the protocol's error body, so every API error is JSON with a stable code.
pub async fn as_protocol_error(res: Response) -> Response {
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let error = match status {
        StatusCode::NOT_FOUND => Error::NoRoute,
        StatusCode::METHOD_NOT_ALLOWED => Error::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => Error::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::UnsupportedMediaType(text),
        StatusCode::UNPROCESSABLE_ENTITY => Error::Invalid(serde_json::json!({ "request": text })),
        s if s.is_client_error() => Error::Malformed(text),
        _ => Error::Internal(anyhow::anyhow!("{status}: {text}")),
    };
    let mut out = error.into_response();
    // Keep what the original said about retrying or authenticating.
    for name in [header::RETRY_AFTER, header::WWW_AUTHENTICATE, header::ALLOW] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

pub async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}
