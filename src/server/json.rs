//! `ApiJson<T>`: axum's JSON extractor with its rejections turned into the protocol's error bodies.
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::Error;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // JSON is UTF-8 (RFC 8259); a body declared in another charset is not read as if it were.
        if let Some(charset) = declared_charset(&req) {
            if !charset.eq_ignore_ascii_case("utf-8") {
                return Err(Error::UnsupportedMediaType(format!(
                    "expected JSON in UTF-8, not {charset}"
                )));
            }
        }
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(match rejection {
                JsonRejection::MissingJsonContentType(_) => {
                    Error::UnsupportedMediaType("expected Content-Type: application/json".into())
                }
                JsonRejection::BytesRejection(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    Error::TooLarge
                }
                JsonRejection::JsonDataError(e) => Error::Malformed(e.body_text()),
                JsonRejection::JsonSyntaxError(e) => Error::Malformed(e.body_text()),
                other => Error::Malformed(other.body_text()),
            }),
        }
    }
}

/// The `charset` parameter of the request's Content-Type, if it names one.
fn declared_charset(req: &Request) -> Option<String> {
    let value = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    value.split(';').skip(1).find_map(|param| {
        let (name, v) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}
