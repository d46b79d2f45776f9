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
